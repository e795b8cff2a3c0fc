package dev.hostplane.ops;

import dev.hostplane.apiserver.ApiServer;
import dev.hostplane.apiserver.ApiServerConfig;
import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.apiserver.pki.Kubeconfig;
import dev.hostplane.konnectivity.agent.Agent;
import dev.hostplane.konnectivity.server.ProxyServer;
import dev.hostplane.ops.node.NodeOptions;
import dev.hostplane.ops.node.SandboxNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code hostplane up}: a local managed cluster in one process: an apiserver (embedded storage, TLS, the round-robin
 * pod binder, kubelet client credentials, the {@code cluster} egress through a Konnectivity proxy-server on a Unix
 * socket), the proxy-server, one agent, and {@code --nodes} sandbox nodes on 127.0.0.2, 127.0.0.3, ... Every
 * certificate comes from the apiserver's CA in {@code <dir>/pki}.
 */
public final class UpCommand {
  private UpCommand() {}

  static Flags flags() {
    return new Flags()
        .declare("dir", ".hostplane/up", "Directory of the cluster: data, certificates, kubeconfigs, node roots.")
        .declare("nodes", "1", "How many sandbox nodes to run (node-ip 127.0.0.2, 127.0.0.3, ...).")
        .declare("secure-port", "6443", "The apiserver's HTTPS port (0 picks a free one).")
        .declare("kubelet-port", "10250", "The nodes' kubelet API port (each node has its own address).")
        .declareBool("help", false, "Print this help.");
  }

  /** What {@code up} started; closing stops everything, nodes first. */
  public record Cluster(ApiServer apiserver, ProxyServer proxy, Agent agent, List<SandboxNode> nodes, Path kubeconfig)
      implements AutoCloseable {
    @Override
    public void close() {
      for (SandboxNode n : nodes) {
        n.close();
      }
      agent.close();
      proxy.close();
      apiserver.close();
    }
  }

  public static Cluster start(Path dir, int nodes, int securePort, int kubeletPort) throws IOException, InterruptedException {
    dir = dir.toAbsolutePath();
    Path pki = dir.resolve("pki");
    Files.createDirectories(pki);
    CertificateAuthority ca = ca(pki);
    Path caFile = pki.resolve("ca.crt");
    InetAddress loopback = InetAddress.getByName("127.0.0.1");

    // The tunnel: proxy-server (frontend on a Unix socket, agents over mutual TLS) and one agent.
    Path socket = dir.resolve("konnectivity-server.sock");
    Files.deleteIfExists(socket);
    CertifiedKey proxyServing = ca.issueServing("konnectivity-server", List.of("localhost"), List.of(loopback),
        CertificateAuthority.LEAF_VALIDITY);
    proxyServing.write(pki.resolve("konnectivity-server.crt"), pki.resolve("konnectivity-server.key"));
    Flags serverFlags = KonnectivityServerCommand.flags();
    serverFlags.parse(List.of("--uds-name=" + socket, "--agent-port=0", "--bind-address=127.0.0.1",
        "--cluster-cert=" + pki.resolve("konnectivity-server.crt"),
        "--cluster-key=" + pki.resolve("konnectivity-server.key"), "--cluster-ca-cert=" + caFile,
        "--health-port=-1", "--admin-port=-1"));
    ProxyServer proxy = ProxyServer.start(KonnectivityServerCommand.options(serverFlags));
    List<AutoCloseable> started = new ArrayList<>(List.of(proxy));
    try {
      CertifiedKey agentKey = ca.issueClient("system:konnectivity-agent", List.of(), CertificateAuthority.LEAF_VALIDITY);
      agentKey.write(pki.resolve("konnectivity-agent.crt"), pki.resolve("konnectivity-agent.key"));
      Flags agentFlags = KonnectivityAgentCommand.flags();
      agentFlags.parse(List.of("--proxy-server-host=127.0.0.1", "--proxy-server-port=" + proxy.agentPort(),
          "--ca-cert=" + caFile, "--agent-cert=" + pki.resolve("konnectivity-agent.crt"),
          "--agent-key=" + pki.resolve("konnectivity-agent.key"), "--agent-id=hostplane-up-agent"));
      Agent agent = Agent.start(KonnectivityAgentCommand.options(agentFlags));
      started.add(agent);

      // The apiserver: the cluster egress through the tunnel, kubelet client credentials from the same CA.
      Path egress = dir.resolve("egress-selector-configuration.yaml");
      Files.writeString(egress, egressConfiguration(socket), StandardCharsets.UTF_8);
      CertifiedKey kubeletClient = ca.issueClient("kube-apiserver-kubelet-client", List.of(),
          CertificateAuthority.LEAF_VALIDITY);
      kubeletClient.write(pki.resolve("apiserver-kubelet-client.crt"), pki.resolve("apiserver-kubelet-client.key"));
      Path kubeconfig = dir.resolve("admin.kubeconfig");
      List<String> args = new ArrayList<>(List.of("--secure-port=" + securePort, "--bind-address=127.0.0.1",
          "--data-dir=" + dir.resolve("data"), "--cert-dir=" + pki, "--write-kubeconfig=" + kubeconfig,
          "--bind-pods=round-robin"));
      Flags apiFlags = ApiServerConfig.flags();
      args.addAll(List.of("--kubelet-client-certificate=" + pki.resolve("apiserver-kubelet-client.crt"),
          "--kubelet-client-key=" + pki.resolve("apiserver-kubelet-client.key"),
          "--kubelet-certificate-authority=" + caFile,
          "--kubelet-preferred-address-types=InternalIP,Hostname,InternalDNS,ExternalDNS,ExternalIP",
          "--egress-selector-config-file=" + egress));
      apiFlags.parse(args);
      ApiServer apiserver = ApiServer.start(ApiServerConfig.from(apiFlags), null,
          ApiServerCommand.admissionPlugins());
      started.add(apiserver);

      List<SandboxNode> sandboxNodes = new ArrayList<>();
      for (int i = 1; i <= nodes; i++) {
        String name = "node-" + i;
        String ip = "127.0.0." + (i + 1);
        Path root = dir.resolve("nodes").resolve(name);
        CertifiedKey identity = ca.issueClient("system:node:" + name, List.of("system:nodes"),
            CertificateAuthority.LEAF_VALIDITY);
        Path nodeKubeconfig = root.resolve("kubelet.kubeconfig");
        Files.createDirectories(root);
        Kubeconfig.write(nodeKubeconfig, "hostplane", Kubeconfig.serverUrl("127.0.0.1", apiserver.port()),
            ca.certificate(), identity);
        CertifiedKey serving = ca.issueServing(name, List.of(name), List.of(InetAddress.getByName(ip)),
            CertificateAuthority.LEAF_VALIDITY);
        serving.write(root.resolve("kubelet-serving.crt"), root.resolve("kubelet-serving.key"));
        SandboxNode node = SandboxNode.start(new NodeOptions(nodeKubeconfig, name, ip, kubeletPort, root, caFile,
            root.resolve("kubelet-serving.crt"), root.resolve("kubelet-serving.key"), Duration.ofSeconds(10),
            Duration.ofSeconds(10)));
        sandboxNodes.add(node);
        started.add(node);
      }
      return new Cluster(apiserver, proxy, agent, sandboxNodes, kubeconfig);
    } catch (IOException | InterruptedException | RuntimeException e) {
      for (int i = started.size() - 1; i >= 0; i--) {
        try {
          started.get(i).close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /** The apiserver's CA: loaded from {@code pki}, else generated there (the apiserver then loads it). */
  private static CertificateAuthority ca(Path pki) throws IOException {
    Path crt = pki.resolve("ca.crt");
    Path key = pki.resolve("ca.key");
    if (Files.exists(crt) && Files.exists(key)) {
      return CertificateAuthority.load(crt, key);
    }
    CertificateAuthority ca = CertificateAuthority.generate("hostplane-ca", CertificateAuthority.CA_VALIDITY);
    ca.write(crt, key);
    return ca;
  }

  static String egressConfiguration(Path socket) {
    return """
        apiVersion: apiserver.k8s.io/v1beta1
        kind: EgressSelectorConfiguration
        egressSelections:
        - name: cluster
          connection:
            proxyProtocol: GRPC
            transport:
              uds:
                udsName: %s
        - name: controlplane
          connection:
            proxyProtocol: Direct
        - name: etcd
          connection:
            proxyProtocol: Direct
        """.formatted(socket);
  }

  static int run(List<String> args) {
    Flags flags = flags();
    List<String> positional = flags.parse(args);
    if (flags.bool("help")) {
      System.out.println("Usage: hostplane up [flags]\n\n"
          + "Runs a local managed cluster in this process: apiserver, Konnectivity proxy-server and agent, and\n"
          + "sandbox nodes that run pods as local processes.\n\nFlags:\n" + flags.usage());
      return 0;
    }
    if (!positional.isEmpty()) {
      throw new Flags.FlagException("unexpected arguments: " + positional);
    }
    int nodes = flags.integer("nodes");
    if (nodes < 1 || nodes > 200) {
      throw new Flags.FlagException("--nodes must be between 1 and 200, got " + nodes);
    }
    long begin = System.nanoTime();
    Cluster cluster;
    try {
      cluster = start(Path.of(flags.string("dir")), nodes, flags.integer("secure-port"),
          flags.integer("kubelet-port"));
    } catch (IOException | RuntimeException e) {
      System.err.println("hostplane up: cannot start: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - begin);
    System.out.printf("""
        Hostplane is up: apiserver on https://127.0.0.1:%d, %d node(s) Ready after %d ms.

          export KUBECONFIG=%s
          kubectl get nodes
          kubectl run web --image=python:3 --command -- python3 -m http.server 8080
          kubectl logs -f web
          kubectl exec -it web -- sh
          kubectl port-forward pod/web 8080:8080

        Pods run as local processes on the nodes (127.0.0.2, ...): each container needs a command, and all
        pods share this machine's ports (a server listening on 0.0.0.0 takes its port on every node).
        Press Ctrl-C to stop (every pod process is stopped with it).
        """, cluster.apiserver().port(), nodes, took.toMillis(), cluster.kubeconfig());
    return Commands.runUntilShutdown(cluster::close);
  }
}

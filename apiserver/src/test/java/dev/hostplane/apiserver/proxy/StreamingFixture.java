package dev.hostplane.apiserver.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.apiserver.testing.TestApiServer;
import dev.hostplane.konnectivity.agent.Agent;
import dev.hostplane.konnectivity.agent.AgentOptions;
import dev.hostplane.konnectivity.server.ProxyServer;
import dev.hostplane.konnectivity.server.ProxyServerOptions;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Everything a streaming test needs, started for real: a {@link TestKubelet} with its own CA, a Konnectivity
 * proxy-server (frontend on a Unix socket) and agent, and an apiserver whose cluster egress goes through them,
 * presenting a kubelet client certificate and verifying the kubelet with its CA. Node {@code node-1} points at the
 * kubelet (InternalIP 127.0.0.1, its port); pods are created bound to it.
 */
final class StreamingFixture implements AutoCloseable {
  final Path dir;
  final CertificateAuthority kubeletCa;
  final TestKubelet kubelet;
  final ProxyServer proxy;
  final Agent agent;
  final TestApiServer api;

  StreamingFixture(Path dir, String... extraFlags) throws Exception {
    this.dir = dir;
    kubeletCa = CertificateAuthority.generate("test-kubelet-ca", Duration.ofDays(1));
    kubeletCa.write(dir.resolve("kubelet-ca.crt"), dir.resolve("kubelet-ca.key"));
    CertifiedKey client = kubeletCa.issueClient("kube-apiserver-kubelet-client", List.of("kubelet-api-admin"),
        Duration.ofDays(1));
    client.write(dir.resolve("kubelet-client.crt"), dir.resolve("kubelet-client.key"));
    CertifiedKey proxyServing = kubeletCa.issueServing("konnectivity-server", List.of("localhost"),
        List.of(InetAddress.getByName("127.0.0.1")), Duration.ofDays(1));
    proxyServing.write(dir.resolve("proxy.crt"), dir.resolve("proxy.key"));
    CertifiedKey agentCert = kubeletCa.issueClient("system:konnectivity-agent", List.of(), Duration.ofDays(1));
    agentCert.write(dir.resolve("agent.crt"), dir.resolve("agent.key"));
    kubelet = new TestKubelet(kubeletCa);
    Path socket = dir.resolve("k.sock");
    proxy = ProxyServer.start(ProxyServerOptions.of(socket, 0, dir.resolve("proxy.crt"), dir.resolve("proxy.key"),
        dir.resolve("kubelet-ca.crt"), 0, dir.resolve("proxy.crt"), dir.resolve("proxy.key"),
        dir.resolve("kubelet-ca.crt")).withHttpPorts(0, 0));
    agent = Agent.start(AgentOptions.of("localhost", proxy.agentPort(), dir.resolve("kubelet-ca.crt"),
        dir.resolve("agent.crt"), dir.resolve("agent.key")).withSyncInterval(Duration.ofMillis(100),
        Duration.ofMillis(500)));
    await("agent connected", () -> proxy.connectedAgents() == 1);
    Files.writeString(dir.resolve("egress.yaml"), """
        apiVersion: apiserver.k8s.io/v1beta1
        kind: EgressSelectorConfiguration
        egressSelections:
        - name: cluster
          connection:
            proxyProtocol: GRPC
            transport:
              uds:
                udsName: %s
        """.formatted(socket));
    List<String> flags = new ArrayList<>(List.of(
        "--kubelet-client-certificate=" + dir.resolve("kubelet-client.crt"),
        "--kubelet-client-key=" + dir.resolve("kubelet-client.key"),
        "--kubelet-certificate-authority=" + dir.resolve("kubelet-ca.crt"),
        "--kubelet-preferred-address-types=InternalIP,Hostname",
        "--egress-selector-config-file=" + dir.resolve("egress.yaml")));
    flags.addAll(List.of(extraFlags));
    api = TestApiServer.start(dir.resolve("api"), flags.toArray(String[]::new));
    createNode("node-1", "127.0.0.1", kubelet.port());
  }

  void createNode(String name, String ip, int port) throws Exception {
    check(api.send("POST", "/api/v1/nodes", "application/json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" + name + "\"}}"), 201);
    check(api.send("PATCH", "/api/v1/nodes/" + name + "/status", "application/merge-patch+json",
        "{\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"" + ip + "\"},{\"type\":\"Hostname\","
            + "\"address\":\"" + name + "\"}],\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":" + port + "}}}}"),
        200);
  }

  /** A pod with {@code containers} (names), bound to {@code node} unless it is null. */
  void createPod(String name, String node, String annotations, String... containers) throws Exception {
    StringBuilder cs = new StringBuilder();
    for (String c : containers) {
      cs.append(cs.length() == 0 ? "" : ",").append("{\"name\":\"").append(c).append("\",\"image\":\"busybox\"}");
    }
    String spec = "{\"containers\":[" + cs + "]" + (node == null ? "" : ",\"nodeName\":\"" + node + "\"") + "}";
    check(api.send("POST", "/api/v1/namespaces/default/pods", "application/json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\""
            + (annotations == null ? "" : ",\"annotations\":" + annotations) + "},\"spec\":" + spec + "}"), 201);
  }

  static void check(HttpResponse<String> r, int code) {
    assertEquals(code, r.statusCode(), r.body());
  }

  /** Waits until no tunnel connection is open and the kubelet holds no connection. */
  void awaitReleased() throws Exception {
    await("no tunnel connection left", () -> proxy.establishedConnections() == 0 && proxy.pendingDials() == 0);
    await("no kubelet connection left", () -> kubelet.open.get() == 0);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() {
    api.close();
    agent.close();
    proxy.close();
    kubelet.close();
  }
}

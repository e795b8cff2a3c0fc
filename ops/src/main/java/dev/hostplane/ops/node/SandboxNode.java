package dev.hostplane.ops.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.apiserver.pki.Pem;
import dev.hostplane.ops.bench.ClientConfig;
import dev.hostplane.ops.node.internal.ApiClient;
import dev.hostplane.ops.node.internal.EventRecorder;
import dev.hostplane.ops.node.internal.KubeletServer;
import dev.hostplane.ops.node.internal.NodeStatusReporter;
import dev.hostplane.ops.node.internal.PodRuntime;
import dev.hostplane.ops.node.internal.PodSource;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for a customer's node: registers a Node, renews its Lease, runs the pods bound to it as local
 * processes and serves the kubelet API over TLS with client-certificate authentication.
 */
public final class SandboxNode implements AutoCloseable {
  private static final Duration REGISTER_TIMEOUT = Duration.ofSeconds(60);
  private static final int ENDED_KEPT = 10_000;

  private final NodeOptions options;
  private final ApiClient api;
  private final EventRecorder events;
  private final Map<String, PodRuntime> pods = new ConcurrentHashMap<>();
  /** Uids of the pods whose runtime ended, most recent last, at most {@link #ENDED_KEPT}. */
  private final Set<String> ended = java.util.Collections.newSetFromMap(java.util.Collections.synchronizedMap(
      new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > ENDED_KEPT;
        }
      }));
  private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "node-heartbeat");
    t.setDaemon(true);
    return t;
  });
  private KubeletServer kubelet;
  private PodSource source;
  private Thread sourceThread;
  private volatile boolean closed;

  private SandboxNode(NodeOptions options, ApiClient api) {
    this.options = options;
    this.api = api;
    this.events = new EventRecorder(api, options.nodeName());
  }

  /** Starts the kubelet API, registers the Node (retrying until the apiserver answers), then runs pods. */
  public static SandboxNode start(NodeOptions options) throws IOException, InterruptedException {
    Files.createDirectories(options.rootDir());
    ApiClient api = ApiClient.create(ClientConfig.load(options.kubeconfig()));
    SandboxNode node = new SandboxNode(options, api);
    try {
      node.kubelet = KubeletServer.start(options.nodeIp(), options.kubeletPort(), node.tls(), node::find,
          options.spdyPingInterval());
      NodeStatusReporter reporter = new NodeStatusReporter(api, options.nodeName(), options.nodeIp(),
          node.kubelet.port());
      register(reporter);
      long period = options.heartbeat().toMillis();
      node.heartbeats.scheduleWithFixedDelay(() -> {
        try {
          reporter.heartbeat();
        } catch (IOException e) {
          System.err.println("node " + options.nodeName() + ": heartbeat failed: " + e.getMessage());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, 0, period, TimeUnit.MILLISECONDS);
      node.source = new PodSource(api, options.nodeName(), node.new Sink());
      node.sourceThread = new Thread(node.source, "node-pod-watch");
      node.sourceThread.setDaemon(true);
      node.sourceThread.start();
      return node;
    } catch (IOException | InterruptedException | RuntimeException e) {
      node.close();
      throw e;
    }
  }

  private static void register(NodeStatusReporter reporter) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + REGISTER_TIMEOUT.toNanos();
    while (true) {
      try {
        reporter.register();
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(500);
      }
    }
  }

  /** The kubelet API port (the one chosen when the options asked for 0). */
  public int kubeletPort() {
    return kubelet.port();
  }

  public String name() {
    return options.nodeName();
  }

  private PodRuntime find(String namespace, String name) {
    PodRuntime found = null;
    for (PodRuntime p : pods.values()) {
      if (p.namespace().equals(namespace) && p.name().equals(name)) {
        found = p;
      }
    }
    return found;
  }

  /** The pod source's view of the pods, applied to the runtimes (on the source's thread). */
  private final class Sink implements PodSource.Sink {
    @Override
    public void upsert(JsonNode pod) {
      if (closed) {
        return;
      }
      String uid = pod.path("metadata").path("uid").asText();
      PodRuntime existing = pods.get(uid);
      if (existing != null) {
        existing.update(pod);
        return;
      }
      if (ended.contains(uid)) {
        // A late event for a pod this node already finished with (deleted, or stopped): never run it again.
        return;
      }
      String phase = pod.path("status").path("phase").asText("");
      if (phase.equals("Succeeded") || phase.equals("Failed")) {
        // Finished before this node (re)started: nothing to run, and its status stays as reported.
        return;
      }
      PodRuntime runtime = new PodRuntime(api, events, options.nodeIp(), options.rootDir(),
          options.restartBackoff(), pod, () -> {
            ended.add(uid);
            pods.remove(uid);
          });
      pods.put(uid, runtime);
      runtime.start();
    }

    @Override
    public void delete(JsonNode pod) {
      PodRuntime r = pods.get(pod.path("metadata").path("uid").asText());
      if (r != null) {
        r.removed();
      }
    }

    @Override
    public void retain(Set<String> uids) {
      for (Map.Entry<String, PodRuntime> e : pods.entrySet()) {
        if (!uids.contains(e.getKey())) {
          e.getValue().removed();
        }
      }
    }
  }

  private SslContext tls() throws IOException {
    Path certFile = options.tlsCertFile();
    Path keyFile = options.tlsKeyFile();
    if (certFile == null) {
      certFile = options.rootDir().resolve("pki/kubelet.crt");
      keyFile = options.rootDir().resolve("pki/kubelet.key");
      if (!Files.exists(certFile) || !Files.exists(keyFile)) {
        Files.createDirectories(certFile.getParent());
        CertificateAuthority ca = CertificateAuthority.generate(options.nodeName() + "-ca@hostplane",
            CertificateAuthority.CA_VALIDITY);
        CertifiedKey serving = ca.issueServing(options.nodeName(), List.of(options.nodeName()),
            List.of(InetAddress.getByName(options.nodeIp())), CertificateAuthority.LEAF_VALIDITY);
        Pem.writeCertificates(certFile, List.of(serving.certificate(), ca.certificate()));
        Pem.writePrivateKey(keyFile, serving.privateKey());
      }
    }
    List<X509Certificate> chain = Pem.readCertificates(certFile);
    PrivateKey key = Pem.readPrivateKey(keyFile);
    List<X509Certificate> clientCas = Pem.readCertificates(options.clientCaFile());
    return SslContextBuilder.forServer(key, chain).trustManager(clientCas).clientAuth(ClientAuth.REQUIRE).build();
  }

  /** Stops watching, kills every process the node started, and stops the kubelet API. */
  @Override
  public void close() {
    closed = true;
    heartbeats.shutdownNow();
    if (source != null) {
      source.close();
      sourceThread.interrupt();
    }
    List<PodRuntime> running = List.copyOf(pods.values());
    running.forEach(PodRuntime::stop);
    try {
      for (PodRuntime p : running) {
        p.awaitStopped(10_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (kubelet != null) {
      kubelet.close();
    }
  }
}

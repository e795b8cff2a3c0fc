package dev.hostplane.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.apiserver.pki.Kubeconfig;
import dev.hostplane.apiserver.pki.Pem;
import dev.hostplane.apiserver.testing.TestApiServer;
import dev.hostplane.ops.node.NodeOptions;
import dev.hostplane.ops.node.SandboxNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real kubectl (its own SPDY client) against the sandbox node's kubelet API: exec with exit codes and stdin, logs,
 * port-forward carrying HTTP, and cp both ways checked by checksum. kubectl reaches the kubelet through
 * {@link KubeletRelay}, which forwards the pod subresources as the apiserver's upgrade-aware proxy does.
 */
@Tag("slow")
@Timeout(180)
class KubectlSandboxNodeE2ETest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  static TestApiServer api;
  static SandboxNode node;
  static KubeletRelay relay;
  static Path kubeconfig;
  static int httpPort;
  static byte[] bigFile;

  @BeforeAll
  static void start() throws Exception {
    api = TestApiServer.start(dir.resolve("apiserver"));
    CertificateAuthority clientCa = CertificateAuthority.generate("kubelet-client-ca", Duration.ofDays(1));
    clientCa.write(dir.resolve("kubelet-client-ca.crt"), dir.resolve("kubelet-client-ca.key"));
    CertifiedKey identity = api.issueClient("system:node:n1", "system:nodes");
    Path nodeKubeconfig = dir.resolve("n1.kubeconfig");
    Kubeconfig.write(nodeKubeconfig, "hostplane", api.uri("").toString(), api.ca(), identity);
    node = SandboxNode.start(new NodeOptions(nodeKubeconfig, "n1", "127.0.0.1", 0, dir.resolve("n1"),
        dir.resolve("kubelet-client-ca.crt"), null, null, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    CertifiedKey kubeletClient = clientCa.issueClient("kube-apiserver-kubelet-client", List.of(), Duration.ofDays(1));
    relay = new KubeletRelay(api.tlsContext(true), api.address().getPort(),
        tls(kubeletClient, Pem.readCertificates(dir.resolve("n1/pki/kubelet.crt"))), node.kubeletPort());
    kubeconfig = dir.resolve("kubectl.kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: relay
          cluster:
            server: http://127.0.0.1:%d
        users:
        - name: relay
          user: {}
        contexts:
        - name: relay
          context:
            cluster: relay
            user: relay
            namespace: default
        current-context: relay
        """.formatted(relay.port()));
    try (ServerSocket s = new ServerSocket(0)) {
      httpPort = s.getLocalPort();
    }
    bigFile = new byte[50 * 1024 * 1024];
    new SecureRandom().nextBytes(bigFile);
    Path webDir = Files.createDirectories(dir.resolve("web"));
    Files.write(webDir.resolve("big.bin"), bigFile);
    createPod("web", "cd " + webDir + "; echo hello-from-pod > index.html; exec python3 -m http.server " + httpPort
        + " --bind 127.0.0.1");
    createPod("logger", "for i in 0 1 2; do echo log $i; done; while true; do sleep 1; done");
    createPod("ticker", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.3; done");
    createPod("crasher", "echo run $(date +%s%N); sleep 1; exit 1");
    ObjectNode echoer = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
    echoer.putObject("metadata").put("name", "echoer");
    echoer.putObject("spec").put("nodeName", "n1").putArray("containers").addObject().put("name", "c")
        .put("image", "busybox").put("stdin", true).putArray("command").add("sh").add("-c")
        .add("while read l; do echo got $l; done");
    assertEquals(201, api.send("POST", "/api/v1/namespaces/default/pods", "application/json",
        JSON.writeValueAsString(echoer)).statusCode());
    await("web serving", () -> {
      try (Socket s = new Socket("127.0.0.1", httpPort)) {
        return s.isConnected();
      } catch (java.io.IOException e) {
        return false;
      }
    });
  }

  @AfterAll
  static void stop() throws Exception {
    if (relay != null) {
      relay.close();
    }
    if (node != null) {
      node.close();
    }
    if (api != null) {
      api.close();
    }
  }

  private static SSLContext tls(CertifiedKey client, List<X509Certificate> trusted) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    for (int i = 0; i < trusted.size(); i++) {
      trust.setCertificateEntry("t" + i, trusted.get(i));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("c", client.privateKey(), new char[0], new Certificate[] {client.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  static void createPod(String name, String script) throws Exception {
    ObjectNode pod = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", name);
    pod.putObject("spec").put("nodeName", "n1").putArray("containers").addObject().put("name", "c")
        .put("image", "python:3").putArray("command").add("sh").add("-c").add(script);
    assertEquals(201, api.send("POST", "/api/v1/namespaces/default/pods", "application/json",
        JSON.writeValueAsString(pod)).statusCode());
    await(name + " Running", () -> {
      JsonNode p = TestApiServer.json(api.get("/api/v1/namespaces/default/pods/" + name));
      return p.path("status").path("phase").asText().equals("Running");
    });
  }

  static void await(String what, Callable<Boolean> probe) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (probe.call()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("timed out waiting for " + what);
  }

  Kubectl kubectl(String version) throws Exception {
    return Kubectl.of(version, kubeconfig, dir.resolve("kubectl-" + version));
  }

  @ParameterizedTest(name = "kubectl {0}")
  @ValueSource(strings = {"1.27", "1.29", "1.30", "1.31", "1.33"})
  void execCarriesStreamsExitCodesAndStdin(String version) throws Exception {
    Kubectl k = kubectl(version);
    Kubectl.Result r = k.run("exec", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3");
    assertEquals(3, r.exitCode(), r.describe());
    assertEquals("out\n", r.stdout());
    assertTrue(r.stderr().contains("err\n"), r.describe());
    Kubectl.Result in = k.okWithStdin("piped\nlines\n", "exec", "-i", "web", "--", "sh", "-c", "cat; echo done");
    assertEquals("piped\nlines\ndone\n", in.stdout());
  }

  @ParameterizedTest(name = "kubectl {0}")
  @ValueSource(strings = {"1.27", "1.29", "1.30", "1.31", "1.33"})
  void execWithATerminalGetsTheClientsSize(String version) throws Exception {
    // kubectl -it needs a terminal of its own: script(1) gives it one, 111 columns by 33 rows.
    String kubectl = Kubectl.locate(version) + " --kubeconfig=" + kubeconfig
        + " exec -it web -- sh -c 'tty; stty size; exit 4'";
    Process p = new ProcessBuilder("script", "-qfec", "stty cols 111 rows 33; " + kubectl, "/dev/null")
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertTrue(out.contains("/dev/pts/"), out);
    assertTrue(out.contains("33 111"), out);
    assertTrue(out.contains("command terminated with exit code 4"), out);
    assertEquals(4, p.exitValue(), out);
  }

  @ParameterizedTest(name = "kubectl {0}")
  @ValueSource(strings = {"1.27", "1.29", "1.30", "1.31", "1.33"})
  void logsWithTailAndTimestamps(String version) throws Exception {
    Kubectl k = kubectl(version);
    assertEquals("log 0\nlog 1\nlog 2\n", k.ok("logs", "logger").stdout());
    assertEquals("log 2\n", k.ok("logs", "logger", "--tail=1").stdout());
    String stamped = k.ok("logs", "logger", "--timestamps").stdout().lines().findFirst().orElseThrow();
    assertTrue(stamped.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z log 0"), stamped);
  }

  @ParameterizedTest(name = "kubectl {0}")
  @ValueSource(strings = {"1.27", "1.29", "1.30", "1.31", "1.33"})
  void logsFollowSeesNewLinesAndPreviousSeesTheLastRun(String version) throws Exception {
    Process follow = new ProcessBuilder(Kubectl.locate(version).toString(), "--kubeconfig=" + kubeconfig,
        "logs", "-f", "--tail=1", "ticker").redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8));
      int first = Integer.parseInt(out.readLine().substring("tick ".length()));
      assertEquals("tick " + (first + 1), out.readLine());
      assertEquals("tick " + (first + 2), out.readLine());
    } finally {
      follow.destroy();
      follow.waitFor(10, TimeUnit.SECONDS);
    }
    await("crasher restarted", () -> TestApiServer.json(api.get("/api/v1/namespaces/default/pods/crasher"))
        .path("status").path("containerStatuses").path(0).path("restartCount").asInt() >= 1);
    Kubectl.Result previous = kubectl(version).ok("logs", "crasher", "--previous");
    assertTrue(previous.stdout().startsWith("run "), previous.describe());
  }

  @ParameterizedTest(name = "kubectl {0}")
  @ValueSource(strings = {"1.27", "1.29", "1.30", "1.31", "1.33"})
  void attachJoinsARunningContainer(String version) throws Exception {
    await("echoer Running", () -> TestApiServer.json(api.get("/api/v1/namespaces/default/pods/echoer"))
        .path("status").path("phase").asText().equals("Running"));
    Process attach = new ProcessBuilder(Kubectl.locate(version).toString(), "--kubeconfig=" + kubeconfig,
        "attach", "-i", "echoer").start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(attach.getInputStream(), StandardCharsets.UTF_8));
      // Until the session is up the input may be lost (as with any attach): repeat it until an answer comes.
      java.io.OutputStream in = attach.getOutputStream();
      Thread writer = new Thread(() -> {
        try {
          for (int i = 0; i < 50; i++) {
            in.write(("hello-" + version + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            Thread.sleep(200);
          }
        } catch (Exception e) {
          // kubectl went away.
        }
      });
      writer.setDaemon(true);
      writer.start();
      String line;
      do {
        line = out.readLine();
      } while (line != null && !line.startsWith("got "));
      assertEquals("got hello-" + version, line);
    } finally {
      attach.destroy();
      attach.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "kubectl {0}")
  @ValueSource(strings = {"1.27", "1.29", "1.30", "1.31", "1.33"})
  void portForwardCarriesHttp(String version) throws Exception {
    int local;
    try (ServerSocket s = new ServerSocket(0)) {
      local = s.getLocalPort();
    }
    Process pf = new ProcessBuilder(Kubectl.locate(version).toString(), "--kubeconfig=" + kubeconfig,
        "port-forward", "pod/web", local + ":" + httpPort).redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(pf.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertTrue(line != null && line.startsWith("Forwarding from 127.0.0.1:" + local), String.valueOf(line));
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + local
            + "/index.html")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("hello-from-pod\n", r.body());
      }
      long start = System.nanoTime();
      HttpResponse<byte[]> big = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + local
          + "/big.bin")).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
      long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
      assertEquals(200, big.statusCode());
      assertArrayEquals(sha256(bigFile), sha256(big.body()));
      System.out.printf("kubectl %s port-forward: 50 MiB in %d ms (%.1f MiB/s)%n", version, millis,
          50_000.0 / Math.max(1, millis));
    } finally {
      pf.destroy();
      pf.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "kubectl {0}")
  @ValueSource(strings = {"1.27", "1.29", "1.30", "1.31", "1.33"})
  void cpCopiesAFileBothWays(String version) throws Exception {
    Kubectl k = kubectl(version);
    byte[] data = new byte[3 * 1024 * 1024];
    new SecureRandom().nextBytes(data);
    Path local = dir.resolve("upload-" + version + ".bin");
    Files.write(local, data);
    Path remoteDir = Files.createDirectories(dir.resolve("pod-files-" + version));
    Path back = dir.resolve("download-" + version + ".bin");
    k.ok("cp", local.toString(), "web:" + remoteDir.resolve("copied.bin"));
    assertArrayEquals(sha256(data), sha256(Files.readAllBytes(remoteDir.resolve("copied.bin"))));
    k.ok("cp", "web:" + remoteDir.resolve("copied.bin"), back.toString());
    assertArrayEquals(sha256(data), sha256(Files.readAllBytes(back)));
  }

  private static byte[] sha256(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }
}

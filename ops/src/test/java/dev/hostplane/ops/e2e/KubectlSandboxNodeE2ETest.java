package dev.hostplane.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.testing.IdleResetProxy;
import dev.hostplane.konnectivity.agent.Agent;
import dev.hostplane.konnectivity.agent.AgentOptions;
import dev.hostplane.ops.UpCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real kubectl against a whole {@code hostplane up} cluster: kubectl talks TLS to the apiserver, which reaches the
 * sandbox node's kubelet API only through the Konnectivity tunnel (Unix-socket proxy-server, agent). Every kubectl
 * from 1.27 to 1.33 (SPDY and WebSocket paths): logs, exec, attach, cp, port-forward and {@code kubectl proxy} to
 * {@code pods/proxy}; then, once: idle sessions behind idle-resetting middleboxes on both legs, the agent dying
 * mid-session, and no tunnel connection left over. Prints the {@code streaming bench:} figures.
 */
@Tag("slow")
@Timeout(240)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlSandboxNodeE2ETest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NEWEST = "1.33";
  /** Idle limit of the resetting middleboxes: above the 20 s pings of the apiserver, as small as that allows. */
  private static final Duration IDLE_RESET = Duration.ofSeconds(25);

  @TempDir
  static Path dir;

  static UpCommand.Cluster cluster;
  static AgentOptions agentOptions;
  static final List<AutoCloseable> extra = new ArrayList<>();
  static Agent agent;
  static Path kubeconfig;
  static int httpPort;
  static Path webDir;
  static byte[] bigFile;

  @BeforeAll
  static void start() throws Exception {
    long begin = System.nanoTime();
    cluster = UpCommand.start(dir.resolve("up"), 1, 0, 0);
    kubeconfig = cluster.kubeconfig();
    agent = cluster.agent();
    agentOptions = agent.options();
    await("node-1 Ready", Duration.ofSeconds(60), () -> readyTrue(get("node", "node-1")));
    System.out.printf("streaming bench: UpCommand.start to a Ready node: %d ms%n",
        Duration.ofNanos(System.nanoTime() - begin).toMillis());
    try (ServerSocket s = new ServerSocket(0)) {
      httpPort = s.getLocalPort();
    }
    bigFile = new byte[50 * 1024 * 1024];
    new SecureRandom().nextBytes(bigFile);
    webDir = Files.createDirectories(dir.resolve("web"));
    Files.write(webDir.resolve("big.bin"), bigFile);
    createPod("web", false, "cd " + webDir + "; echo hello-from-pod > index.html; exec python3 -m http.server "
        + httpPort + " --bind 0.0.0.0");
    createPod("logger", false, "for i in 0 1 2; do echo log $i; done; while true; do sleep 1; done");
    createPod("ticker", false, "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.3; done");
    createPod("crasher", false, "echo run $(date +%s%N); sleep 1; exit 1");
    createPod("echoer", true, "while read l; do echo got $l; done");
    for (String pod : List.of("web", "logger", "ticker", "echoer")) {
      await(pod + " Running", Duration.ofSeconds(30),
          () -> get("pod", pod).path("status").path("phase").asText().equals("Running"));
    }
    await("web serving", Duration.ofSeconds(30), () -> {
      try (Socket s = new Socket("127.0.0.1", httpPort)) {
        return s.isConnected();
      } catch (IOException e) {
        return false;
      }
    });
  }

  private static boolean readyTrue(JsonNode node) {
    for (JsonNode c : node.path("status").path("conditions")) {
      if (c.path("type").asText().equals("Ready") && c.path("status").asText().equals("True")) {
        return true;
      }
    }
    return false;
  }

  @AfterAll
  static void stop() throws Exception {
    for (int i = extra.size() - 1; i >= 0; i--) {
      extra.get(i).close();
    }
    if (agent != null && cluster != null && agent != cluster.agent()) {
      agent.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  static JsonNode get(String kind, String name) throws IOException {
    Kubectl.Result r = Kubectl.of(NEWEST, kubeconfig, dir.resolve("kubectl-admin")).run("get", kind, name, "-o",
        "json");
    return r.exitCode() == 0 ? r.json() : JSON.createObjectNode();
  }

  static void createPod(String name, boolean stdin, String script) throws Exception {
    ObjectNode pod = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", name);
    ObjectNode c = pod.putObject("spec").put("nodeName", "node-1").putArray("containers").addObject()
        .put("name", "c").put("image", "python:3").put("stdin", stdin);
    c.putArray("command").add("sh").add("-c").add(script);
    Kubectl.of(NEWEST, kubeconfig, dir.resolve("kubectl-admin")).create(JSON.writeValueAsString(pod));
  }

  static void await(String what, Duration timeout, Callable<Boolean> probe) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
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

  static Process background(String version, Path config, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Kubectl.locate(version).toString(), "--kubeconfig=" + config));
    command.addAll(Arrays.asList(args));
    ProcessBuilder b = new ProcessBuilder(command);
    b.environment().remove("KUBECONFIG");
    b.environment().put("HOME", dir.toString());
    return b.start();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
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
    Process follow = background(version, kubeconfig, "logs", "-f", "--tail=1", "ticker");
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8));
      int first = Integer.parseInt(out.readLine().substring("tick ".length()));
      assertEquals("tick " + (first + 1), out.readLine());
      assertEquals("tick " + (first + 2), out.readLine());
    } finally {
      Kubectl.kill(follow);
    }
    await("crasher restarted", Duration.ofSeconds(30), () -> get("pod", "crasher").path("status")
        .path("containerStatuses").path(0).path("restartCount").asInt() >= 1);
    Kubectl.Result previous = kubectl(version).ok("logs", "crasher", "--previous");
    assertTrue(previous.stdout().startsWith("run "), previous.describe());
  }

  @ParameterizedTest(name = "kubectl {0}")
  @ValueSource(strings = {"1.27", "1.29", "1.30", "1.31", "1.33"})
  void attachJoinsARunningContainer(String version) throws Exception {
    Process attach = background(version, kubeconfig, "attach", "-i", "echoer");
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(attach.getInputStream(), StandardCharsets.UTF_8));
      // Until the session is up the input may be lost (as with any attach): repeat it until an answer comes.
      OutputStream in = attach.getOutputStream();
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
      Kubectl.kill(attach);
    }
  }

  /** {@code kubectl port-forward pod/web <free>:<httpPort>}, returned once it prints that it forwards. */
  static PortForward portForward(String version, Path config) throws Exception {
    int local = freePort();
    Process pf = background(version, config, "port-forward", "pod/web", local + ":" + httpPort);
    BufferedReader out = new BufferedReader(new InputStreamReader(pf.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("Forwarding from 127.0.0.1:" + local)) {
      Kubectl.kill(pf);
      throw new AssertionError("kubectl " + version + " port-forward printed " + line + ": "
          + new String(pf.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }
    return new PortForward(pf, local);
  }

  record PortForward(Process process, int port) implements AutoCloseable {
    @Override
    public void close() {
      Kubectl.kill(process);
    }
  }

  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  static String fetch(int port, String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  /**
   * Downloads big.bin from {@code port} over a plain socket (a stall of 30 s fails with the count received so far),
   * checks it, and returns how long it took in nanoseconds.
   */
  static long download(int port) throws Exception {
    long start = System.nanoTime();
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    long received = 0;
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write("GET /big.bin HTTP/1.0\r\nHost: pod\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int c = in.read();
        assertTrue(c >= 0, "connection closed in the response head: " + head);
        head.append((char) c);
      }
      assertTrue(head.toString().startsWith("HTTP/1.0 200"), head.toString());
      byte[] buf = new byte[64 * 1024];
      int n;
      try {
        while ((n = in.read(buf)) >= 0) {
          digest.update(buf, 0, n);
          received += n;
        }
      } catch (java.net.SocketTimeoutException e) {
        throw new AssertionError("download stalled for 30 s after " + received + " of " + bigFile.length + " bytes");
      }
    }
    long took = System.nanoTime() - start;
    assertEquals(bigFile.length, received);
    assertArrayEquals(sha256(bigFile), digest.digest());
    return took;
  }

  @ParameterizedTest(name = "kubectl {0}")
  @ValueSource(strings = {"1.27", "1.29", "1.30", "1.31", "1.33"})
  void portForwardCarriesHttpAndA50MiBDownload(String version) throws Exception {
    try (PortForward pf = portForward(version, kubeconfig)) {
      for (int i = 0; i < 3; i++) {
        assertEquals("hello-from-pod\n", fetch(pf.port(), "/index.html"));
      }
      long nanos = download(pf.port());
      System.out.printf("kubectl %s port-forward: 50 MiB in %d ms%n", version, nanos / 1_000_000);
    }
  }

  @ParameterizedTest(name = "kubectl {0}")
  @ValueSource(strings = {"1.27", "1.29", "1.30", "1.31", "1.33"})
  void kubectlProxyReachesThePodThroughPodsProxy(String version) throws Exception {
    Process proxy = background(version, kubeconfig, "proxy", "--port=0");
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertTrue(line != null && line.startsWith("Starting to serve on 127.0.0.1:"), String.valueOf(line));
      int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim());
      assertEquals("hello-from-pod\n",
          fetch(port, "/api/v1/namespaces/default/pods/web:" + httpPort + "/proxy/index.html"));
    } finally {
      Kubectl.kill(proxy);
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

  /** {@code kubectl exec -i web -- cat}: a line written comes back. */
  record Cat(Process process, OutputStream in, BufferedReader out) implements AutoCloseable {
    static Cat start(String version, Path config) throws IOException {
      Process p = background(version, config, "exec", "-i", "web", "--", "cat");
      return new Cat(p, p.getOutputStream(),
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
    }

    void echo(String line) throws IOException {
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
      assertEquals(line, out.readLine());
    }

    @Override
    public void close() {
      Kubectl.kill(process);
    }
  }

  /** Replaces the current agent by one dialling the proxy-server at {@code port} (keepalive at its 10 s floor). */
  static void replaceAgent(int port) throws Exception {
    agent.close();
    await("old agent gone", Duration.ofSeconds(15), () -> cluster.proxy().connectedAgents() == 0);
    agent = Agent.start(new AgentOptions("127.0.0.1", port, agentOptions.caCert(), agentOptions.agentCert(),
        agentOptions.agentKey(), agentOptions.agentId(), agentOptions.agentIdentifiers(), Duration.ofSeconds(10),
        agentOptions.syncInterval(), agentOptions.syncIntervalCap(), agentOptions.dialTimeout(), null));
    await("new agent connected", Duration.ofSeconds(15), () -> cluster.proxy().connectedAgents() == 1);
  }

  @Test
  @Order(Order.DEFAULT + 1)
  @Timeout(300)
  void idleExecAndPortForwardSurviveIdleResetsOnBothLegs() throws Exception {
    // Middleboxes that reset flows idle for 25 s: one between kubectl and the apiserver, one between the agent and
    // the proxy-server. Sessions then stay idle for 5 x 25 s, kept alive only by the pings.
    IdleResetProxy front = IdleResetProxy.start(new InetSocketAddress("127.0.0.1", cluster.apiserver().port()),
        IDLE_RESET);
    extra.add(front);
    IdleResetProxy back = IdleResetProxy.start(new InetSocketAddress("127.0.0.1", cluster.proxy().agentPort()),
        IDLE_RESET);
    extra.add(back);
    replaceAgent(back.address().getPort());
    Path viaFront = dir.resolve("idle-reset.kubeconfig");
    String config = Files.readString(kubeconfig);
    String direct = "https://127.0.0.1:" + cluster.apiserver().port();
    assertTrue(config.contains(direct), config);
    Files.writeString(viaFront, config.replace(direct, "https://127.0.0.1:" + front.address().getPort()));

    // 1.27 speaks SPDY for both, 1.33 WebSocket (exec) and WebSocket-tunnelled SPDY (port-forward).
    try (Cat spdyExec = Cat.start("1.27", viaFront); Cat wsExec = Cat.start(NEWEST, viaFront);
        PortForward spdyPf = portForward("1.27", viaFront); PortForward wsPf = portForward(NEWEST, viaFront)) {
      spdyExec.echo("before");
      wsExec.echo("before");
      assertEquals("hello-from-pod\n", fetch(spdyPf.port(), "/index.html"));
      assertEquals("hello-from-pod\n", fetch(wsPf.port(), "/index.html"));
      Thread.sleep(IDLE_RESET.multipliedBy(5).toMillis());
      spdyExec.echo("after");
      wsExec.echo("after");
      assertEquals("hello-from-pod\n", fetch(spdyPf.port(), "/index.html"));
      assertEquals("hello-from-pod\n", fetch(wsPf.port(), "/index.html"));
      assertTrue(spdyExec.process().isAlive() && wsExec.process().isAlive());
    }
    System.out.printf("idle-reset middleboxes: kubectl side %d flows accepted, %d reset; agent side %d accepted, "
        + "%d reset%n", front.accepted(), front.resets(), back.accepted(), back.resets());
    // The agent's own link went through the middlebox all along: one flow, never reset.
    assertEquals(1, back.accepted());
    assertEquals(0, back.resets());
  }

  @Test
  @Order(Order.DEFAULT + 2)
  void killingTheAgentEndsTheSessionAndANewAgentServesNewOnes() throws Exception {
    Kubectl k = kubectl(NEWEST);
    try (Cat ws = Cat.start(NEWEST, kubeconfig); Cat spdy = Cat.start("1.27", kubeconfig)) {
      ws.echo("alive");
      spdy.echo("alive");
      agent.close();
      for (Cat cat : List.of(ws, spdy)) {
        assertTrue(cat.process().waitFor(30, TimeUnit.SECONDS), "exec still running after the agent died");
        String err = new String(cat.process().getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println("exec after the agent died: exit " + cat.process().exitValue() + ", stderr: " + err);
        if (cat == ws) {
          // WebSocket clients get the Status on the error channel. A SPDY session is spliced byte for byte, as
          // upstream does: kubectl sees the connection end, with no Status to report.
          assertEquals(1, cat.process().exitValue(), err);
          assertEquals("error: the connection to the kubelet was lost before the command ended\n", err);
        }
      }
      Kubectl.Result without = k.run("exec", "web", "--", "echo", "nobody");
      assertNotEquals(0, without.exitCode(), without.describe());
    } finally {
      replaceAgent(cluster.proxy().agentPort());
    }
    await("exec through the new agent", Duration.ofSeconds(30),
        () -> k.run("exec", "web", "--", "echo", "again").stdout().equals("again\n"));
    try (Cat cat = Cat.start(NEWEST, kubeconfig)) {
      cat.echo("back");
    }
  }

  @Test
  @Order(Order.DEFAULT + 3)
  void figures() throws Exception {
    long direct = Long.MAX_VALUE;
    long tunnelled = Long.MAX_VALUE;
    try (PortForward pf = portForward(NEWEST, kubeconfig)) {
      for (int i = 0; i < 2; i++) {
        direct = Math.min(direct, download(httpPort));
        tunnelled = Math.min(tunnelled, download(pf.port()));
      }
    }
    double mib = bigFile.length / 1048576.0;
    double directRate = mib / (direct / 1e9);
    double tunnelRate = mib / (tunnelled / 1e9);
    System.out.printf("streaming bench: port-forward 50 MiB (kubectl %s): direct loopback %.0f MiB/s, through "
        + "apiserver+tunnel %.0f MiB/s, ratio %.2f%n", NEWEST, directRate, tunnelRate, tunnelRate / directRate);

    for (String version : List.of("1.27", NEWEST)) {
      try (Cat cat = Cat.start(version, kubeconfig)) {
        cat.echo("warm");
        long[] rtt = new long[200];
        for (int i = 0; i < rtt.length; i++) {
          long t = System.nanoTime();
          cat.in().write('x');
          cat.in().flush();
          // readLine's buffer is empty after "warm\n"; read the echoed byte itself.
          int b = cat.out().read();
          rtt[i] = System.nanoTime() - t;
          assertEquals('x', b);
        }
        Arrays.sort(rtt);
        System.out.printf("streaming bench: exec -i cat one-byte round trip (kubectl %s, %d trips): p50 %.2f ms, "
            + "p99 %.2f ms%n", version, rtt.length, rtt[rtt.length / 2] / 1e6, rtt[rtt.length * 99 / 100] / 1e6);
      }
    }
  }

  @Test
  @Order(Order.DEFAULT + 4)
  void noTunnelConnectionIsLeftOpen() throws Exception {
    await("tunnel connections released", Duration.ofSeconds(20),
        () -> cluster.proxy().establishedConnections() == 0 && cluster.proxy().pendingDials() == 0);
    assertEquals(0, agent.openConnections());
  }

  private static byte[] sha256(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }
}

package dev.hostplane.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.konnectivity.Dialer;
import dev.hostplane.konnectivity.DialerMetrics;
import dev.hostplane.konnectivity.DialerOptions;
import dev.hostplane.konnectivity.client.GrpcTunnelDialer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tunnel as operators run it: {@code hostplane konnectivity-server} and {@code hostplane konnectivity-agent} as
 * separate processes, the dialer in this JVM over the server's Unix socket, destinations in this JVM. Checks data
 * integrity both ways, what a killed agent does to open connections, and both processes' health and metrics.
 */
@Tag("slow")
@Timeout(180)
class KonnectivityProcessesTest {
  private static final int MIB = 1024 * 1024;

  @TempDir
  Path dir;

  private final List<Process> processes = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private EventLoopGroup loops;
  private ServerSocket echo;
  private Dialer dialer;
  private int agentPort;
  private int serverAdminPort;
  private int serverHealthPort;

  @BeforeEach
  void start() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate("konnectivity-ca", Duration.ofDays(1));
    ca.write(dir.resolve("ca.crt"), dir.resolve("ca.key"));
    CertifiedKey serving = ca.issueServing("konnectivity-server", List.of("localhost"),
        List.of(InetAddress.getLoopbackAddress()), Duration.ofDays(1));
    serving.write(dir.resolve("server.crt"), dir.resolve("server.key"));
    CertifiedKey client = ca.issueClient("system:konnectivity-agent", List.of(), Duration.ofDays(1));
    client.write(dir.resolve("agent.crt"), dir.resolve("agent.key"));
    agentPort = freePort();
    serverHealthPort = freePort();
    serverAdminPort = freePort();
    processes.add(hostplane("server.log", "konnectivity-server", "--uds-name=" + dir.resolve("k.sock"),
        "--agent-port=" + agentPort, "--bind-address=127.0.0.1", "--cluster-cert=" + dir.resolve("server.crt"),
        "--cluster-key=" + dir.resolve("server.key"), "--cluster-ca-cert=" + dir.resolve("ca.crt"),
        "--health-port=" + serverHealthPort, "--admin-port=" + serverAdminPort));
    await("the proxy-server is healthy", () -> status(serverHealthPort, "/healthz") == 200);
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::acceptEchoes, "echo-accept");
    t.setDaemon(true);
    t.start();
    loops = new NioEventLoopGroup(1);
    dialer = GrpcTunnelDialer.overUnixSocket(dir.resolve("k.sock"), DialerOptions.DEFAULT, new DialerMetrics());
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (dialer != null) {
        dialer.close();
      }
      if (loops != null) {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
      if (echo != null) {
        echo.close();
      }
    } finally {
      for (Process p : processes) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void oneHundredMibEachWayThroughServerAndAgentProcessesArrivesIntact() throws Exception {
    Agent agent = startAgent("a1");
    await("the agent is ready", () -> status(agent.healthPort, "/readyz") == 200);

    // 100 MiB out and the same 100 MiB back (the echo server returns every byte), checksummed on both sides.
    byte[] block = new byte[MIB];
    new Random(7).nextBytes(block);
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    DigestSink sink = new DigestSink(100L * MIB);
    Channel ch = dialer.dial("127.0.0.1", echo.getLocalPort(), loops.next(), sink).get(10, TimeUnit.SECONDS);
    for (int i = 0; i < 100; i++) {
      sent.update(block);
      while (!ch.isWritable()) {
        Thread.sleep(1);
      }
      ch.writeAndFlush(Unpooled.wrappedBuffer(block));
    }
    assertArrayEquals(sent.digest(), sink.done.get(120, TimeUnit.SECONDS), "the bytes that came back differ");
    ch.close().sync();

    String serverMetrics = get(serverAdminPort, "/metrics");
    assertTrue(serverMetrics.contains("konnectivity_network_proxy_server_ready_backends"), serverMetrics);
    await("the server holds no connection", () -> gauge(get(serverAdminPort, "/metrics"),
        "konnectivity_network_proxy_server_established_connections") == 0);
    await("the agent holds no destination connection", () -> gauge(get(agent.adminPort, "/metrics"),
        "konnectivity_network_proxy_agent_open_endpoint_connections") == 0);
    String agentMetrics = get(agent.adminPort, "/metrics");
    assertEquals(1, gauge(agentMetrics, "konnectivity_network_proxy_agent_open_server_connections"), agentMetrics);
    assertEquals(1, gauge(agentMetrics, "konnectivity_network_proxy_agent_dial_duration_seconds_count"),
        agentMetrics);
  }

  @Test
  void aKilledAgentEndsOpenConnectionsAndANewAgentProcessServesNewDials() throws Exception {
    Agent first = startAgent("a1");
    await("the agent is ready", () -> status(first.healthPort, "/readyz") == 200);
    DigestSink sink = new DigestSink(Long.MAX_VALUE);
    Channel ch = dialer.dial("127.0.0.1", echo.getLocalPort(), loops.next(), sink).get(10, TimeUnit.SECONDS);
    byte[] block = new byte[64 * 1024];
    for (int i = 0; i < 16; i++) {
      ch.writeAndFlush(Unpooled.wrappedBuffer(block)).sync();
    }
    await("data flows", () -> sink.received.get() > 0);

    first.process.destroyForcibly(); // SIGKILL: no DRAIN, no goodbye
    sink.closed.get(30, TimeUnit.SECONDS); // the open connection ends instead of hanging
    await("the server forgets the connection", () -> gauge(get(serverAdminPort, "/metrics"),
        "konnectivity_network_proxy_server_established_connections") == 0);

    Agent second = startAgent("a2");
    await("the new agent is ready", () -> status(second.healthPort, "/readyz") == 200);
    DigestSink again = new DigestSink(5);
    Channel ch2 = dialer.dial("127.0.0.1", echo.getLocalPort(), loops.next(), again).get(10, TimeUnit.SECONDS);
    ch2.writeAndFlush(Unpooled.copiedBuffer(new byte[] {1, 2, 3, 4, 5})).sync();
    assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(new byte[] {1, 2, 3, 4, 5}),
        again.done.get(10, TimeUnit.SECONDS));
    ch2.close().sync();
    await("no connection left", () -> gauge(get(serverAdminPort, "/metrics"),
        "konnectivity_network_proxy_server_established_connections") == 0
        && gauge(get(serverAdminPort, "/metrics"), "konnectivity_network_proxy_server_pending_backend_dials") == 0);
  }

  @Test
  void anAgentWithoutAServerIsLiveButNotReady() throws Exception {
    int port = freePort(); // nothing listens there
    Agent lonely = startAgent("lonely", port);
    await("the agent's health endpoint is up", () -> status(lonely.healthPort, "/healthz") == 200);
    assertEquals(503, status(lonely.healthPort, "/readyz"));
    assertEquals(0, gauge(get(lonely.adminPort, "/metrics"),
        "konnectivity_network_proxy_agent_open_server_connections"));
  }

  private record Agent(Process process, int healthPort, int adminPort) {}

  private Agent startAgent(String id) throws Exception {
    return startAgent(id, agentPort);
  }

  private Agent startAgent(String id, int serverPort) throws Exception {
    int health = freePort();
    int admin = freePort();
    Process p = hostplane("agent-" + id + ".log", "konnectivity-agent", "--proxy-server-host=localhost",
        "--proxy-server-port=" + serverPort, "--ca-cert=" + dir.resolve("ca.crt"),
        "--agent-cert=" + dir.resolve("agent.crt"), "--agent-key=" + dir.resolve("agent.key"), "--agent-id=" + id,
        "--sync-interval=200ms", "--sync-interval-cap=1s", "--health-server-host=127.0.0.1",
        "--health-server-port=" + health, "--admin-server-port=" + admin);
    processes.add(p);
    return new Agent(p, health, admin);
  }

  private Process hostplane(String log, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
  }

  /** Digests everything that arrives; completes once {@code expected} bytes are in. */
  private static final class DigestSink extends ChannelInboundHandlerAdapter {
    final MessageDigest sha;
    final long expected;
    final AtomicLong received = new AtomicLong();
    final CompletableFuture<byte[]> done = new CompletableFuture<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    DigestSink(long expected) throws Exception {
      this.sha = MessageDigest.getInstance("SHA-256");
      this.expected = expected;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      byte[] chunk = new byte[b.readableBytes()];
      b.readBytes(chunk);
      b.release();
      sha.update(chunk);
      if (received.addAndGet(chunk.length) >= expected) {
        done.complete(sha.digest());
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closed.complete(null);
      done.completeExceptionally(new AssertionError("closed after " + received.get() + " bytes"));
    }
  }

  private void acceptEchoes() {
    while (!echo.isClosed()) {
      try {
        Socket s = echo.accept();
        Thread t = new Thread(() -> echoOne(s), "echo");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void echoOne(Socket s) {
    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      // The tunnel closed the connection.
    }
  }

  private int status(int port, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private String get(int port, String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), path);
      return r.body();
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " on port " + port + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The value of an unlabelled sample in a Prometheus text body. */
  private static long gauge(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$").matcher(metrics);
    if (!m.find()) {
      throw new AssertionError("no sample " + name + " in:\n" + metrics);
    }
    return (long) Double.parseDouble(m.group(1));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(100);
    }
  }
}

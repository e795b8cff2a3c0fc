package dev.hostplane.konnectivity.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.konnectivity.Dialer;
import dev.hostplane.konnectivity.DialerMetrics;
import dev.hostplane.konnectivity.DialerOptions;
import dev.hostplane.konnectivity.TunnelException;
import dev.hostplane.konnectivity.agent.Agent;
import dev.hostplane.konnectivity.agent.AgentOptions;
import dev.hostplane.konnectivity.client.HttpConnectDialer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --mode=http-connect}: the client-side HTTP-CONNECT dialer through the real server and a real agent. */
@Timeout(120)
class HttpConnectModeTest {
  @TempDir
  static Path pkiDir;
  static TestPki pki;
  static EventLoopGroup loops;

  @TempDir
  Path dir;
  EchoServer echo;
  ProxyServer server;
  Agent agent;
  Dialer dialer;
  final DialerMetrics metrics = new DialerMetrics();

  @BeforeAll
  static void pki() throws Exception {
    pki = TestPki.create(pkiDir);
    loops = new NioEventLoopGroup(2);
  }

  @AfterAll
  static void loops() throws Exception {
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  Path socket() {
    return dir.resolve("konnectivity.sock");
  }

  void start(Duration dialTimeout) throws Exception {
    echo = new EchoServer();
    server = ProxyServer.start(ProxyServerOptions.of(socket(), 0, pki.serverCert(), pki.serverKey(), pki.caCert(),
        0, pki.serverCert(), pki.serverKey(), pki.caCert()).withBackendDialTimeout(dialTimeout)
        .withMode("http-connect"));
  }

  void connectAgent() throws Exception {
    agent = Agent.start(AgentOptions.of("localhost", server.agentPort(), pki.caCert(), pki.clientCert(),
        pki.clientKey()).withIdentity("agent-1", "").withSyncInterval(Duration.ofMillis(100),
        Duration.ofMillis(500)));
    ProxyServerTest.await("agent connected", () -> server.connectedAgents() == 1);
  }

  HttpConnectDialer udsDialer() {
    return HttpConnectDialer.overUnixSocket(socket(), DialerOptions.DEFAULT, metrics);
  }

  HttpConnectDialer tlsDialer() throws Exception {
    return HttpConnectDialer.overTcp("localhost", server.serverPort(), SslContextBuilder.forClient()
        .trustManager(pki.caCert().toFile()).keyManager(pki.clientCert().toFile(), pki.clientKey().toFile())
        .build(), DialerOptions.DEFAULT, metrics);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (server != null) {
        ProxyServerTest.await("no established connection left", () -> server.establishedConnections() == 0);
        ProxyServerTest.await("no pending dial left", () -> server.pendingDials() == 0);
      }
    } finally {
      if (dialer != null) {
        dialer.close();
      }
      if (agent != null) {
        agent.close();
      }
      if (server != null) {
        server.close();
      }
      if (echo != null) {
        echo.close();
      }
    }
  }

  /** Collects what a dialled channel reads (CRC and count) and its close. */
  static final class Collect extends ChannelInboundHandlerAdapter {
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    final AtomicLong count = new AtomicLong();
    private final CRC32 crc = new CRC32();
    private final StringBuilder text = new StringBuilder();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      try {
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        synchronized (this) {
          crc.update(bytes);
          if (text.length() < 4096) {
            text.append(new String(bytes, StandardCharsets.ISO_8859_1));
          }
        }
        count.addAndGet(bytes.length);
      } finally {
        b.release();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closed.complete(null);
    }

    synchronized long crc() {
      return crc.getValue();
    }

    synchronized String text() {
      return text.toString();
    }
  }

  static void awaitTrue(String what, java.util.function.BooleanSupplier c) throws InterruptedException {
    ProxyServerTest.await(what, c);
  }

  void echoes(Dialer d, String text) throws Exception {
    Collect in = new Collect();
    Channel ch = d.dial("127.0.0.1", port(echo), loops.next(), in).get(10, TimeUnit.SECONDS);
    assertEquals(1, server.establishedConnections());
    ch.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    awaitTrue("echo of " + text, () -> in.text().equals(text));
    ch.close().sync();
    awaitTrue("connection released", () -> server.establishedConnections() == 0);
  }

  static int port(EchoServer e) {
    return Integer.parseInt(e.address().substring(e.address().lastIndexOf(':') + 1));
  }

  @Test
  void echoesOverUnixSocketAndMutualTls() throws Exception {
    start(Duration.ofSeconds(5));
    connectAgent();
    try (HttpConnectDialer uds = udsDialer(); HttpConnectDialer tls = tlsDialer()) {
      echoes(uds, "over the unix socket");
      echoes(tls, "over mutual TLS");
    }
    assertEquals(0, server.pendingDials());
  }

  @Test
  void tcpFrontendRequiresAClientCertificate() throws Exception {
    start(Duration.ofSeconds(5));
    connectAgent();
    try (HttpConnectDialer noCert = HttpConnectDialer.overTcp("localhost", server.serverPort(),
        SslContextBuilder.forClient().trustManager(pki.caCert().toFile()).build(), DialerOptions.DEFAULT, metrics)) {
      CompletableFuture<Channel> f = noCert.dial("127.0.0.1", port(echo), loops.next(), new Collect());
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      assertInstanceOf(TunnelException.class, e.getCause());
    }
    assertEquals(0, server.establishedConnections());
  }

  @Test
  void noAgentIsBadGateway() throws Exception {
    start(Duration.ofSeconds(5));
    try (HttpConnectDialer uds = udsDialer()) {
      CompletableFuture<Channel> f = uds.dial("127.0.0.1", port(echo), loops.next(), new Collect());
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      TunnelException t = assertInstanceOf(TunnelException.class, e.getCause());
      assertEquals(TunnelException.Reason.ENDPOINT, t.reason());
      assertEquals("CONNECT 127.0.0.1:" + port(echo) + ": proxy answered 502 Bad Gateway: No agent available",
          t.getMessage());
    }
    assertEquals(1, server.dialFailures("no_agent"));
  }

  @Test
  void agentDialErrorIsBadGatewayWithItsText() throws Exception {
    start(Duration.ofSeconds(5));
    connectAgent();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (HttpConnectDialer uds = udsDialer()) {
      CompletableFuture<Channel> f = uds.dial("127.0.0.1", closedPort, loops.next(), new Collect());
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      TunnelException t = assertInstanceOf(TunnelException.class, e.getCause());
      assertTrue(t.getMessage().startsWith("CONNECT 127.0.0.1:" + closedPort + ": proxy answered 502 Bad Gateway: "),
          t.getMessage());
      assertTrue(t.getMessage().length() > ("CONNECT 127.0.0.1:" + closedPort
          + ": proxy answered 502 Bad Gateway: ").length(), "the agent's error text is in the body");
    }
    assertEquals(1, server.dialFailures("error_response"));
  }

  @Test
  void pendingDialPastTheBackendTimeoutIsGatewayTimeout() throws Exception {
    start(Duration.ofSeconds(1));
    connectAgent();
    // A listener whose backlog is full: the agent's dial hangs until the server's backend dial timeout.
    try (BlackHole hole = new BlackHole(); HttpConnectDialer uds = udsDialer()) {
      String target = hole.address();
      int colon = target.lastIndexOf(':');
      CompletableFuture<Channel> f = uds.dial(target.substring(0, colon),
          Integer.parseInt(target.substring(colon + 1)), loops.next(), new Collect());
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      TunnelException t = assertInstanceOf(TunnelException.class, e.getCause());
      assertEquals("CONNECT " + target + ": proxy answered 504 Gateway Timeout: dial timeout", t.getMessage());
    }
    assertEquals(1, server.dialFailures("backend_dial_timeout"));
  }

  @Test
  void malformedAndNonConnectRequestsAreRefused() throws Exception {
    start(Duration.ofSeconds(5));
    assertTrue(rawExchange("GARBAGE\r\n\r\n").startsWith("HTTP/1.1 400 Bad Request\r\n"));
    assertTrue(rawExchange("CONNECT nohostport HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 400 Bad Request\r\n"));
    String get = rawExchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assertTrue(get.startsWith("HTTP/1.1 405 Method Not Allowed\r\n"), get);
    assertTrue(get.endsWith("this proxy only supports CONNECT passthrough\n"), get);
  }

  /** Writes {@code request} to the Unix socket and reads the answer until the server closes. */
  String rawExchange(String request) throws Exception {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket()));
      ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
      InputStream in = Channels.newInputStream(ch);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void bytesSentWithTheRequestHeadAreForwarded() throws Exception {
    start(Duration.ofSeconds(5));
    connectAgent();
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket()));
      ch.write(ByteBuffer.wrap(("CONNECT " + echo.address() + " HTTP/1.1\r\nHost: " + echo.address()
          + "\r\n\r\nearly bytes").getBytes(StandardCharsets.ISO_8859_1)));
      InputStream in = Channels.newInputStream(ch);
      String expected = "HTTP/1.1 200 Connection Established\r\n\r\nearly bytes";
      byte[] got = in.readNBytes(expected.length());
      assertEquals(expected, new String(got, StandardCharsets.ISO_8859_1));
    }
  }

  @Test
  void remoteCloseClosesTheClientsChannel() throws Exception {
    start(Duration.ofSeconds(5));
    connectAgent();
    try (ServerSocket greeter = new ServerSocket(0); HttpConnectDialer uds = udsDialer()) {
      Thread t = new Thread(() -> {
        try (Socket s = greeter.accept(); OutputStream out = s.getOutputStream()) {
          out.write("hello and goodbye".getBytes(StandardCharsets.UTF_8));
        } catch (Exception ignored) {
          // The test fails on what the client sees.
        }
      });
      t.start();
      Collect in = new Collect();
      uds.dial("127.0.0.1", greeter.getLocalPort(), loops.next(), in).get(10, TimeUnit.SECONDS);
      in.closed.get(10, TimeUnit.SECONDS);
      assertEquals("hello and goodbye", in.text());
      t.join();
    }
    awaitTrue("connection released", () -> server.establishedConnections() == 0);
  }

  @Test
  void clientCloseClosesTheAgentsConnection() throws Exception {
    start(Duration.ofSeconds(5));
    connectAgent();
    try (HttpConnectDialer uds = udsDialer()) {
      Channel ch = uds.dial("127.0.0.1", port(echo), loops.next(), new Collect()).get(10, TimeUnit.SECONDS);
      awaitTrue("echo server sees the connection", () -> echo.open.get() == 1);
      ch.close().sync();
      awaitTrue("echo server's connection closed", () -> echo.open.get() == 0);
    }
  }

  @Test
  void twentyMebibytesEchoWithMatchingChecksums() throws Exception {
    start(Duration.ofSeconds(5));
    connectAgent();
    int total = 20 << 20;
    byte[] data = new byte[total];
    new Random(7).nextBytes(data);
    CRC32 sent = new CRC32();
    sent.update(data);
    try (HttpConnectDialer tls = tlsDialer()) {
      Collect in = new Collect();
      Channel ch = tls.dial("127.0.0.1", port(echo), loops.next(), in).get(10, TimeUnit.SECONDS);
      for (int off = 0; off < total; off += 64 * 1024) {
        ch.writeAndFlush(Unpooled.wrappedBuffer(data, off, 64 * 1024));
        while (!ch.isWritable() && ch.isActive()) {
          Thread.sleep(1);
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (in.count.get() < total && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(total, in.count.get());
      assertEquals(sent.getValue(), in.crc());
      ch.close().sync();
    }
    awaitTrue("connection released", () -> server.establishedConnections() == 0);
    assertEquals(0, server.pendingDials());
  }
}

package dev.hostplane.konnectivity.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.konnectivity.Dialer;
import dev.hostplane.konnectivity.DialerMetrics;
import dev.hostplane.konnectivity.DialerOptions;
import dev.hostplane.konnectivity.TunnelException;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.ConnectException;
import java.net.InetAddress;
import java.nio.file.Files;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HTTP CONNECT through a tiny in-test CONNECT proxy (TCP and Unix domain socket), and direct dials. */
@Timeout(60)
class HttpConnectAndDirectDialerTest {
  private static EventLoopGroup loops;
  private static TcpPeer echo;

  @TempDir
  Path dir;
  private final DialerMetrics metrics = new DialerMetrics();

  @BeforeAll
  static void start() throws Exception {
    loops = new NioEventLoopGroup(2);
    echo = TcpPeer.echo();
  }

  @AfterAll
  static void stop() throws Exception {
    echo.close();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private static void assertEchoes(Dialer dialer, String text) throws Exception {
    Received in = new Received();
    Channel ch = dialer.dial("127.0.0.1", echo.port(), loops.next(), in).get(10, TimeUnit.SECONDS);
    ch.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!in.text().equals(text) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(text, in.text());
    ch.close().sync();
  }

  private static ServerSocketChannel tcpConnectProxy() throws Exception {
    ServerSocketChannel s = ServerSocketChannel.open();
    s.bind(new InetSocketAddress("127.0.0.1", 0));
    TcpPeer.connectProxy(s);
    return s;
  }

  @Test
  void connectsThroughAnHttpConnectProxyOverTcp() throws Exception {
    try (ServerSocketChannel proxy = tcpConnectProxy();
        HttpConnectDialer dialer = HttpConnectDialer.overTcp("127.0.0.1",
            ((InetSocketAddress) proxy.getLocalAddress()).getPort(), null, DialerOptions.DEFAULT, metrics)) {
      assertEchoes(dialer, "via CONNECT");
    }
  }

  @Test
  void connectsThroughAnHttpConnectProxyOverMutualTls() throws Exception {
    TestCerts certs = TestCerts.create(dir, "localhost");
    // The proxy requires a client certificate from our CA.
    SSLContext serverTls = ((JdkSslContext) SslContextBuilder.forServer(certs.serverCert(), certs.serverKey())
        .trustManager(certs.ca()).sslProvider(SslProvider.JDK).build()).context();
    SSLServerSocket server = (SSLServerSocket) serverTls.getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    server.setNeedClientAuth(true);
    try (SSLServerSocket proxy = server) {
      TcpPeer.connectProxy(proxy);
      Path file = Files.writeString(dir.resolve("egress.json"), """
          {"apiVersion": "apiserver.k8s.io/v1", "kind": "EgressSelectorConfiguration",
           "egressSelections": [{"name": "controlplane", "connection": {"proxyProtocol": "HTTPConnect",
             "transport": {"tcp": {"url": "https://localhost:%d",
               "tlsConfig": {"caBundle": "%s", "clientKey": "%s", "clientCert": "%s"}}}}}]}
          """.formatted(proxy.getLocalPort(), certs.ca(), certs.clientKey(), certs.clientCert()));
      try (EgressSelector selector = EgressSelector.load(file, DialerOptions.DEFAULT)) {
        assertEchoes(selector.dialer("controlplane"), "via CONNECT over mTLS");
      }
      // The proxy's certificate names localhost, not 127.0.0.1: refused.
      try (HttpConnectDialer wrongName = HttpConnectDialer.overTcp("127.0.0.1", proxy.getLocalPort(),
          SslContextBuilder.forClient().trustManager(certs.ca()).keyManager(certs.clientCert(), certs.clientKey())
              .build(), DialerOptions.DEFAULT, metrics)) {
        CompletableFuture<Channel> f = wrongName.dial("127.0.0.1", echo.port(), loops.next(), new Received());
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        TunnelException t = assertInstanceOf(TunnelException.class, e.getCause());
        assertTrue(t.getMessage().startsWith("CONNECT 127.0.0.1:" + echo.port()
            + ": TLS handshake with the proxy failed: No subject alternative names"), t.getMessage());
      }
    }
  }

  @Test
  void connectsThroughAnHttpConnectProxyOverAUnixSocket() throws Exception {
    Path socket = dir.resolve("connect.socket");
    try (ServerSocketChannel proxy = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      proxy.bind(UnixDomainSocketAddress.of(socket));
      TcpPeer.connectProxy(proxy);
      try (HttpConnectDialer dialer = HttpConnectDialer.overUnixSocket(socket, DialerOptions.DEFAULT, metrics)) {
        assertEchoes(dialer, "via CONNECT over UDS");
      }
    }
  }

  @Test
  void bytesRightAfterTheConnectResponseReachTheCallersHandler() throws Exception {
    try (ServerSocketChannel proxy = tcpConnectProxy();
        TcpPeer greeter = TcpPeer.greetAndClose("SSH-2.0-banner");
        HttpConnectDialer dialer = HttpConnectDialer.overTcp("127.0.0.1",
            ((InetSocketAddress) proxy.getLocalAddress()).getPort(), null, DialerOptions.DEFAULT, metrics)) {
      Received in = new Received();
      dialer.dial("127.0.0.1", greeter.port(), loops.next(), in).get(10, TimeUnit.SECONDS);
      in.closed.get(10, TimeUnit.SECONDS);
      assertEquals("SSH-2.0-banner", in.text());
    }
  }

  @Test
  void aRefusedConnectFailsWithTheProxysStatus() throws Exception {
    try (ServerSocketChannel proxy = tcpConnectProxy();
        HttpConnectDialer dialer = HttpConnectDialer.overTcp("127.0.0.1",
            ((InetSocketAddress) proxy.getLocalAddress()).getPort(), null, DialerOptions.DEFAULT, metrics)) {
      int closedPort;
      try (TcpPeer gone = TcpPeer.echo()) {
        closedPort = gone.port();
      }
      CompletableFuture<Channel> f = dialer.dial("127.0.0.1", closedPort, loops.next(), new Received());
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      TunnelException t = assertInstanceOf(TunnelException.class, e.getCause());
      assertEquals("CONNECT 127.0.0.1:" + closedPort + ": proxy answered 502 Bad Gateway", t.getMessage());
      assertEquals(1L, metrics.dialFailures().get("endpoint"));
      CompletableFuture<Channel> noAgent = dialer.dial("no-agent", 10250, loops.next(), new Received());
      e = assertThrows(ExecutionException.class, () -> noAgent.get(10, TimeUnit.SECONDS));
      assertEquals("CONNECT no-agent:10250: proxy answered 503 Service Unavailable: No agent available",
          e.getCause().getMessage());
    }
  }

  @Test
  void anUnreachableConnectProxyFailsClearly() throws Exception {
    try (HttpConnectDialer dialer = HttpConnectDialer.overUnixSocket(dir.resolve("absent.socket"),
        DialerOptions.DEFAULT, metrics)) {
      CompletableFuture<Channel> f = dialer.dial("127.0.0.1", echo.port(), loops.next(), new Received());
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      TunnelException t = assertInstanceOf(TunnelException.class, e.getCause());
      assertEquals(TunnelException.Reason.PROXY_UNREACHABLE, t.reason());
      assertTrue(t.getMessage().startsWith("failed to reach the proxy at"), t.getMessage());
    }
  }

  @Test
  void directDialsAPlainTcpConnectionOnTheCallersLoop() throws Exception {
    try (DirectDialer dialer = new DirectDialer(DialerOptions.DEFAULT)) {
      assertEchoes(dialer, "direct");
      var loop = loops.next();
      Channel ch = dialer.dial("127.0.0.1", echo.port(), loop, new Received()).get(10, TimeUnit.SECONDS);
      assertInstanceOf(NioSocketChannel.class, ch);
      assertEquals(loop, ch.eventLoop());
      ch.close().sync();
    }
  }

  @Test
  void aDirectDialToAClosedPortFailsWithTheConnectError() throws Exception {
    int closedPort;
    try (TcpPeer gone = TcpPeer.echo()) {
      closedPort = gone.port();
    }
    try (DirectDialer dialer = new DirectDialer(DialerOptions.DEFAULT)) {
      CompletableFuture<Channel> f = dialer.dial("127.0.0.1", closedPort, loops.next(), new Received());
      ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      assertInstanceOf(ConnectException.class, e.getCause());
    }
  }
}

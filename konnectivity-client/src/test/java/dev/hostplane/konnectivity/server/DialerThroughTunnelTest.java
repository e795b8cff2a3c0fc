package dev.hostplane.konnectivity.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.konnectivity.Dialer;
import dev.hostplane.konnectivity.DialerMetrics;
import dev.hostplane.konnectivity.DialerOptions;
import dev.hostplane.konnectivity.TunnelException;
import dev.hostplane.konnectivity.agent.Agent;
import dev.hostplane.konnectivity.agent.AgentOptions;
import dev.hostplane.konnectivity.client.GrpcTunnelDialer;
import io.grpc.netty.GrpcSslContexts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole tunnel as the apiserver will use it: the real {@code Dialer} (gRPC over a Unix socket and over mutual
 * TLS) through the real proxy-server and a real agent to a local echo server.
 */
@Timeout(120)
class DialerThroughTunnelTest {
  @TempDir
  Path dir;
  TestPki pki;
  EchoServer echo;
  ProxyServer server;
  Agent agent;
  final EventLoopGroup loops = new NioEventLoopGroup(2);
  final List<Dialer> dialers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create(dir);
    echo = new EchoServer();
    server = ProxyServer.start(ProxyServerOptions.of(dir.resolve("k.sock"), 0, pki.serverCert(), pki.serverKey(),
        pki.caCert(), 0, pki.serverCert(), pki.serverKey(), pki.caCert()).withHttpPorts(0, 0));
  }

  @AfterEach
  void stop() throws Exception {
    dialers.forEach(Dialer::close);
    try {
      ProxyServerTest.await("no established connection left", () -> server.establishedConnections() == 0);
      ProxyServerTest.await("no pending dial left", () -> server.pendingDials() == 0);
    } finally {
      if (agent != null) {
        agent.close();
      }
      server.close();
      echo.close();
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  private Agent startAgent() throws Exception {
    Agent a = Agent.start(AgentOptions.of("localhost", server.agentPort(), pki.caCert(), pki.clientCert(),
        pki.clientKey()).withSyncInterval(Duration.ofMillis(100), Duration.ofMillis(500)));
    ProxyServerTest.await("agent connected", () -> server.connectedAgents() == 1 && !a.serverIds().isEmpty());
    return a;
  }

  private Dialer uds() {
    Dialer d = GrpcTunnelDialer.overUnixSocket(dir.resolve("k.sock"), DialerOptions.DEFAULT, new DialerMetrics());
    dialers.add(d);
    return d;
  }

  private Dialer mtls() throws Exception {
    Dialer d = GrpcTunnelDialer.overTls("localhost", server.serverPort(), GrpcSslContexts.forClient()
        .trustManager(pki.caCert().toFile()).keyManager(pki.clientCert().toFile(), pki.clientKey().toFile())
        .build(), DialerOptions.DEFAULT, new DialerMetrics());
    dialers.add(d);
    return d;
  }

  /** Collects what arrives on a dialled channel. */
  static final class Sink extends ChannelInboundHandlerAdapter {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    volatile int expected = Integer.MAX_VALUE;
    final CompletableFuture<byte[]> full = new CompletableFuture<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      synchronized (bytes) {
        byte[] chunk = new byte[b.readableBytes()];
        b.readBytes(chunk);
        bytes.write(chunk, 0, chunk.length);
        if (bytes.size() >= expected) {
          full.complete(bytes.toByteArray());
        }
      }
      b.release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closed.complete(null);
    }
  }

  private byte[] echoThrough(Dialer d, byte[] payload) throws Exception {
    Sink sink = new Sink();
    sink.expected = payload.length;
    Channel ch = d.dial("127.0.0.1", echoPort(), loops.next(), sink).get(10, TimeUnit.SECONDS);
    for (int off = 0; off < payload.length; off += 64 * 1024) {
      int n = Math.min(64 * 1024, payload.length - off);
      ch.writeAndFlush(Unpooled.wrappedBuffer(payload, off, n)).sync();
    }
    byte[] back = sink.full.get(60, TimeUnit.SECONDS);
    ch.close().sync();
    return back;
  }

  private int echoPort() {
    String a = echo.address();
    return Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
  }

  @Test
  void eightMibEchoThroughUdsAndMtlsWithMatchingChecksums() throws Exception {
    agent = startAgent();
    byte[] payload = new byte[8 * 1024 * 1024];
    new Random(6).nextBytes(payload);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] want = sha.digest(payload);
    assertArrayEquals(want, sha.digest(echoThrough(uds(), payload)));
    assertArrayEquals(want, sha.digest(echoThrough(mtls(), payload)));
  }

  @Test
  void twoHundredConcurrentDialsAllEchoAndClose() throws Exception {
    agent = startAgent();
    Dialer d = uds();
    List<CompletableFuture<Channel>> dials = new ArrayList<>();
    List<Sink> sinks = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Sink s = new Sink();
      s.expected = ("hello " + i).length();
      sinks.add(s);
      dials.add(d.dial("127.0.0.1", echoPort(), loops.next(), s));
    }
    for (int i = 0; i < 200; i++) {
      dials.get(i).get(20, TimeUnit.SECONDS)
          .writeAndFlush(Unpooled.copiedBuffer("hello " + i, StandardCharsets.UTF_8));
    }
    for (int i = 0; i < 200; i++) {
      assertEquals("hello " + i, new String(sinks.get(i).full.get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8));
      dials.get(i).get().close().sync();
    }
    ProxyServerTest.await("echo connections closed", () -> echo.open.get() == 0);
  }

  @Test
  void withoutAnAgentTheDialFailsWithUpstreamsMessage() throws Exception {
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> uds().dial("127.0.0.1", echoPort(), loops.next(), new Sink()).get(10, TimeUnit.SECONDS));
    TunnelException t = assertInstanceOf(TunnelException.class, e.getCause());
    assertTrue(t.getMessage().contains("No agent available"), t.getMessage());
  }

  @Test
  void anAgentKilledMidSessionClosesTheChannelAndANewAgentServesNewDials() throws Exception {
    agent = startAgent();
    Dialer d = uds();
    Sink sink = new Sink();
    Channel ch = d.dial("127.0.0.1", echoPort(), loops.next(), sink).get(10, TimeUnit.SECONDS);
    ch.writeAndFlush(Unpooled.copiedBuffer("before", StandardCharsets.UTF_8)).sync();
    agent.close();
    agent = null;
    sink.closed.get(20, TimeUnit.SECONDS); // the tunnelled connection ends instead of hanging
    agent = startAgent();
    byte[] back = echoThrough(d, "after".getBytes(StandardCharsets.UTF_8));
    assertEquals("after", new String(back, StandardCharsets.UTF_8));
  }
}

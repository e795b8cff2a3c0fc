package dev.hostplane.konnectivity.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.konnectivity.DialerMetrics;
import dev.hostplane.konnectivity.DialerOptions;
import dev.hostplane.konnectivity.TunnelException;
import dev.hostplane.konnectivity.wire.Packet;
import dev.hostplane.konnectivity.wire.PacketType;
import io.grpc.netty.GrpcSslContexts;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC tunnel dialer against a test peer that plays proxy-server and agent on the wire. */
@Timeout(60)
class GrpcTunnelDialerTest {
  private static EventLoopGroup loops;
  private static TcpPeer echo;

  @TempDir
  Path dir;
  private FakeProxy proxy;
  private GrpcTunnelDialer dialer;
  private final DialerMetrics metrics = new DialerMetrics();

  @BeforeAll
  static void startLoops() throws Exception {
    loops = new NioEventLoopGroup(2);
    echo = TcpPeer.echo();
  }

  @AfterAll
  static void stopLoops() throws Exception {
    echo.close();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @BeforeEach
  void startProxy() throws Exception {
    Path socket = dir.resolve("konnectivity-server.socket");
    proxy = FakeProxy.overUnixSocket(socket);
    dialer = GrpcTunnelDialer.overUnixSocket(socket, DialerOptions.DEFAULT.withDialTimeout(Duration.ofMillis(500)),
        metrics);
  }

  @AfterEach
  void stopProxy() throws Exception {
    dialer.close();
    proxy.close();
  }

  private static Channel await(CompletableFuture<Channel> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  private static TunnelException dialFailure(CompletableFuture<Channel> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return assertInstanceOf(TunnelException.class, e.getCause());
  }

  private static void waitFor(String what, java.util.function.BooleanSupplier cond) throws InterruptedException {
    waitFor(what, cond, () -> "");
  }

  private static void waitFor(String what, java.util.function.BooleanSupplier cond,
      java.util.function.Supplier<String> state) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + " " + state.get());
      }
      Thread.sleep(10);
    }
  }

  @Test
  void echoesThroughTheTunnelOverAUnixSocket() throws Exception {
    Received in = new Received();
    Channel ch = await(dialer.dial("127.0.0.1", echo.port(), loops.next(), in));
    ch.writeAndFlush(Unpooled.copiedBuffer("hello tunnel", StandardCharsets.UTF_8));
    waitFor("echo", () -> in.text().equals("hello tunnel"));
    Packet.DialRequest req = (Packet.DialRequest) proxy.received(PacketType.DIAL_REQ).get(0).payload();
    assertEquals("tcp", req.protocol());
    assertEquals("127.0.0.1:" + echo.port(), req.address());
    assertEquals(1, metrics.connections(DialerMetrics.OK));
    ch.close().sync();
  }

  @Test
  void manyConcurrentDialsShareTheConnectionAndAllCloseCleanly() throws Exception {
    int n = 40;
    java.util.List<CompletableFuture<Channel>> dials = new java.util.ArrayList<>();
    java.util.List<Received> ins = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      Received in = new Received();
      ins.add(in);
      dials.add(dialer.dial("127.0.0.1", echo.port(), loops.next(), in));
    }
    for (int i = 0; i < n; i++) {
      await(dials.get(i)).writeAndFlush(Unpooled.copiedBuffer("conn-" + i, StandardCharsets.UTF_8));
    }
    for (int i = 0; i < n; i++) {
      String want = "conn-" + i;
      Received in = ins.get(i);
      waitFor(want, () -> in.text().equals(want));
    }
    assertEquals(n, proxy.received(PacketType.DIAL_REQ).stream()
        .map(p -> ((Packet.DialRequest) p.payload()).random()).distinct().count());
    for (CompletableFuture<Channel> d : dials) {
      d.get().close().sync();
    }
    waitFor("every connection closed", () -> proxy.received(PacketType.CLOSE_REQ).size() == n
        && metrics.connections(DialerMetrics.OK) == 0 && metrics.connections(DialerMetrics.CLOSING) == 0);
  }

  @Test
  void echoesThroughTheTunnelOverTcpWithMutualTls() throws Exception {
    TestCerts certs = TestCerts.create(dir);
    try (FakeProxy tlsProxy = FakeProxy.overMutualTls(certs.serverCert(), certs.serverKey(), certs.ca());
        GrpcTunnelDialer tlsDialer = GrpcTunnelDialer.overTls("localhost", tlsProxy.port(),
            GrpcSslContexts.forClient().trustManager(certs.ca()).keyManager(certs.clientCert(), certs.clientKey())
                .build(), DialerOptions.DEFAULT, metrics)) {
      Received in = new Received();
      Channel ch = await(tlsDialer.dial("127.0.0.1", echo.port(), loops.next(), in));
      ch.writeAndFlush(Unpooled.copiedBuffer("over mTLS", StandardCharsets.UTF_8));
      waitFor("echo", () -> in.text().equals("over mTLS"));
      ch.close().sync();
    }
  }

  @Test
  void anEgressSelectorFileDialsTheClusterThroughGrpcOverMutualTls() throws Exception {
    TestCerts certs = TestCerts.create(dir);
    try (FakeProxy tlsProxy = FakeProxy.overMutualTls(certs.serverCert(), certs.serverKey(), certs.ca())) {
      Path file = Files.writeString(dir.resolve("egress.yaml"), """
          apiVersion: apiserver.k8s.io/v1beta1
          kind: EgressSelectorConfiguration
          egressSelections:
          - name: cluster
            connection:
              proxyProtocol: GRPC
              transport:
                tcp:
                  url: https://localhost:%d
                  tlsConfig: {caBundle: %s, clientKey: %s, clientCert: %s}
          """.formatted(tlsProxy.port(), certs.ca(), certs.clientKey(), certs.clientCert()));
      try (EgressSelector selector = EgressSelector.load(file, DialerOptions.DEFAULT)) {
        Received in = new Received();
        Channel ch = await(selector.dialer("cluster").dial("127.0.0.1", echo.port(), loops.next(), in));
        ch.writeAndFlush(Unpooled.copiedBuffer("kubelet via egress", StandardCharsets.UTF_8));
        waitFor("echo", () -> in.text().equals("kubelet via egress"));
        assertEquals(1, selector.metrics().connections(DialerMetrics.OK));
        ch.close().sync();
      }
    }
  }

  @Test
  void pingsTheProxyWhileIdleWithoutCalls() throws Exception {
    TestCerts certs = TestCerts.create(dir);
    try (FakeProxy tlsProxy = FakeProxy.overMutualTls(certs.serverCert(), certs.serverKey(), certs.ca());
        TcpPeer forwarder = TcpPeer.forwarder(tlsProxy.port());
        GrpcTunnelDialer tlsDialer = GrpcTunnelDialer.overTls("localhost", forwarder.port(),
            GrpcSslContexts.forClient().trustManager(certs.ca()).keyManager(certs.clientCert(), certs.clientKey())
                .build(), DialerOptions.DEFAULT.withKeepAlive(Duration.ofSeconds(10), Duration.ofSeconds(5)),
            metrics)) {
      Channel ch = await(tlsDialer.dial("127.0.0.1", echo.port(), loops.next(), new Received()));
      ch.close().sync();
      waitFor("stream closed", () -> metrics.connections(DialerMetrics.CLOSING) == 0);
      Thread.sleep(500);
      long before = forwarder.bytesWritten.get();
      Thread.sleep(11_000); // grpc-java's shortest keepalive interval is 10 s
      assertTrue(forwarder.bytesWritten.get() > before, "no ping in 11 s without calls");
      // The connection is still usable.
      Received in = new Received();
      Channel again = await(tlsDialer.dial("127.0.0.1", echo.port(), loops.next(), in));
      again.writeAndFlush(Unpooled.copiedBuffer("still here", StandardCharsets.UTF_8));
      waitFor("echo", () -> in.text().equals("still here"));
      again.close().sync();
    }
  }

  @Test
  void runsAnHttpClientPipelineOverTheDialledChannel() throws Exception {
    try (TcpPeer http = TcpPeer.http()) {
      CompletableFuture<FullHttpResponse> response = new CompletableFuture<>();
      Channel ch = await(dialer.dial("127.0.0.1", http.port(), loops.next(), new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel c) {
          c.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
              new SimpleChannelInboundHandler<FullHttpResponse>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
                  response.complete(msg.retainedDuplicate());
                }
              });
        }
      }));
      var req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/healthz?verbose");
      req.headers().set(HttpHeaderNames.HOST, "kubelet");
      ch.writeAndFlush(req);
      FullHttpResponse rsp = response.get(10, TimeUnit.SECONDS);
      assertEquals(200, rsp.status().code());
      assertEquals("hello /healthz?verbose", rsp.content().toString(StandardCharsets.UTF_8));
      rsp.release();
    }
  }

  @Test
  void transfers20MiBBothWaysIntact() throws Exception {
    int total = 20 << 20;
    byte[] data = new byte[total];
    new Random(7).nextBytes(data);
    CRC32 sent = new CRC32();
    sent.update(data);
    Received in = new Received();
    Channel ch = await(dialer.dial("127.0.0.1", echo.port(), loops.next(), in));
    // Write in chunks, honouring writability as a well-behaved client does.
    int chunk = 256 * 1024;
    for (int off = 0; off < total; off += chunk) {
      while (!ch.isWritable()) {
        Thread.sleep(1);
      }
      ch.writeAndFlush(Unpooled.wrappedBuffer(data, off, Math.min(chunk, total - off)));
    }
    waitFor("20 MiB back", () -> in.count.get() >= total, () -> "got " + in.count.get() + ", proxy sent " + proxy.bytesSentToClient.get() + ", proxy received " + proxy.received(PacketType.DATA).stream().mapToLong(p -> ((Packet.Data) p.payload()).data().length).sum());
    assertEquals(total, in.count.get());
    assertEquals(sent.getValue(), in.crc());
    long up = proxy.received(PacketType.DATA).stream()
        .mapToLong(p -> ((Packet.Data) p.payload()).data().length).sum();
    assertEquals(total, up);
    ch.close().sync();
  }

  @Test
  void noAgentAvailableFailsTheDialWithUpstreamsMessage() {
    proxy.mode = FakeProxy.Mode.NO_AGENT;
    TunnelException e = dialFailure(dialer.dial("10.0.0.1", 10250, loops.next(), new Received()));
    assertEquals("No agent available", e.getMessage());
    assertEquals(TunnelException.Reason.ENDPOINT, e.reason());
    assertEquals(1L, metrics.dialFailures().get("endpoint"));
    assertEquals(0, metrics.connections(DialerMetrics.DIALING));
  }

  @Test
  void unansweredDialTimesOutAndSendsDialClose() throws Exception {
    proxy.mode = FakeProxy.Mode.SILENT;
    long start = System.nanoTime();
    TunnelException e = dialFailure(dialer.dial("10.0.0.1", 10250, loops.next(), new Received()));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals("dial timeout, backstop", e.getMessage());
    assertEquals(TunnelException.Reason.TIMEOUT, e.reason());
    assertTrue(tookMillis >= 450, "failed after " + tookMillis + " ms, before the 500 ms timeout");
    long random = ((Packet.DialRequest) proxy.received(PacketType.DIAL_REQ).get(0).payload()).random();
    waitFor("DIAL_CLS", () -> !proxy.received(PacketType.DIAL_CLS).isEmpty());
    assertEquals(random, ((Packet.CloseDial) proxy.received(PacketType.DIAL_CLS).get(0).payload()).random());
    assertEquals(1L, metrics.dialFailures().get("timeout"));
  }

  @Test
  void aDialClosedByTheProxyFails() {
    proxy.mode = FakeProxy.Mode.DIAL_CLOSE;
    TunnelException e = dialFailure(dialer.dial("10.0.0.1", 10250, loops.next(), new Received()));
    assertEquals("dial closed", e.getMessage());
    assertEquals(TunnelException.Reason.DIAL_CLOSED, e.reason());
  }

  @Test
  void cancellingTheDialSendsDialClose() throws Exception {
    proxy.mode = FakeProxy.Mode.SILENT;
    CompletableFuture<Channel> f = dialer.dial("10.0.0.1", 10250, loops.next(), new Received());
    waitFor("DIAL_REQ", () -> !proxy.received(PacketType.DIAL_REQ).isEmpty());
    f.cancel(false);
    waitFor("DIAL_CLS", () -> !proxy.received(PacketType.DIAL_CLS).isEmpty());
    waitFor("counted", () -> Long.valueOf(1).equals(metrics.dialFailures().get("context")));
  }

  @Test
  void remoteCloseClosesTheLocalChannelAfterItsBytes() throws Exception {
    try (TcpPeer greeter = TcpPeer.greetAndClose("bye")) {
      Received in = new Received();
      Channel ch = await(dialer.dial("127.0.0.1", greeter.port(), loops.next(), in));
      in.closed.get(10, TimeUnit.SECONDS);
      assertEquals("bye", in.text());
      assertTrue(!ch.isActive());
      waitFor("no open connection", () -> metrics.connections(DialerMetrics.OK) == 0);
    }
  }

  @Test
  void aRemoteCloseWaitsUntilASlowReaderHasReadEverything() throws Exception {
    String greeting = "x".repeat(200_000); // within the receive window: all of it waits in the local channel
    try (TcpPeer greeter = TcpPeer.greetAndClose(greeting)) {
      Received in = new Received();
      Channel ch = await(dialer.dial("127.0.0.1", greeter.port(), loops.next(), new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel c) {
          c.config().setAutoRead(false);
          c.pipeline().addLast(in);
        }
      }));
      Thread.sleep(500);
      assertTrue(ch.isActive(), "closed before the reader read");
      ch.config().setAutoRead(true);
      in.closed.get(10, TimeUnit.SECONDS);
      assertEquals(greeting.length(), in.count.get());
    }
  }

  @Test
  void localCloseSendsCloseRequestForTheConnection() throws Exception {
    Channel ch = await(dialer.dial("127.0.0.1", echo.port(), loops.next(), new Received()));
    ch.close().sync();
    waitFor("CLOSE_REQ", () -> !proxy.received(PacketType.CLOSE_REQ).isEmpty());
    long closed = ((Packet.CloseRequest) proxy.received(PacketType.CLOSE_REQ).get(0).payload()).connectId();
    assertEquals(proxy.lastConnectId(), closed, "CLOSE_REQ for the dialled connection");
    waitFor("closed after CLOSE_RSP", () -> metrics.connections(DialerMetrics.OK) == 0
        && metrics.connections(DialerMetrics.CLOSING) == 0);
  }

  @Test
  void dataForAnUnknownConnectionIsAnsweredWithCloseRequest() throws Exception {
    proxy.mode = FakeProxy.Mode.STRAY_DATA;
    Received in = new Received();
    Channel ch = await(dialer.dial("127.0.0.1", echo.port(), loops.next(), in));
    waitFor("CLOSE_REQ", () -> !proxy.received(PacketType.CLOSE_REQ).isEmpty());
    long dialled = ((Packet.CloseRequest) proxy.received(PacketType.CLOSE_REQ).get(0).payload()).connectId();
    assertTrue(dialled > 1000, "CLOSE_REQ for the stray id, got " + dialled);
    assertEquals(0, in.count.get());
    assertTrue(ch.isActive(), "the dialled connection stays open");
    ch.close().sync();
  }

  @Test
  void aSlowLocalReaderStopsTheSenderInsteadOfBuffering() throws Exception {
    long total = 20 << 20;
    try (TcpPeer source = TcpPeer.source(total)) {
      Received in = new Received();
      Channel ch = await(dialer.dial("127.0.0.1", source.port(), loops.next(), new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel c) {
          c.config().setAutoRead(false); // the reader is stalled
          c.pipeline().addLast(in);
        }
      }));
      Thread.sleep(1500);
      long buffered = proxy.bytesSentToClient.get();
      // receive window (256 KiB) + gRPC flow-control windows and socket buffers: far below the 20 MiB offered
      assertTrue(buffered < 4 << 20, "sent to a stalled reader: " + buffered);
      assertTrue(source.bytesWritten.get() < 12 << 20, "source wrote " + source.bytesWritten.get());
      ch.config().setAutoRead(true);
      waitFor("all bytes", () -> in.count.get() == total);
      Random r = new Random(1);
      CRC32 expected = new CRC32();
      byte[] buf = new byte[64 * 1024];
      for (long left = total; left > 0; left -= buf.length) {
        r.nextBytes(buf);
        expected.update(buf, 0, (int) Math.min(buf.length, left));
      }
      assertEquals(expected.getValue(), in.crc());
    }
  }

  @Test
  void aStalledRemoteMakesTheLocalChannelUnwritable() throws Exception {
    try (TcpPeer stalled = TcpPeer.stalled()) {
      Channel ch = await(dialer.dial("127.0.0.1", stalled.port(), loops.next(), new Received()));
      int chunk = 64 * 1024;
      long written = 0;
      long limit = 256L << 20;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      long unwritableSince = 0;
      // Write whenever writable, until the channel has stayed unwritable for a second.
      while (written < limit && System.nanoTime() < deadline) {
        if (ch.isWritable()) {
          unwritableSince = 0;
          ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[chunk])).sync();
          written += chunk;
        } else if (unwritableSince == 0) {
          unwritableSince = System.nanoTime();
        } else if (System.nanoTime() - unwritableSince > TimeUnit.SECONDS.toNanos(1)) {
          break;
        } else {
          Thread.sleep(10);
        }
      }
      assertTrue(!ch.isWritable(), "still writable after " + written + " bytes to a remote that never reads");
      long accepted = proxy.received(PacketType.DATA).stream()
          .mapToLong(p -> ((Packet.Data) p.payload()).data().length).sum();
      assertTrue(written - accepted < 4 << 20, "buffered between caller and proxy: " + (written - accepted));
      ch.close().sync();
    }
  }

  @Test
  void anUnreachableProxyFailsTheDialClearly() throws Exception {
    try (GrpcTunnelDialer nowhere = GrpcTunnelDialer.overUnixSocket(dir.resolve("absent.socket"),
        DialerOptions.DEFAULT, metrics)) {
      TunnelException e = dialFailure(nowhere.dial("127.0.0.1", echo.port(), loops.next(), new Received()));
      assertEquals(TunnelException.Reason.PROXY_UNREACHABLE, e.reason());
      assertTrue(e.getMessage().startsWith("failed to create tunnel: UNAVAILABLE"), e.getMessage());
    }
  }

  @Test
  void theProxyGoingAwayResetsOpenConnections() throws Exception {
    Received in = new Received();
    await(dialer.dial("127.0.0.1", echo.port(), loops.next(), in));
    proxy.close();
    Throwable err = in.error.get(10, TimeUnit.SECONDS);
    assertInstanceOf(TunnelException.class, err);
    assertTrue(err.getMessage().startsWith("connection reset"), err.getMessage());
    in.closed.get(10, TimeUnit.SECONDS);
  }

  @Test
  void dialsAfterCloseFail() {
    dialer.close();
    TunnelException e = dialFailure(dialer.dial("127.0.0.1", echo.port(), loops.next(), new Received()));
    assertEquals("dialer closed", e.getMessage());
  }
}

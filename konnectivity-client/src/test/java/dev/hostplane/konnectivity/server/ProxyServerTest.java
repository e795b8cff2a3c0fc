package dev.hostplane.konnectivity.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.konnectivity.agent.Agent;
import dev.hostplane.konnectivity.agent.AgentOptions;
import dev.hostplane.konnectivity.wire.Packet;
import dev.hostplane.konnectivity.wire.PacketType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class ProxyServerTest {
  @TempDir
  static Path pkiDir;
  static TestPki pki;

  @TempDir
  Path dir;
  EchoServer echo;
  BlackHole hole;
  ProxyServer server;
  final List<Agent> agents = new ArrayList<>();
  final List<TestFrontend> frontends = new ArrayList<>();

  @BeforeAll
  static void pki() throws Exception {
    pki = TestPki.create(pkiDir);
  }

  @BeforeEach
  void start() throws Exception {
    echo = new EchoServer();
    hole = new BlackHole();
    server = ProxyServer.start(options(List.of("destHost", "default")));
  }

  ProxyServerOptions options(List<String> strategies) {
    return ProxyServerOptions.of(dir.resolve("konnectivity.sock"), 0, pki.serverCert(), pki.serverKey(),
        pki.caCert(), 0, pki.serverCert(), pki.serverKey(), pki.caCert())
        .withStrategies(strategies).withHttpPorts(0, 0).withBackendDialTimeout(Duration.ofSeconds(3));
  }

  Agent agent(String id, String identifiers) throws Exception {
    Agent a = Agent.start(AgentOptions.of("localhost", server.agentPort(), pki.caCert(), pki.clientCert(),
        pki.clientKey()).withIdentity(id, identifiers).withSyncInterval(Duration.ofMillis(100),
        Duration.ofMillis(500)));
    agents.add(a);
    return a;
  }

  Agent connectedAgent(String id, String identifiers) throws Exception {
    int before = server.connectedAgents();
    Agent a = agent(id, identifiers);
    await("agent " + id + " connected", () -> server.agentIds().contains(id) && !a.serverIds().isEmpty());
    assertEquals(before + 1, server.connectedAgents());
    return a;
  }

  TestFrontend uds() {
    TestFrontend f = TestFrontend.uds(dir.resolve("konnectivity.sock"));
    frontends.add(f);
    return f;
  }

  @AfterEach
  void stop() throws Exception {
    frontends.forEach(TestFrontend::close);
    try {
      await("no established connection left", () -> server.establishedConnections() == 0);
      await("no pending dial left", () -> server.pendingDials() == 0);
    } finally {
      agents.forEach(Agent::close);
      server.close();
      echo.close();
      hole.close();
    }
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(20);
    }
  }

  static void echoRoundTrip(TestFrontend.Stream s, String text) throws InterruptedException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    s.send(Packet.data(s.connectId(), bytes));
    assertArrayEquals(bytes, s.read(bytes.length, Duration.ofSeconds(10)));
  }

  static void closeConnection(TestFrontend.Stream s) throws InterruptedException {
    s.send(Packet.closeRequest(s.connectId()));
    Packet rsp = s.next(PacketType.CLOSE_RSP, Duration.ofSeconds(10));
    assertNotNull(rsp, "CLOSE_RSP after CLOSE_REQ");
    assertEquals(s.connectId(), ((Packet.CloseResponse) rsp.payload()).connectId());
    s.closeStream();
  }

  @Test
  void dialsThroughUnixSocketFrontendAndAgentToEchoServer() throws Exception {
    connectedAgent("agent-1", "");
    TestFrontend.Stream s = uds().dial(echo.address());
    assertTrue(s.connected(), "dial: " + s.dialResponse);
    assertEquals(1, server.establishedConnections());
    echoRoundTrip(s, "hello through the tunnel");
    closeConnection(s);
    await("echo connection closed", () -> echo.open.get() == 0);
  }

  @Test
  void dialsThroughMutualTlsFrontend() throws Exception {
    connectedAgent("agent-1", "");
    TestFrontend f = TestFrontend.tls(server.serverPort(), pki);
    frontends.add(f);
    TestFrontend.Stream s = f.dial(echo.address());
    assertTrue(s.connected(), "dial: " + s.dialResponse);
    echoRoundTrip(s, "over mTLS");
    closeConnection(s);
  }

  @Test
  void answersNoAgentAvailableWithoutAgents() throws Exception {
    TestFrontend.Stream s = uds().dial(echo.address());
    assertEquals("No agent available", s.dialResponse.error());
    assertEquals(1, server.dialFailures("no_agent"));
    assertTrue(server.metricsText().contains(
        "konnectivity_network_proxy_server_dial_failure_count{reason=\"no_agent\"} 1"), server.metricsText());
    s.closeStream();
  }

  @Test
  void readyzWaitsForAnAgentAndMetricsUseUpstreamNames() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + server.healthPort();
    assertEquals(200, get(http, base + "/healthz").statusCode());
    assertEquals(503, get(http, base + "/readyz").statusCode());
    connectedAgent("agent-1", "");
    assertEquals(200, get(http, base + "/readyz").statusCode());
    TestFrontend.Stream s = uds().dial(echo.address());
    HttpResponse<String> metrics = get(http, "http://127.0.0.1:" + server.adminPort() + "/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("konnectivity_network_proxy_server_established_connections 1"),
        metrics.body());
    assertTrue(metrics.body().contains("konnectivity_network_proxy_server_ready_backends{"), metrics.body());
    assertTrue(metrics.body().contains(
        "konnectivity_network_proxy_server_grpc_connections{service_method=\"AgentService/Connect\"} 1"),
        metrics.body());
    assertTrue(metrics.body().contains("konnectivity_network_proxy_server_pending_backend_dials 0"),
        metrics.body());
    closeConnection(s);
  }

  static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void transfers100MiBBothWaysIntact() throws Exception {
    connectedAgent("agent-1", "");
    TestFrontend.Stream s = uds().dial(echo.address());
    assertTrue(s.connected());
    int total = 100 * 1024 * 1024;
    int chunk = 64 * 1024;
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    MessageDigest got = MessageDigest.getInstance("SHA-256");
    Thread reader = new Thread(() -> {
      try {
        int n = 0;
        while (n < total) {
          Packet p = s.received.poll(30, java.util.concurrent.TimeUnit.SECONDS);
          if (p == null || p.type() != PacketType.DATA) {
            return;
          }
          byte[] d = ((Packet.Data) p.payload()).data();
          got.update(d);
          n += d.length;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    reader.start();
    Random random = new Random(42);
    for (int off = 0; off < total; off += chunk) {
      byte[] b = new byte[chunk];
      random.nextBytes(b);
      sent.update(b);
      s.send(Packet.data(s.connectId(), b));
    }
    reader.join(120_000);
    assertArrayEquals(sent.digest(), got.digest(), "SHA-256 of the echoed 100 MiB");
    closeConnection(s);
  }

  @Test
  void thousandConcurrentDials() throws Exception {
    Agent a = connectedAgent("agent-1", "");
    TestFrontend f = uds();
    List<TestFrontend.Stream> streams = new ArrayList<>();
    List<Long> randoms = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      TestFrontend.Stream s = f.open();
      long r = i + 1;
      s.send(Packet.dialRequest(echo.address(), r));
      streams.add(s);
      randoms.add(r);
    }
    for (int i = 0; i < streams.size(); i++) {
      TestFrontend.Stream s = streams.get(i);
      Packet p = s.next(PacketType.DIAL_RSP, Duration.ofSeconds(30));
      assertNotNull(p, "DIAL_RSP for dial " + i);
      s.dialResponse = (Packet.DialResponse) p.payload();
      assertEquals(randoms.get(i), s.dialResponse.random());
      assertTrue(s.connected(), s.dialResponse.error());
    }
    assertEquals(1000, server.establishedConnections());
    assertEquals(1000, a.openConnections());
    assertEquals(1000, streams.stream().map(TestFrontend.Stream::connectId).distinct().count());
    for (TestFrontend.Stream s : streams) {
      s.send(Packet.data(s.connectId(), ("#" + s.connectId()).getBytes(StandardCharsets.UTF_8)));
    }
    for (TestFrontend.Stream s : streams) {
      byte[] want = ("#" + s.connectId()).getBytes(StandardCharsets.UTF_8);
      assertArrayEquals(want, s.read(want.length, Duration.ofSeconds(30)));
    }
    for (TestFrontend.Stream s : streams) {
      s.send(Packet.closeRequest(s.connectId()));
    }
    for (TestFrontend.Stream s : streams) {
      assertNotNull(s.next(PacketType.CLOSE_RSP, Duration.ofSeconds(30)));
      s.closeStream();
    }
    await("agent connections closed", () -> a.openConnections() == 0);
    await("echo connections closed", () -> echo.open.get() == 0);
  }

  @Test
  void agentDeathClosesEveryStreamAndNewDialsSucceedAfterReconnect() throws Exception {
    Agent a = connectedAgent("agent-1", "");
    TestFrontend f = uds();
    List<TestFrontend.Stream> open = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      TestFrontend.Stream s = f.dial(echo.address());
      assertTrue(s.connected());
      echoRoundTrip(s, "before " + i);
      open.add(s);
    }
    // A pending dial too: to an address that never answers.
    TestFrontend.Stream pending = f.open();
    pending.send(Packet.dialRequest(hole.address(), 77));
    await("dial pending", () -> server.pendingDials() == 1);
    a.close();
    for (TestFrontend.Stream s : open) {
      Packet p = s.next(PacketType.CLOSE_RSP, Duration.ofSeconds(10));
      assertNotNull(p, "CLOSE_RSP after the agent died");
      assertEquals(s.connectId(), ((Packet.CloseResponse) p.payload()).connectId());
      s.closeStream();
    }
    Packet dialFailed = pending.next(PacketType.DIAL_RSP, Duration.ofSeconds(10));
    assertNotNull(dialFailed);
    assertFalse(((Packet.DialResponse) dialFailed.payload()).error().isEmpty());
    pending.closeStream();
    assertEquals(0, server.establishedConnections());
    assertEquals(0, server.pendingDials());
    await("agent gone", () -> server.connectedAgents() == 0);
    assertEquals("No agent available", f.dial(echo.address()).dialResponse.error());

    connectedAgent("agent-1", "");
    TestFrontend.Stream s = f.dial(echo.address());
    assertTrue(s.connected(), s.dialResponse.error());
    echoRoundTrip(s, "after the agent came back");
    closeConnection(s);
  }

  @Test
  void destHostRoutesToTheAgentThatOwnsTheHost() throws Exception {
    Agent local = connectedAgent("agent-local", "ipv4=127.0.0.1&host=node-a");
    Agent other = connectedAgent("agent-other", "ipv4=10.9.9.9&host=node-b");
    TestFrontend f = uds();
    List<TestFrontend.Stream> streams = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      TestFrontend.Stream s = f.dial(echo.address());
      assertTrue(s.connected());
      streams.add(s);
    }
    assertEquals(20, local.openConnections());
    assertEquals(0, other.openConnections());
    for (TestFrontend.Stream s : streams) {
      closeConnection(s);
    }
  }

  @Test
  void drainSteersNewDialsToTheOtherAgentAndKeepsOpenOnes() throws Exception {
    Agent first = connectedAgent("agent-1", "");
    TestFrontend f = uds();
    TestFrontend.Stream old = f.dial(echo.address());
    assertTrue(old.connected());
    Agent second = connectedAgent("agent-2", "");
    first.drain();
    await("server saw DRAIN", () -> server.drainingAgentIds().equals(List.of("agent-1")));
    List<TestFrontend.Stream> streams = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      TestFrontend.Stream s = f.dial(echo.address());
      assertTrue(s.connected());
      streams.add(s);
    }
    assertEquals(20, second.openConnections());
    assertEquals(1, first.openConnections());
    echoRoundTrip(old, "still works while draining");
    closeConnection(old);
    assertTrue(first.awaitIdle(Duration.ofSeconds(5)));
    for (TestFrontend.Stream s : streams) {
      closeConnection(s);
    }
  }

  @Test
  void frontendClosingBeforeAnyDataLeaksNothing() throws Exception {
    Agent a = connectedAgent("agent-1", "");
    TestFrontend f = uds();
    for (int i = 0; i < 20; i++) {
      TestFrontend.Stream s = f.dial(echo.address());
      assertTrue(s.connected());
      if (i % 2 == 0) {
        s.closeStream();
      } else {
        s.cancel();
      }
    }
    await("server forgot the connections", () -> server.establishedConnections() == 0);
    await("agent closed the destinations", () -> a.openConnections() == 0);
    await("echo connections closed", () -> echo.open.get() == 0);
    // A frontend that gives up while its dial is pending.
    TestFrontend.Stream s = f.open();
    s.send(Packet.dialRequest(hole.address(), 5));
    await("dial pending", () -> server.pendingDials() == 1);
    s.cancel();
    await("pending dial dropped", () -> server.pendingDials() == 0);
    assertTrue(server.dialFailures("frontend_close") >= 1);
  }

  @Test
  void pendingDialsTimeOutAndDialClsCancels() throws Exception {
    connectedAgent("agent-1", "");
    TestFrontend f = uds();
    TestFrontend.Stream s = f.open();
    s.send(Packet.dialRequest(hole.address(), 11));
    Packet p = s.next(PacketType.DIAL_RSP, Duration.ofSeconds(10));
    assertNotNull(p);
    assertEquals("dial timeout", ((Packet.DialResponse) p.payload()).error());
    assertEquals(0, server.pendingDials());
    assertEquals(1, server.dialFailures("backend_dial_timeout"));
    s.send(Packet.dialRequest(hole.address(), 12));
    await("dial pending", () -> server.pendingDials() == 1);
    s.send(Packet.closeDial(12));
    await("DIAL_CLS dropped the dial", () -> server.pendingDials() == 0);
    s.closeStream();
  }

  @Test
  void aSlowFrontendStopsTheDestinationInsteadOfFillingMemory() throws Exception {
    connectedAgent("agent-1", "");
    long limit = 64L * 1024 * 1024;
    try (Firehose firehose = new Firehose(limit)) {
      TestFrontend.Stream s = uds().openManual();
      s.request(1);
      s.dialResponse = s.dialOnly(firehose.address());
      assertTrue(s.connected(), s.dialResponse.error());
      // The frontend reads nothing: every hop's buffer fills and the destination must stop.
      Thread.sleep(3_000);
      long stalled = firehose.written.get();
      Thread.sleep(1_000);
      long later = firehose.written.get();
      assertTrue(stalled < 32L * 1024 * 1024, "destination wrote " + stalled + " bytes to a frontend reading none");
      assertTrue(later - stalled < 1024 * 1024, "destination kept writing: " + stalled + " -> " + later);
      long received = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (received < limit && System.nanoTime() < deadline) {
        s.request(16);
        for (int i = 0; i < 16 && received < limit; i++) {
          Packet p = s.received.poll(10, java.util.concurrent.TimeUnit.SECONDS);
          assertNotNull(p, "no packet after " + received + " bytes");
          if (p.type() == PacketType.DATA) {
            received += ((Packet.Data) p.payload()).data().length;
          }
        }
      }
      assertEquals(limit, received, "every byte arrives once the frontend reads");
      s.request(1000);
      closeConnection(s);
    }
  }

  @Test
  void defaultRouteUsesOnlyDefaultRouteAgentsWithoutFallThrough() throws Exception {
    server.close();
    server = ProxyServer.start(options(List.of("defaultRoute")));
    Agent plain = connectedAgent("agent-plain", "host=node-a");
    Agent gateway = connectedAgent("agent-gateway", "default-route=true");
    TestFrontend f = uds();
    List<TestFrontend.Stream> open = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      TestFrontend.Stream s = f.dial(echo.address());
      assertTrue(s.connected(), s.dialResponse.error());
      open.add(s);
    }
    assertEquals(10, gateway.openConnections());
    assertEquals(0, plain.openConnections());
    for (TestFrontend.Stream s : open) {
      closeConnection(s);
    }
    gateway.close();
    await("gateway gone", () -> server.connectedAgents() == 1);
    assertEquals("No agent available", f.dial(echo.address()).dialResponse.error());
  }
}

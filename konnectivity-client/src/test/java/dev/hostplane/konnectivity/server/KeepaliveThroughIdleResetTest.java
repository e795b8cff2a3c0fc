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
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's tunnel crosses a relay that resets flows idle for 12 s (an SDN with a 60 s idle reset, scaled down
 * as far as gRPC allows: grpc-java raises any keepalive below 10 s to 10 s). With 10 s pings from either side the
 * tunnel survives 25 s without data; without pings the same scenario loses the connection.
 */
@Tag("slow")
@Timeout(120)
class KeepaliveThroughIdleResetTest {
  private static final Duration RESET_AFTER = Duration.ofSeconds(12);
  private static final Duration IDLE = Duration.ofSeconds(25);
  private static final Duration PING = Duration.ofSeconds(10);

  @TempDir
  Path dir;

  @Test
  void agentKeepaliveKeepsAnIdleTunnelAlive() throws Exception {
    Result r = idleTunnel(Duration.ZERO, PING);
    assertTrue(r.echoed, "data after the idle period came back");
    assertEquals(0, r.resets, "the relay never saw an idle flow");
  }

  @Test
  void serverKeepaliveKeepsAnIdleTunnelAlive() throws Exception {
    Result r = idleTunnel(PING, Duration.ZERO);
    assertTrue(r.echoed, "data after the idle period came back");
    assertEquals(0, r.resets, "the relay never saw an idle flow");
  }

  @Test
  void withoutKeepaliveTheIdleResetKillsTheTunnel() throws Exception {
    Result r = idleTunnel(Duration.ZERO, Duration.ZERO);
    assertFalse(r.echoed, "data after the idle period must not come back over a reset tunnel");
    assertTrue(r.closed, "the frontend was told the connection closed");
    assertTrue(r.resets >= 1, "the relay reset the idle flow");
  }

  record Result(boolean echoed, boolean closed, int resets) {}

  private Result idleTunnel(Duration serverKeepalive, Duration agentKeepalive) throws Exception {
    TestPki pki = TestPki.create(dir);
    Path socket = dir.resolve("k.sock");
    try (EchoServer echo = new EchoServer();
        ProxyServer server = ProxyServer.start(ProxyServerOptions.of(socket, -1, null, null, null, 0,
            pki.serverCert(), pki.serverKey(), pki.caCert())
            .withKeepalive(serverKeepalive, Duration.ZERO, PING));
        IdleResetProxy relay = new IdleResetProxy(new InetSocketAddress("127.0.0.1", server.agentPort()),
            RESET_AFTER);
        Agent agent = Agent.start(AgentOptions.of("localhost", relay.port(), pki.caCert(), pki.clientCert(),
            pki.clientKey()).withKeepalive(agentKeepalive).withSyncInterval(Duration.ofSeconds(30),
            Duration.ofSeconds(30)));
        TestFrontend frontend = TestFrontend.uds(socket)) {
      ProxyServerTest.await("agent connected", () -> server.connectedAgents() == 1);
      TestFrontend.Stream s = frontend.dial(echo.address());
      assertTrue(s.connected(), s.dialResponse.error());
      byte[] hello = "before idle".getBytes(StandardCharsets.UTF_8);
      s.send(Packet.data(s.connectId(), hello));
      assertArrayEquals(hello, s.read(hello.length, Duration.ofSeconds(5)));
      Thread.sleep(IDLE.toMillis());
      byte[] again = "after idle".getBytes(StandardCharsets.UTF_8);
      s.send(Packet.data(s.connectId(), again));
      boolean echoed = false;
      boolean closed = false;
      long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < deadline && !echoed && !closed) {
        Packet p = s.received.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        if (p != null && p.type() == PacketType.DATA) {
          echoed = new String(((Packet.Data) p.payload()).data(), StandardCharsets.UTF_8).equals("after idle");
        } else if (p != null && p.type() == PacketType.CLOSE_RSP) {
          closed = true;
        }
      }
      if (echoed) {
        s.send(Packet.closeRequest(s.connectId()));
        assertNotNull(s.next(PacketType.CLOSE_RSP, Duration.ofSeconds(5)));
      }
      s.closeStream();
      ProxyServerTest.await("no established connection", () -> server.establishedConnections() == 0);
      return new Result(echoed, closed, relay.resets.get());
    }
  }
}

package dev.hostplane.konnectivity.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.konnectivity.agent.Agent;
import dev.hostplane.konnectivity.agent.AgentOptions;
import dev.hostplane.konnectivity.wire.Packet;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two proxy-servers behind one load-balanced address: the agent connects until it holds both serverIDs. */
@Timeout(60)
class AgentHighAvailabilityTest {
  @TempDir
  Path dir;

  @Test
  void agentHoldsOneStreamPerServerBehindALoadBalancer() throws Exception {
    TestPki pki = TestPki.create(dir);
    try (EchoServer echo = new EchoServer();
        ProxyServer one = ProxyServer.start(options(pki, "one.sock").withServerId("server-one", 2));
        ProxyServer two = ProxyServer.start(options(pki, "two.sock").withServerId("server-two", 2));
        IdleResetProxy balancer = new IdleResetProxy(List.of(
            new InetSocketAddress("127.0.0.1", one.agentPort()), new InetSocketAddress("127.0.0.1", one.agentPort()),
            new InetSocketAddress("127.0.0.1", two.agentPort())), Duration.ofHours(1));
        Agent agent = Agent.start(AgentOptions.of("localhost", balancer.port(), pki.caCert(), pki.clientCert(),
            pki.clientKey()).withIdentity("agent-ha", "").withSyncInterval(Duration.ofMillis(50),
            Duration.ofMillis(200)))) {
      ProxyServerTest.await("agent holds both servers",
          () -> agent.serverIds().equals(Set.of("server-one", "server-two")));
      ProxyServerTest.await("each server sees the agent once",
          () -> one.agentIds().equals(List.of("agent-ha")) && two.agentIds().equals(List.of("agent-ha")));
      Thread.sleep(500);
      assertEquals(Set.of("server-one", "server-two"), agent.serverIds(), "no extra streams once both are held");
      assertEquals(1, one.connectedAgents(), "the duplicate stream to server-one was dropped");
      for (ProxyServer server : List.of(one, two)) {
        try (TestFrontend f = TestFrontend.uds(server.options().udsName())) {
          TestFrontend.Stream s = f.dial(echo.address());
          assertTrue(s.connected(), s.dialResponse.error());
          byte[] hi = "hi".getBytes(StandardCharsets.UTF_8);
          s.send(Packet.data(s.connectId(), hi));
          assertArrayEquals(hi, s.read(2, Duration.ofSeconds(5)));
          ProxyServerTest.closeConnection(s);
        }
        ProxyServerTest.await("closed", () -> server.establishedConnections() == 0);
      }
    }
  }

  private ProxyServerOptions options(TestPki pki, String socket) {
    return ProxyServerOptions.of(dir.resolve(socket), -1, null, null, null, 0, pki.serverCert(), pki.serverKey(),
        pki.caCert());
  }
}

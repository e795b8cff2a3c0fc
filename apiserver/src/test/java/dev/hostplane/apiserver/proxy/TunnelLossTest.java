package dev.hostplane.apiserver.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.testing.RawHttp1Client;
import dev.hostplane.apiserver.testing.TestApiServer;
import dev.hostplane.konnectivity.agent.Agent;
import dev.hostplane.konnectivity.agent.AgentOptions;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What clients see when the Konnectivity agent goes away mid-session, and that streaming recovers with it. */
@Timeout(120)
class TunnelLossTest {
  @TempDir
  Path dir;

  @Test
  void losingTheAgentEndsStreamsCleanlyAndNewOnesWorkOnceItIsBack() throws Exception {
    try (StreamingFixture f = new StreamingFixture(dir)) {
      f.createPod("web", "node-1", null, "main");
      f.kubelet.logs.put("default/web/main", "before\n");
      Agent second = null;
      try (RawHttp1Client raw = f.api.rawAdmin()) {
        raw.send("GET /api/v1/namespaces/default/pods/web/log?follow=true HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(200, raw.readHead().status());
        assertEquals("before\n", new String(raw.readChunk(), StandardCharsets.UTF_8));
        f.agent.close();
        // The stream ends (its last chunk, or the connection) instead of hanging.
        boolean ended = false;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!ended && System.nanoTime() < deadline) {
          try {
            ended = raw.readChunk() == null;
          } catch (IOException e) {
            ended = true;
          }
        }
        assertTrue(ended, "the followed log ended with the tunnel");
        StreamingFixture.await("no agent", () -> f.proxy.connectedAgents() == 0);
        HttpResponse<String> r = f.api.get("/api/v1/namespaces/default/pods/web/log");
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(TestApiServer.json(r).path("message").asText().startsWith("error dialing backend: "), r.body());

        second = Agent.start(AgentOptions.of("localhost", f.proxy.agentPort(), dir.resolve("kubelet-ca.crt"),
            dir.resolve("agent.crt"), dir.resolve("agent.key")).withSyncInterval(Duration.ofMillis(100),
            Duration.ofMillis(500)));
        StreamingFixture.await("agent back", () -> f.proxy.connectedAgents() == 1);
        StreamingFixture.await("logs work again", () -> {
          try {
            return f.api.get("/api/v1/namespaces/default/pods/web/log").body().equals("before\n");
          } catch (Exception e) {
            return false;
          }
        });
      } finally {
        if (second != null) {
          second.close();
        }
      }
      f.awaitReleased();
    }
  }

  @Test
  void aWebSocketExecWhoseTunnelIsLostEndsWithAFailureStatus() throws Exception {
    try (StreamingFixture f = new StreamingFixture(dir)) {
      f.createPod("web", "node-1", null, "main");
      try (WsTestClient ws = WsTestClient.connect(f.api.rawAdmin(),
          "/api/v1/namespaces/default/pods/web/exec?command=cat&stdin=true&stdout=true", "v5.channel.k8s.io")) {
        assertEquals(101, ws.head.status());
        ws.sendChannel(0, "ping\n");
        assertEquals("ping\n", ws.readData().text());
        f.agent.close();
        // Without an exit Status from the kubelet, the client must not take the close for success.
        WsTestClient.Frame status = ws.readData();
        assertEquals(3, status.channel());
        assertEquals("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
            + "\"message\":\"the connection to the kubelet was lost before the command ended\","
            + "\"reason\":\"InternalError\",\"code\":500}", status.text());
        assertEquals(null, ws.readData());
      }
    }
  }
}

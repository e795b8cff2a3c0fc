package dev.hostplane.apiserver.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.ApiServerConfig;
import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --bind-pods=round-robin} with two Ready Nodes, one NotReady and one cordoned: pending pods go to the Ready,
 * schedulable ones in turn with PodScheduled set; pods for another scheduler, and everything when the flag is off,
 * stay unbound.
 */
@Timeout(60)
class PodBinderTest {
  @TempDir
  static Path dir;

  static TestApiServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.start(dir.resolve("on"), "--bind-pods=round-robin");
    node("ready-a", "True", false);
    node("ready-b", "True", false);
    node("not-ready", "False", false);
    node("cordoned", "True", true);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static void node(String name, String ready, boolean unschedulable) throws Exception {
    assertEquals(201, server.send("POST", "/api/v1/nodes", "application/json", "{\"apiVersion\":\"v1\","
        + "\"kind\":\"Node\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"unschedulable\":" + unschedulable
        + "}}").statusCode());
    assertEquals(200, server.send("PATCH", "/api/v1/nodes/" + name + "/status", "application/merge-patch+json",
        "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + ready + "\",\"reason\":\"KubeletReady\""
            + ",\"lastHeartbeatTime\":\"2026-01-01T00:00:00Z\",\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"}]}}")
        .statusCode());
  }

  static void pod(String name, String scheduler) throws Exception {
    String schedulerField = scheduler == null ? "" : ",\"schedulerName\":\"" + scheduler + "\"";
    assertEquals(201, server.send("POST", "/api/v1/namespaces/default/pods", "application/json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"containers\":"
            + "[{\"name\":\"c\",\"image\":\"x\"}]" + schedulerField + "}}").statusCode());
  }

  static JsonNode get(String name) throws Exception {
    return TestApiServer.json(server.get("/api/v1/namespaces/default/pods/" + name));
  }

  static String awaitNode(String pod) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      String node = get(pod).path("spec").path("nodeName").asText("");
      if (!node.isEmpty()) {
        return node;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("pod " + pod + " was not bound");
  }

  @Test
  void pendingPodsGoToReadySchedulableNodesInTurnWithPodScheduledSet() throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      names.add("rr-" + i);
      pod("rr-" + i, i % 2 == 0 ? null : "default-scheduler");
    }
    Map<String, Integer> perNode = new HashMap<>();
    for (String p : names) {
      perNode.merge(awaitNode(p), 1, Integer::sum);
    }
    assertEquals(Map.of("ready-a", 3, "ready-b", 3), perNode);
    JsonNode scheduled = null;
    for (JsonNode c : get("rr-0").path("status").path("conditions")) {
      if (c.path("type").asText().equals("PodScheduled")) {
        scheduled = c;
      }
    }
    assertEquals("True", scheduled.path("status").asText());
  }

  @Test
  void podsForAnotherSchedulerAreLeftAlone() throws Exception {
    pod("custom", "my-scheduler");
    pod("marker", null);
    awaitNode("marker");
    Thread.sleep(2500); // past a resync
    assertEquals("", get("custom").path("spec").path("nodeName").asText(""));
  }

  @Test
  void withoutTheFlagNothingIsBound(@TempDir Path off) throws Exception {
    try (TestApiServer plain = TestApiServer.start(off)) {
      assertEquals(201, plain.send("POST", "/api/v1/nodes", "application/json",
          "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n\"}}").statusCode());
      plain.send("PATCH", "/api/v1/nodes/n/status", "application/merge-patch+json",
          "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}");
      assertEquals(201, plain.send("POST", "/api/v1/namespaces/default/pods", "application/json",
          "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":"
              + "[{\"name\":\"c\",\"image\":\"x\"}]}}").statusCode());
      Thread.sleep(2500);
      assertEquals("", TestApiServer.json(plain.get("/api/v1/namespaces/default/pods/p")).path("spec")
          .path("nodeName").asText(""));
    }
  }

  @Test
  void anUnknownModeIsRefused() {
    Flags f = ApiServerConfig.flags();
    f.parse(List.of("--bind-pods=random"));
    Flags.FlagException e = assertThrows(Flags.FlagException.class, () -> ApiServerConfig.from(f));
    assertTrue(e.getMessage().contains("--bind-pods: unknown mode \"random\""), e.getMessage());
  }
}

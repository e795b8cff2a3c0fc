package dev.hostplane.ops.node.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.testing.TestApiServer;
import dev.hostplane.ops.bench.ClientConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's pod source against a real apiserver, with watches that end every second: it resumes from the last
 * resourceVersion (no relist, no event twice, none lost) and only sees pods bound to its node.
 */
@Timeout(60)
class PodSourceTest {
  @TempDir
  Path dir;

  @Test
  void resumesEndedWatchesFromTheLastResourceVersionWithoutRelisting() throws Exception {
    try (TestApiServer server = TestApiServer.start(dir)) {
      ApiClient api = ApiClient.create(ClientConfig.load(dir.resolve("admin.kubeconfig")));
      List<String> added = new CopyOnWriteArrayList<>();
      Set<String> deleted = ConcurrentHashMap.newKeySet();
      PodSource source = new PodSource(api, "n1", new PodSource.Sink() {
        @Override
        public void upsert(JsonNode pod) {
          String name = pod.path("metadata").path("name").asText();
          if (!added.contains(name)) {
            added.add(name);
          }
        }

        @Override
        public void delete(JsonNode pod) {
          deleted.add(pod.path("metadata").path("name").asText());
        }

        @Override
        public void retain(Set<String> uids) {}
      }, 1);
      Thread t = new Thread(source, "pod-source-test");
      t.start();
      try {
        for (int i = 0; i < 4; i++) {
          create(server, "p" + i, "n1");
          create(server, "other" + i, "n2");
          Thread.sleep(1200); // past the end of the current watch
        }
        // Forced: nothing runs the pod, so a graceful deletion would wait for a kubelet.
        assertEquals(200, server.send("DELETE", "/api/v1/namespaces/default/pods/p0", "application/json",
            "{\"gracePeriodSeconds\":0}").statusCode());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((added.size() < 4 || !deleted.contains("p0")) && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertEquals(List.of("p0", "p1", "p2", "p3"), added);
        assertEquals(Set.of("p0"), deleted);
        assertEquals(1, source.lists(), "a resumed watch needs no list");
      } finally {
        source.close();
        t.interrupt();
        t.join(5000);
      }
      assertTrue(!t.isAlive());
    }
  }

  private static void create(TestApiServer server, String name, String node) throws Exception {
    assertEquals(201, server.send("POST", "/api/v1/namespaces/default/pods", "application/json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"nodeName\":\""
            + node + "\",\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}").statusCode());
  }
}

package dev.hostplane.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.ops.bench.ClientConfig;
import dev.hostplane.ops.node.internal.ApiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hostplane up} with two nodes: both register Ready on their own addresses, the agent connects to the
 * proxy-server, pods without a node are bound in turn and run, and stopping the cluster stops their processes.
 */
@Timeout(120)
class UpCommandTest {
  @TempDir
  Path dir;

  static <T> T eventually(String what, Callable<T> probe) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      T v = probe.call();
      if (v != null && !Boolean.FALSE.equals(v)) {
        return v;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("timed out waiting for " + what);
  }

  @Test
  void startsAClusterWhosePodsAreBoundToItsNodesAndRun() throws Exception {
    String marker = "up-test-" + UUID.randomUUID();
    UpCommand.Cluster cluster = UpCommand.start(dir, 2, 0, 0);
    try {
      assertTrue(Files.exists(dir.resolve("egress-selector-configuration.yaml")));
      ApiClient api = ApiClient.create(ClientConfig.load(cluster.kubeconfig()));
      JsonNode nodes = api.get("/api/v1/nodes").json();
      Set<String> ips = new HashSet<>();
      for (JsonNode n : nodes.path("items")) {
        ips.add(n.path("status").path("addresses").path(0).path("address").asText());
      }
      assertEquals(Set.of("127.0.0.2", "127.0.0.3"), ips);
      eventually("the agent", () -> cluster.proxy().connectedAgents() == 1);

      Set<String> hosts = new HashSet<>();
      for (int i = 0; i < 2; i++) {
        String name = "web-" + i;
        ApiClient.Response r = api.post("/api/v1/namespaces/default/pods", ApiClient.JSON.readTree(
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{"
                + "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\",\"command\":[\"sh\",\"-c\","
                + "\"while true; do sleep 1; done # " + marker + "\"]}]}}"));
        assertEquals(201, r.code(), r.body());
        JsonNode pod = eventually(name + " Running", () -> {
          JsonNode p = api.get("/api/v1/namespaces/default/pods/" + name).json();
          return p.path("status").path("phase").asText().equals("Running") ? p : null;
        });
        hosts.add(pod.path("status").path("podIP").asText());
      }
      assertEquals(Set.of("127.0.0.2", "127.0.0.3"), hosts);
      assertTrue(running(marker));
    } finally {
      cluster.close();
    }
    assertFalse(running(marker));
  }

  private static boolean running(String marker) throws Exception {
    Process p = new ProcessBuilder("pgrep", "-f", marker).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    p.waitFor();
    return !out.isEmpty();
  }
}

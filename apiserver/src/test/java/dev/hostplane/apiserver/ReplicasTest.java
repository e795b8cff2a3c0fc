package dev.hostplane.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.storage.embedded.EmbeddedStorage;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two apiservers on one storage behave as one: watches, optimistic concurrency, paging, Service allocation. */
@Timeout(60)
class ReplicasTest {
  @TempDir
  static Path dir;
  static EmbeddedStorage storage;
  static TestApiServer a;
  static TestApiServer b;

  @BeforeAll
  static void start() throws Exception {
    storage = EmbeddedStorage.open(dir.resolve("shared"), EmbeddedStorage.Options.DEFAULT);
    a = TestApiServer.start(dir.resolve("a"), storage, "--advertise-address=192.0.2.10");
    b = TestApiServer.start(dir.resolve("b"), storage, "--advertise-address=192.0.2.11");
  }

  @AfterAll
  static void stop() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    storage.close();
  }

  private static JsonNode create(TestApiServer s, String path, String body, int expect) throws Exception {
    HttpResponse<String> r = s.send("POST", path, "application/json", body);
    assertEquals(expect, r.statusCode(), r.body());
    return TestApiServer.json(r);
  }

  @Test
  void aWriteThroughOneReplicaReachesAWatchOnTheOther() throws Exception {
    String rv = TestApiServer.json(b.get("/api/v1/namespaces/default/configmaps")).at("/metadata/resourceVersion")
        .asText();
    HttpResponse<InputStream> watch = b.client().send(HttpRequest.newBuilder(
        b.uri("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=" + rv)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, watch.statusCode());
    create(a, "/api/v1/namespaces/default/configmaps", Replicas.configMap("watched"), 201);
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(watch.body(), StandardCharsets.UTF_8))) {
      JsonNode event = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.readLine());
      assertEquals("ADDED", event.path("type").asText());
      assertEquals("watched", event.at("/object/metadata/name").asText());
    }
  }

  @Test
  void aStaleUpdateThroughTheOtherReplicaConflicts() throws Exception {
    JsonNode first = create(a, "/api/v1/namespaces/default/configmaps", Replicas.configMap("contended"), 201);
    ObjectNode changed = first.deepCopy();
    changed.with("data").put("k", "changed through a");
    HttpResponse<String> updated = a.send("PUT", "/api/v1/namespaces/default/configmaps/contended",
        "application/json", changed.toString());
    assertEquals(200, updated.statusCode(), updated.body());

    ObjectNode stale = first.deepCopy();
    stale.with("data").put("k", "changed through b from a stale read");
    HttpResponse<String> r = b.send("PUT", "/api/v1/namespaces/default/configmaps/contended", "application/json",
        stale.toString());
    assertEquals(409, r.statusCode(), r.body());
    assertEquals("Conflict", TestApiServer.json(r).path("reason").asText());
    assertEquals("changed through a", TestApiServer.json(b.get("/api/v1/namespaces/default/configmaps/contended"))
        .at("/data/k").asText());
  }

  @Test
  void aContinueTokenFromOneReplicaWorksOnTheOther() throws Exception {
    create(a, "/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":"
        + "\"paged\"}}", 201);
    for (int i = 0; i < 5; i++) {
      create(i % 2 == 0 ? a : b, "/api/v1/namespaces/paged/configmaps", Replicas.configMap("cm-" + i), 201);
    }
    JsonNode page1 = TestApiServer.json(a.get("/api/v1/namespaces/paged/configmaps?limit=2"));
    String token = page1.at("/metadata/continue").asText();
    assertNotEquals("", token);
    JsonNode page2 = TestApiServer.json(b.get("/api/v1/namespaces/paged/configmaps?limit=2&continue=" + token));
    JsonNode page3 = TestApiServer.json(a.get("/api/v1/namespaces/paged/configmaps?limit=2&continue="
        + page2.at("/metadata/continue").asText()));
    List<String> names = new ArrayList<>();
    for (JsonNode page : List.of(page1, page2, page3)) {
      page.path("items").forEach(i -> names.add(i.at("/metadata/name").asText()));
    }
    assertEquals(List.of("cm-0", "cm-1", "cm-2", "cm-3", "cm-4"), names);
    assertEquals(page1.at("/metadata/resourceVersion"), page2.at("/metadata/resourceVersion"),
        "the continued page is read at the first page's revision");
    assertTrue(page3.at("/metadata/continue").isMissingNode());
  }

  @Test
  void servicesCreatedConcurrentlyThroughBothReplicasGetDistinctClusterIpsAndNodePorts() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      TestApiServer s = i % 2 == 0 ? a : b;
      String body = "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"svc-" + i + "\"},"
          + "\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80}]}}";
      pending.add(s.client().sendAsync(HttpRequest.newBuilder(s.uri("/api/v1/namespaces/default/services"))
          .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
    }
    Set<String> ips = new HashSet<>();
    Set<Integer> ports = new HashSet<>();
    for (CompletableFuture<HttpResponse<String>> f : pending) {
      HttpResponse<String> r = f.join();
      assertEquals(201, r.statusCode(), r.body());
      JsonNode svc = TestApiServer.json(r);
      ips.add(svc.at("/spec/clusterIP").asText());
      ports.add(svc.at("/spec/ports/0/nodePort").asInt());
    }
    assertEquals(100, ips.size(), "distinct cluster IPs");
    assertEquals(100, ports.size(), "distinct node ports");
    assertTrue(!ips.contains("10.240.16.1"), "the kubernetes Service's address is never handed out");
  }

  @Test
  void aClusterIpHeldThroughOneReplicaIsRefusedThroughTheOtherUntilReleased() throws Exception {
    String svc = "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"%s\"},"
        + "\"spec\":{\"clusterIP\":\"10.240.31.200\",\"ports\":[{\"port\":80}]}}";
    create(a, "/api/v1/namespaces/default/services", svc.formatted("fixed-a"), 201);
    HttpResponse<String> r = b.send("POST", "/api/v1/namespaces/default/services", "application/json",
        svc.formatted("fixed-b"));
    assertEquals(422, r.statusCode(), r.body());
    assertTrue(TestApiServer.json(r).path("message").asText().endsWith(
        "failed to allocate IP 10.240.31.200: provided IP is already allocated"), r.body());

    assertEquals(200, a.send("DELETE", "/api/v1/namespaces/default/services/fixed-a", null, null).statusCode());
    create(b, "/api/v1/namespaces/default/services", svc.formatted("fixed-b"), 201);
  }
}

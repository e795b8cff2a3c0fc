package dev.hostplane.apiserver.storage.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.storage.StorageContractTest;
import dev.hostplane.apiserver.testing.EtcdProcess;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The whole apiserver on etcd: requests, a watch and /readyz, before, during and after an etcd outage. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EtcdApiServerTest {
  private static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";

  @TempDir
  Path dir;

  @Test
  void servesFromEtcdAndRidesOutAnOutage() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.launch();
        TestApiServer server = TestApiServer.start(dir, "--etcd-servers=" + etcd.endpoint())) {
      HttpResponse<String> created = server.send("POST", CONFIGMAPS, "application/json", configMap("one"));
      assertEquals(201, created.statusCode(), created.body());
      assertEquals("v", TestApiServer.json(server.get(CONFIGMAPS + "/one")).path("data").path("k").asText());
      JsonNode list = TestApiServer.json(server.get(CONFIGMAPS));
      assertEquals(List.of("one"), names(list));
      String rv = list.path("metadata").path("resourceVersion").asText();
      assertTrue(server.get("/readyz?verbose").body().contains("[+]etcd ok"));

      // The object is in etcd under upstream's key, as JSON without its resourceVersion.
      try (EtcdStorage direct = EtcdStorage.connect(EtcdStorage.Options.of(List.of(etcd.endpoint())))) {
        JsonNode stored = new com.fasterxml.jackson.databind.ObjectMapper().readTree(StorageContractTest.string(
            StorageContractTest.await(direct.get("/registry/configmaps/default/one")).value()));
        assertEquals("one", stored.path("metadata").path("name").asText());
      }

      BlockingQueue<String> events = watch(server, rv);
      assertEquals(201, server.send("POST", CONFIGMAPS, "application/json", configMap("two")).statusCode());
      assertEquals("ADDED two", events.poll(20, TimeUnit.SECONDS));

      etcd.stop();
      HttpResponse<String> refused = server.send("POST", CONFIGMAPS, "application/json", configMap("three"));
      JsonNode status = TestApiServer.json(refused);
      assertTrue(Set.of(503, 504).contains(refused.statusCode()), refused.statusCode() + " " + refused.body());
      assertEquals("Status", status.path("kind").asText(), refused.body());
      assertTrue(Set.of("ServiceUnavailable", "Timeout").contains(status.path("reason").asText()), refused.body());
      assertEquals(refused.statusCode(), status.path("code").asInt());
      if (refused.statusCode() == 503) {
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""), "clients are told to retry");
      }
      awaitReadyz(server, "[-]etcd failed");

      etcd.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      HttpResponse<String> again;
      do {
        Thread.sleep(100);
        again = server.send("POST", CONFIGMAPS, "application/json", configMap("three"));
      } while (again.statusCode() != 201 && System.nanoTime() < deadline);
      assertEquals(201, again.statusCode(), again.body());
      awaitReadyz(server, "[+]etcd ok");
      // The watch rode out the outage: its storage watch re-established itself from its last revision.
      assertEquals("ADDED three", events.poll(20, TimeUnit.SECONDS));
      assertEquals(List.of("one", "three", "two"), names(TestApiServer.json(server.get(CONFIGMAPS))));
    }
  }

  private static String configMap(String name) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},"
        + "\"data\":{\"k\":\"v\"}}";
  }

  private static List<String> names(JsonNode list) {
    return java.util.stream.StreamSupport.stream(list.path("items").spliterator(), false)
        .map(i -> i.path("metadata").path("name").asText()).sorted().toList();
  }

  /** Watches configmaps from {@code rv}; each event (but bookmarks) arrives as "TYPE name". */
  private static BlockingQueue<String> watch(TestApiServer server, String rv) throws Exception {
    HttpResponse<InputStream> stream = server.client().send(HttpRequest.newBuilder(server.uri(
        CONFIGMAPS + "?watch=true&timeoutSeconds=100&resourceVersion=" + rv)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, stream.statusCode());
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          JsonNode ev = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
          events.add(ev.path("type").asText() + " " + ev.path("object").path("metadata").path("name").asText());
        }
      } catch (Exception e) {
        events.add("failed: " + e);
      }
    }, "watch-reader");
    reader.setDaemon(true);
    reader.start();
    return events;
  }

  private static void awaitReadyz(TestApiServer server, String line) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String body;
    do {
      body = server.get("/readyz?verbose").body();
      if (body.contains(line)) {
        return;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("/readyz never showed " + line + ":\n" + body);
  }
}

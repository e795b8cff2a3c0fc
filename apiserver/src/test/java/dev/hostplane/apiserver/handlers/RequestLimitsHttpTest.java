package dev.hostplane.apiserver.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --max-requests-inflight}, {@code --max-mutating-requests-inflight} and {@code --request-timeout} over
 * HTTP. A list at a resourceVersion far in the future (NotOlderThan) waits about 3 s for the cache before it is
 * answered: it is the request held in flight.
 */
class RequestLimitsHttpTest {
  private static final String FUTURE_LIST =
      "/api/v1/namespaces/default/configmaps?resourceVersion=999999999&resourceVersionMatch=NotOlderThan";

  @Test
  void readsOverTheLimitGet429WithRetryAfterWhileMastersProbesAndWritesStillPass(@TempDir Path dir)
      throws Exception {
    try (TestApiServer s = TestApiServer.start(dir, "--max-requests-inflight=2",
        "--max-mutating-requests-inflight=1")) {
      HttpClient alice = clientAs(s, "alice", "developers");
      List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        held.add(alice.sendAsync(get(s, FUTURE_LIST), HttpResponse.BodyHandlers.ofString()));
      }
      Thread.sleep(500); // both are in flight now (each waits about 3 s)

      HttpResponse<String> refused = alice.send(get(s, "/api/v1/namespaces"), HttpResponse.BodyHandlers.ofString());
      assertEquals(429, refused.statusCode(), refused.body());
      assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
      JsonNode status = TestApiServer.json(refused);
      assertEquals("TooManyRequests", status.path("reason").asText());
      assertEquals("Too many requests, please try again later.", status.path("message").asText());
      assertEquals(1, status.path("details").path("retryAfterSeconds").asInt());

      // Not limited: system:masters, the probes, and mutating requests (their own limit).
      assertEquals(200, s.get("/api/v1/namespaces").statusCode());
      assertEquals(200, alice.send(get(s, "/readyz"), HttpResponse.BodyHandlers.ofString()).statusCode());
      HttpResponse<String> created = alice.send(HttpRequest.newBuilder(s.uri("/api/v1/namespaces/default/configmaps"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"c1\"}}"))
          .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(201, created.statusCode(), created.body());

      for (CompletableFuture<HttpResponse<String>> f : held) {
        int code = f.get(20, TimeUnit.SECONDS).statusCode();
        assertTrue(code != 429 && code < 500 || code == 504, "held request answered " + code);
      }
      // Slots are given back: the same read now passes.
      assertEquals(200, alice.send(get(s, "/api/v1/namespaces"), HttpResponse.BodyHandlers.ofString())
          .statusCode());
      assertTrue(s.get("/metrics").body().contains("apiserver_dropped_requests_total{request_kind=\"readOnly\"}"));
    }
  }

  @Test
  void aFloodGetsOnly200sAnd429sAndTheServerStaysHealthy(@TempDir Path dir) throws Exception {
    try (TestApiServer s = TestApiServer.start(dir, "--max-requests-inflight=1")) {
      HttpClient alice = clientAs(s, "alice");
      List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
      flood.add(alice.sendAsync(get(s, FUTURE_LIST), HttpResponse.BodyHandlers.ofString()));
      Thread.sleep(300);
      for (int c = 0; c < 3; c++) { // 3 connections of 90 streams (the server allows 100 per connection)
        HttpClient client = clientAs(s, "alice");
        for (int i = 0; i < 90; i++) {
          flood.add(client.sendAsync(get(s, "/api/v1/namespaces/default/configmaps"),
              HttpResponse.BodyHandlers.ofString()));
        }
      }
      int tooMany = 0;
      for (CompletableFuture<HttpResponse<String>> f : flood.subList(1, flood.size())) {
        HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
        assertTrue(r.statusCode() == 200 || r.statusCode() == 429, r.statusCode() + ": " + r.body());
        if (r.statusCode() == 429) {
          tooMany++;
        }
      }
      assertTrue(tooMany > 0, "the flood was never limited");
      flood.get(0).get(20, TimeUnit.SECONDS);
      assertEquals(200, s.get("/readyz").statusCode());
    }
  }

  @Test
  void aRequestPastTheRequestTimeoutGets504Timeout(@TempDir Path dir) throws Exception {
    try (TestApiServer s = TestApiServer.start(dir, "--request-timeout=1s")) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = s.get(FUTURE_LIST);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(504, r.statusCode(), r.body());
      JsonNode status = TestApiServer.json(r);
      assertEquals("Timeout", status.path("reason").asText());
      assertEquals("Timeout: request did not complete within requested timeout - context deadline exceeded",
          status.path("message").asText());
      assertTrue(ms >= 900 && ms < 2_800, "answered after " + ms + " ms");
      // The server is fine afterwards.
      assertEquals(200, s.get("/api/v1/namespaces").statusCode());
    }
  }

  @Test
  void theTimeoutParameterShortensButNeverLengthensTheDeadline(@TempDir Path dir) throws Exception {
    try (TestApiServer s = TestApiServer.start(dir)) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = s.get(FUTURE_LIST + "&timeout=400ms");
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(504, r.statusCode(), r.body());
      assertTrue(ms < 2_000, "answered after " + ms + " ms");

      HttpResponse<String> bad = s.get("/api/v1/namespaces?timeout=soon");
      assertEquals(400, bad.statusCode(), bad.body());
      assertEquals("BadRequest", TestApiServer.json(bad).path("reason").asText());

      assertEquals(200, s.get("/api/v1/namespaces?timeout=10m").statusCode());
    }
  }

  @Test
  void watchesAreNeitherTimedOutNorCounted(@TempDir Path dir) throws Exception {
    try (TestApiServer s = TestApiServer.start(dir, "--request-timeout=1s", "--max-requests-inflight=1")) {
      HttpClient alice = clientAs(s, "alice");
      CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> watch = alice.sendAsync(
          get(s, "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=4"),
          HttpResponse.BodyHandlers.ofLines());
      HttpResponse<java.util.stream.Stream<String>> w = watch.get(10, TimeUnit.SECONDS);
      assertEquals(200, w.statusCode());
      // The watch holds no slot: a read passes while it is open.
      assertEquals(200, alice.send(get(s, "/api/v1/namespaces"), HttpResponse.BodyHandlers.ofString())
          .statusCode());
      Thread.sleep(1_500); // past --request-timeout
      assertEquals(201, s.send("POST", "/api/v1/namespaces/default/configmaps", "application/json",
          "{\"metadata\":{\"name\":\"late\"}}").statusCode());
      List<String> lines = w.body().toList(); // ends at timeoutSeconds=4
      assertTrue(lines.stream().anyMatch(l -> l.contains("\"ADDED\"") && l.contains("\"late\"")),
          "the watch outlived --request-timeout and saw the write: " + lines);
    }
  }

  private static HttpRequest get(TestApiServer s, String path) {
    return HttpRequest.newBuilder(s.uri(path)).timeout(Duration.ofSeconds(30)).GET().build();
  }

  /**
   * A client authenticated by a client certificate for {@code user} in {@code groups}, not system:masters, bound
   * to cluster-admin (so that only the limits, not authorization, refuse it).
   */
  static HttpClient clientAs(TestApiServer s, String user, String... groups) throws Exception {
    HttpResponse<String> bound = s.send("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
        "application/json", "{\"metadata\":{\"name\":\"limits-" + user + "\"},\"roleRef\":{\"apiGroup\":"
            + "\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"cluster-admin\"},\"subjects\":"
            + "[{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"User\",\"name\":\"" + user + "\"}]}");
    assertTrue(bound.statusCode() == 201 || bound.statusCode() == 409, bound.body());
    HttpClient client = s.clientFor(user, groups);
    for (int i = 0; i < 100; i++) { // the binding takes effect once the authorizer's watch has seen it
      if (client.send(get(s, "/api/v1/namespaces/default"), HttpResponse.BodyHandlers.ofString()).statusCode()
          == 200) {
        return client;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(user + " never became cluster-admin");
  }
}

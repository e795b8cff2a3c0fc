package dev.hostplane.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostplane.apiserver.testing.Http2TestClient;
import dev.hostplane.apiserver.testing.RawHttp1Client;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The shutdown sequence seen from clients, and the probabilistic GOAWAY. */
@Timeout(60)
class ShutdownTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void readyzFailsFirstWhileRequestsAreServedThroughTheDelay() throws Exception {
    TestApiServer s = TestApiServer.start(dir, "--shutdown-delay-duration=1500ms");
    CompletableFuture<Void> closing = CompletableFuture.runAsync(s::close);
    Replicas.await(Duration.ofSeconds(1), "/readyz to fail", () -> s.get("/readyz").statusCode() == 500);
    assertTrue(s.get("/readyz?verbose").body().contains("[-]shutdown failed"));
    assertEquals(200, s.get("/api/v1/namespaces").statusCode(), "still serving during the delay");
    assertFalse(closing.isDone());
    closing.get(20, TimeUnit.SECONDS);
  }

  @Test
  void afterTheDelayNewRequestsGet429WithRetryAfterWhileInFlightOnesFinish() throws Exception {
    TestApiServer s = TestApiServer.start(dir);
    long future = s.server().storage().currentRevision() + 1_000_000;
    // In flight across the drain: a read that waits (3 s) for a resourceVersion the store has not reached.
    CompletableFuture<HttpResponse<String>> inFlight = s.client().sendAsync(HttpRequest.newBuilder(
        s.uri("/api/v1/namespaces/default/configmaps/absent?resourceVersion=" + future)).build(),
        HttpResponse.BodyHandlers.ofString());
    Thread.sleep(300);
    CompletableFuture<Void> closing = CompletableFuture.runAsync(s::close);

    RawHttp1Client.Response refused = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (refused == null && System.nanoTime() < deadline) {
      try (RawHttp1Client c = RawHttp1Client.connect(s.address(), s.tlsContext(false))) {
        c.send("GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n\r\n");
        RawHttp1Client.Response r = c.readResponse();
        if (r.status() == 429) {
          refused = r;
          assertEquals("close", r.head().header("Connection"));
          assertTrue(c.readsEof(), "the connection closes after the 429");
        }
      }
    }
    assertTrue(refused != null, "a 429 while draining");
    assertEquals("1", refused.head().header("Retry-After"));
    JsonNode status = JSON.readTree(refused.text());
    assertEquals("Status", status.path("kind").asText());
    assertEquals("TooManyRequests", status.path("reason").asText());
    assertEquals(429, status.path("code").asInt());
    assertEquals("The apiserver is shutting down, please try again later.", status.path("message").asText());
    assertEquals(1, status.at("/details/retryAfterSeconds").asInt());

    try (Http2TestClient h2 = Http2TestClient.connect(s.address(), s.ca(), Duration.ofSeconds(5))) {
      Http2TestClient.Response r = h2.get("/version", Duration.ofSeconds(5));
      assertEquals(429, r.status());
      assertEquals("1", r.headers().get("retry-after").toString());
      assertNull(r.headers().get("connection"));
      assertEquals(0L, h2.goAway().get(5, TimeUnit.SECONDS), "HTTP/2 gets a GOAWAY instead");
    }
    try (RawHttp1Client c = RawHttp1Client.connect(s.address(), s.tlsContext(false))) {
      c.send("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(500, c.readResponse().status(), "health checks stay exempt: they say why");
    }

    HttpResponse<String> finished = inFlight.get(10, TimeUnit.SECONDS);
    assertEquals(504, finished.statusCode(), "the in-flight request ran to its end: " + finished.body());
    closing.get(20, TimeUnit.SECONDS);
  }

  @Test
  void everyWatchEndsWithABookmarkOfItsLatestResourceVersion() throws Exception {
    TestApiServer s = TestApiServer.start(dir);
    String rv = TestApiServer.json(s.get("/api/v1/namespaces/default/configmaps")).at("/metadata/resourceVersion")
        .asText();
    HttpResponse<InputStream> watch = s.client().send(HttpRequest.newBuilder(s.uri(
        "/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=" + rv)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    HttpResponse<String> created = s.send("POST", "/api/v1/namespaces/default/configmaps", "application/json",
        Replicas.configMap("before-shutdown"));
    String createdRv = TestApiServer.json(created).at("/metadata/resourceVersion").asText();
    List<JsonNode> events = new ArrayList<>();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(watch.body(), StandardCharsets.UTF_8))) {
      events.add(JSON.readTree(lines.readLine()));
      CompletableFuture<Void> closing = CompletableFuture.runAsync(s::close);
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        events.add(JSON.readTree(line));
      }
      closing.get(20, TimeUnit.SECONDS);
    }
    assertEquals("ADDED", events.get(0).path("type").asText());
    JsonNode last = events.get(events.size() - 1);
    assertEquals("BOOKMARK", last.path("type").asText(), events.toString());
    assertTrue(Long.parseLong(last.at("/object/metadata/resourceVersion").asText()) >= Long.parseLong(createdRv));
  }

  @Test
  void aGoawayChanceOfOneEndsHttp2ConnectionsAfterResponsesButNeverForWatches() throws Exception {
    ApiServerConfig config = TestApiServer.config(dir).withGoawayChance(1.0);
    try (TestApiServer s = TestApiServer.of(ApiServer.start(config), dir)) {
      try (Http2TestClient c = Http2TestClient.connect(s.address(), s.ca(), Duration.ofSeconds(5))) {
        assertEquals(200, c.get("/version", Duration.ofSeconds(5)).status());
        assertEquals(0L, c.goAway().get(5, TimeUnit.SECONDS));
        c.closed().get(5, TimeUnit.SECONDS);
      }
      try (Http2TestClient c = Http2TestClient.connect(s.address(), s.ca(), Duration.ofSeconds(5))) {
        assertEquals(401, c.get("/api/v1/namespaces?watch=1", Duration.ofSeconds(5)).status());
        assertThrows(TimeoutException.class, () -> c.goAway().get(300, TimeUnit.MILLISECONDS), "not for a watch");
      }
      try (RawHttp1Client c = RawHttp1Client.connect(s.address(), s.tlsContext(false))) {
        for (int i = 0; i < 2; i++) {
          c.send("GET /version HTTP/1.1\r\nHost: x\r\n\r\n");
          RawHttp1Client.Response r = c.readResponse();
          assertEquals(200, r.status());
          assertNull(r.head().header("Connection"), "HTTP/1.1 connections are left alone");
        }
      }
    }
  }
}

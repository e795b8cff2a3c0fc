package dev.hostplane.apiserver.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.testing.RawHttp1Client;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watcher that stops reading is ended once its bounded buffer is full, cleanly (the stream ends; nothing is
 * corrupted), while a watcher that keeps reading gets every event; the server stays responsive.
 */
class SlowWatcherHttpTest {
  @TempDir
  Path dir;

  @Test
  @Timeout(120)
  void aWatcherThatCannotKeepUpIsEndedAndOthersAreNot() throws Exception {
    try (TestApiServer s = TestApiServer.start(dir)) {
      String rv = TestApiServer.json(s.get("/api/v1/namespaces/default/configmaps")).at("/metadata/resourceVersion")
          .asText();
      String watchPath = "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=" + rv;

      // The fast watcher: counts events as they arrive.
      AtomicInteger fastEvents = new AtomicInteger();
      CompletableFuture<HttpResponse<java.io.InputStream>> fast = s.client().sendAsync(
          HttpRequest.newBuilder(s.uri(watchPath)).build(), HttpResponse.BodyHandlers.ofInputStream());
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fast.get(10, TimeUnit.SECONDS).body(),
            StandardCharsets.UTF_8))) {
          while (r.readLine() != null) {
            fastEvents.incrementAndGet();
          }
        } catch (Exception ignored) {
          // ends with the test
        }
      });
      reader.setDaemon(true);
      reader.start();

      // The slow watcher: reads the head, then nothing.
      try (RawHttp1Client slow = s.rawAdmin()) {
        slow.socket().setReceiveBufferSize(64 * 1024);
        slow.send("GET " + watchPath + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(200, slow.readHead().status());

        String payload = "x".repeat(512 * 1024);
        int writes = 80; // 40 MiB of events: far beyond the 16 MiB a watcher may have queued
        for (int i = 0; i < writes; i++) {
          String body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"big-" + i
              + "\"},\"data\":{\"k\":\"" + payload + "\"}}";
          HttpResponse<String> r = s.send("POST", "/api/v1/namespaces/default/configmaps", "application/json",
              body);
          assertEquals(201, r.statusCode(), r.body());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (fastEvents.get() < writes && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertEquals(writes, fastEvents.get(), "the watcher that keeps reading gets every event");

        // Now the slow one reads: what was queued, then a clean end of the stream before all events.
        int slowEvents = 0;
        StringBuilder partial = new StringBuilder();
        for (byte[] c = slow.readChunk(); c != null; c = slow.readChunk()) {
          partial.append(new String(c, StandardCharsets.UTF_8));
          int nl;
          while ((nl = partial.indexOf("\n")) >= 0) {
            assertTrue(partial.substring(0, nl).startsWith("{\"type\":\"ADDED\""), "whole events only");
            partial.delete(0, nl + 1);
            slowEvents++;
          }
        }
        assertEquals(0, partial.length(), "the stream ends on an event boundary");
        assertTrue(slowEvents < writes, "the slow watcher was ended early, got " + slowEvents);
      }
      assertEquals("ok", s.get("/readyz").body());
    }
  }
}

package dev.hostplane.webhook;

import static dev.hostplane.webhook.WebhookFixture.hook;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many concurrent writes through several webhooks: pooled connections, none leaked; figures printed. */
class WebhookLoadTest {
  @TempDir
  Path dir;

  @Test
  void concurrentCreatesThroughThreeWebhooksLeakNoConnections() throws Exception {
    Duration idle = Duration.ofSeconds(2);
    try (WebhookFixture f = WebhookFixture.start(dir, idle);
        WebhookServer mutator = f.server(List.of(), r -> WebhookServer.patch(r,
            "[{\"op\":\"add\",\"path\":\"/data/mutated\",\"value\":\"true\"}]"));
        WebhookServer v1 = f.server(List.of(), WebhookServer::allow);
        WebhookServer v2 = f.server(List.of(), WebhookServer::allow)) {
      f.register(true, "load-mutate", hook("mutate.load.example.com", mutator, "/m"));
      f.register(false, "load-validate", hook("v1.load.example.com", v1, "/v"),
          hook("v2.load.example.com", v2, "/v"));

      // Four HTTP/2 connections of 50 streams each (the apiserver allows 100 streams per connection).
      List<java.net.http.HttpClient> clients = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        clients.add(f.api.clientFor("kubernetes-admin", "system:masters"));
      }
      List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        all.add(clients.get(i % 4).sendAsync(create(f, "default", "load-" + i),
            HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> r : all) {
        HttpResponse<String> resp = r.get();
        assertEquals(201, resp.statusCode(), resp.body());
        assertTrue(resp.body().contains("\"mutated\":\"true\""), resp.body());
      }
      for (WebhookServer s : List.of(mutator, v1, v2)) {
        assertEquals(200, s.received().size());
        assertTrue(s.acceptedConnections() <= 200, "connections " + s.acceptedConnections());
      }
      System.out.printf("200 concurrent creates: connections accepted by the webhooks %d/%d/%d, open after %d/%d/%d"
          + ", client side open %d%n", mutator.acceptedConnections(), v1.acceptedConnections(),
          v2.acceptedConnections(), mutator.openConnections(), v1.openConnections(), v2.openConnections(),
          f.plugin.openConnections());
      // Sequential creates reuse the pooled connections: no new ones.
      int before = v1.acceptedConnections();
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> resp = f.api.client().send(create(f, "default", "seq-" + i),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(201, resp.statusCode());
      }
      assertEquals(before, v1.acceptedConnections());
      // Idle connections are closed once idle for the idle timeout: nothing stays open on either side.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < deadline && (mutator.openConnections() + v1.openConnections()
          + v2.openConnections() + f.plugin.openConnections()) > 0) {
        Thread.sleep(50);
      }
      assertEquals(0, mutator.openConnections() + v1.openConnections() + v2.openConnections());
      assertEquals(0, f.plugin.openConnections());
    }
  }

  /** Figures only (printed, not asserted): added latency per webhook call, and creates/s with and without. */
  @Test
  void figures() throws Exception {
    try (WebhookFixture f = WebhookFixture.start(dir, Duration.ofSeconds(30));
        WebhookServer mutator = f.server(List.of(), r -> WebhookServer.patch(r,
            "[{\"op\":\"add\",\"path\":\"/data/mutated\",\"value\":\"true\"}]"));
        WebhookServer validator = f.server(List.of(), WebhookServer::allow)) {
      f.namespace("bare");
      f.namespace("hooked", "hooked", "yes");
      ObjectNodeHook.register(f, mutator, validator);
      // Interleaved, so both series see the same JIT, GC and machine load.
      int n = 600;
      long[] bare = new long[n];
      long[] hooked = new long[n];
      for (int i = -100; i < n; i++) { // the first 100 rounds warm up
        long b = timedCreate(f, "bare", "seq-" + i);
        long h = timedCreate(f, "hooked", "seq-" + i);
        if (i >= 0) {
          bare[i] = b;
          hooked[i] = h;
        }
      }
      Arrays.sort(bare);
      Arrays.sort(hooked);
      double bareRate = throughput(f, "bare", 1000, 16);
      double hookedRate = throughput(f, "hooked", 1000, 16);
      System.out.printf("create latency without webhooks: p50 %.2f ms, p99 %.2f ms%n", ms(bare, 50), ms(bare, 99));
      System.out.printf("create latency with 1 mutating + 1 validating: p50 %.2f ms, p99 %.2f ms%n",
          ms(hooked, 50), ms(hooked, 99));
      System.out.printf("added latency per webhook call (direct, difference / 2): p50 %.2f ms, p99 %.2f ms%n",
          (ms(hooked, 50) - ms(bare, 50)) / 2, (ms(hooked, 99) - ms(bare, 99)) / 2);
      String metrics = f.api.get("/metrics").body();
      System.out.printf("mean webhook call as the dispatcher measures it: %.3f ms%n",
          1000 * metric(metrics, "apiserver_admission_webhook_admission_duration_seconds_sum")
              / metric(metrics, "apiserver_admission_webhook_admission_duration_seconds_count"));
      System.out.printf("creates/s (16 concurrent): without %.0f, with %.0f (ratio %.2f)%n", bareRate,
          hookedRate, hookedRate / bareRate);
      assertEquals(1700, mutator.received().size()); // with the warm-up
    }
  }

  /** Registers the figures' webhooks, limited to namespaces labelled hooked=yes. */
  private static final class ObjectNodeHook {
    static void register(WebhookFixture f, WebhookServer mutator, WebhookServer validator) throws Exception {
      var m = hook("mutate.figures.example.com", mutator, "/m");
      m.putObject("namespaceSelector").putObject("matchLabels").put("hooked", "yes");
      var v = hook("validate.figures.example.com", validator, "/v");
      v.putObject("namespaceSelector").putObject("matchLabels").put("hooked", "yes");
      f.register(true, "figures-m", m);
      f.register(false, "figures-v", v);
    }
  }

  private static long timedCreate(WebhookFixture f, String ns, String name) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r = f.api.client().send(create(f, ns, name), HttpResponse.BodyHandlers.ofString());
    long took = System.nanoTime() - start;
    assertEquals(201, r.statusCode(), r.body());
    return took;
  }

  /** The sum of every sample of a metric (all label sets). */
  private static double metric(String text, String name) {
    return text.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private static double throughput(WebhookFixture f, String ns, int n, int concurrency) throws Exception {
    Semaphore slots = new Semaphore(concurrency);
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      slots.acquire();
      CompletableFuture<HttpResponse<String>> r = f.api.client().sendAsync(create(f, ns, "rate-" + i),
          HttpResponse.BodyHandlers.ofString());
      r.whenComplete((x, e) -> slots.release());
      all.add(r);
    }
    for (CompletableFuture<HttpResponse<String>> r : all) {
      assertEquals(201, r.get().statusCode());
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  private static double ms(long[] sorted, int percentile) {
    return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)] / 1e6;
  }

  private static HttpRequest create(WebhookFixture f, String ns, String name) {
    return HttpRequest.newBuilder(URI.create(f.api.uri("/api/v1/namespaces/" + ns + "/configmaps").toString()))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(WebhookFixture.configMap(name))).build();
  }
}

package dev.hostplane.apiserver.replicas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostplane.apiserver.testing.EtcdProcess;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas on one etcd are restarted one after another while a stream of writes goes on and 50 watchers follow,
 * each reconnecting to another replica (as through a load balancer) from its last resourceVersion whenever its stream
 * ends. Every watcher must end with every acknowledged write exactly once, in resourceVersion order, without a 410 and
 * without listing again.
 */
@Tag("slow")
class RollingRestartTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int REPLICAS = 3;
  private static final int WATCHERS = 50;
  private static final String NS_PATH = "/api/v1/namespaces/default/configmaps";

  @TempDir
  Path dir;

  private record Write(String name, long rv) {}

  @Test
  @Timeout(300)
  void watchersFollowEveryWriteAcrossARollingRestart() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.launch()) {
      String[] flags = {"--etcd-servers=" + etcd.endpoint(), "--shutdown-watch-termination-grace-period=2s"};
      List<TestApiServer> live = new CopyOnWriteArrayList<>();
      for (int i = 0; i < REPLICAS; i++) {
        live.add(TestApiServer.start(dir, flags)); // one cert dir: every replica serves the same CA's certificate
      }
      HttpClient client = live.get(0).client();
      List<Integer> ports = new CopyOnWriteArrayList<>();
      live.forEach(s -> ports.add(s.server().port()));

      String startRv = TestApiServer.json(live.get(0).get(NS_PATH)).at("/metadata/resourceVersion").asText();
      AtomicBoolean writing = new AtomicBoolean(true);
      List<Write> acknowledged = new CopyOnWriteArrayList<>();
      AtomicInteger writeRetries = new AtomicInteger();
      Thread writer = new Thread(() -> write(client, ports, writing, acknowledged, writeRetries), "writer");
      writer.start();

      List<Follower> followers = new ArrayList<>();
      for (int i = 0; i < WATCHERS; i++) {
        Follower f = new Follower(i, client, ports, Long.parseLong(startRv));
        followers.add(f);
        f.start();
      }

      // The rolling restart: each replica in turn ends gracefully and a new one takes its place.
      Thread.sleep(1500);
      for (int i = 0; i < REPLICAS; i++) {
        TestApiServer old = live.remove(0);
        ports.remove(Integer.valueOf(old.server().port()));
        old.close();
        TestApiServer fresh = TestApiServer.start(dir, flags);
        live.add(fresh);
        ports.add(fresh.server().port());
        Thread.sleep(1500);
      }
      writing.set(false);
      writer.join(30_000);

      List<Write> expected = new ArrayList<>(acknowledged);
      expected.sort(Comparator.comparingLong(Write::rv));
      assertTrue(expected.size() > 50, "writes went on during the restart: " + expected.size());
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      for (Follower f : followers) {
        while (f.seen.size() < expected.size() && System.nanoTime() < deadline && f.failure.get() == null) {
          Thread.sleep(20);
        }
      }
      followers.forEach(Follower::finish);
      int reconnects = 0;
      for (Follower f : followers) {
        assertEquals(null, f.failure.get(), "watcher " + f.index);
        assertEquals(0, f.gone.get(), "watcher " + f.index + " got 410 Gone");
        assertEquals(0, f.relists.get(), "watcher " + f.index + " listed again");
        assertEquals(expected, List.copyOf(f.seen), "watcher " + f.index + " saw every write once, in order");
        reconnects += f.reconnects.get();
      }
      System.out.printf("rolling restart: %d writes (%d retried), %d watchers, %d reconnects%n", expected.size(),
          writeRetries.get(), WATCHERS, reconnects);
      assertTrue(reconnects >= WATCHERS, "watches moved between replicas: " + reconnects + " reconnects");
      live.forEach(TestApiServer::close);
    }
  }

  /** Creates ConfigMaps one after another through any live replica, retrying a failed one on the next. */
  private static void write(HttpClient client, List<Integer> ports, AtomicBoolean writing, List<Write> acknowledged,
      AtomicInteger retries) {
    int n = 0;
    while (writing.get()) {
      String name = "w-" + n;
      String body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
          + "\"},\"data\":{\"n\":\"" + n + "\"}}";
      for (int attempt = 0; ; attempt++) {
        int port = ports.get((n + attempt) % ports.size());
        try {
          HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri(port, NS_PATH))
              .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 201) {
            acknowledged.add(new Write(name, rv(JSON.readTree(r.body()))));
            break;
          }
          if (r.statusCode() == 409) { // an earlier attempt did land: learn its revision
            HttpResponse<String> g = client.send(HttpRequest.newBuilder(uri(port, NS_PATH + "/" + name)).build(),
                HttpResponse.BodyHandlers.ofString());
            if (g.statusCode() == 200) {
              acknowledged.add(new Write(name, rv(JSON.readTree(g.body()))));
              break;
            }
          }
        } catch (Exception e) {
          // the replica went away mid-request: try the next one
        }
        retries.incrementAndGet();
        pause(50);
      }
      n++;
      pause(20);
    }
  }

  /** A watcher as a client library runs it: watch from the last resourceVersion, reconnect on end, relist on 410. */
  private static final class Follower extends Thread {
    final int index;
    final HttpClient client;
    final List<Integer> ports;
    final List<Write> seen = new CopyOnWriteArrayList<>();
    final AtomicInteger gone = new AtomicInteger();
    final AtomicInteger relists = new AtomicInteger();
    final AtomicInteger reconnects = new AtomicInteger();
    final java.util.concurrent.atomic.AtomicReference<String> failure = new java.util.concurrent.atomic.AtomicReference<>();
    volatile boolean stopping;
    volatile long lastRv;

    Follower(int index, HttpClient client, List<Integer> ports, long startRv) {
      super("watcher-" + index);
      setDaemon(true);
      this.index = index;
      this.client = client;
      this.ports = ports;
      this.lastRv = startRv;
    }

    @Override
    public void run() {
      int attempt = index;
      while (!stopping) {
        int port = ports.get(Math.floorMod(attempt++, ports.size()));
        String path = NS_PATH + "?watch=1&allowWatchBookmarks=true&resourceVersion=" + lastRv;
        try {
          HttpResponse<java.io.InputStream> r = client.send(HttpRequest.newBuilder(uri(port, path)).build(),
              HttpResponse.BodyHandlers.ofInputStream());
          if (r.statusCode() != 200) {
            r.body().close();
            pause(50);
            continue;
          }
          try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while (!stopping && (line = in.readLine()) != null) {
              handle(JSON.readTree(line));
            }
          }
        } catch (Exception e) {
          // connection ended with its replica: resume elsewhere
        }
        if (!stopping) {
          reconnects.incrementAndGet();
          pause(20);
        }
      }
    }

    private void handle(JsonNode event) {
      String type = event.path("type").asText();
      JsonNode obj = event.path("object");
      switch (type) {
        case "ADDED", "MODIFIED", "DELETED" -> {
          long rv = rv(obj);
          if (rv <= lastRv) {
            failure.compareAndSet(null, "event at " + rv + " after " + lastRv + " (duplicate or out of order)");
          }
          lastRv = rv;
          if (type.equals("ADDED")) {
            seen.add(new Write(obj.at("/metadata/name").asText(), rv));
          }
        }
        case "BOOKMARK" -> lastRv = Math.max(lastRv, rv(obj));
        case "ERROR" -> {
          if (obj.path("code").asInt() == 410) {
            gone.incrementAndGet();
            relists.incrementAndGet(); // a client library would list again here
            stopping = true;
          }
        }
        default -> failure.compareAndSet(null, "unexpected event type " + type);
      }
    }

    void finish() {
      stopping = true;
      interrupt();
    }
  }

  private static long rv(JsonNode obj) {
    return Long.parseLong(obj.at("/metadata/resourceVersion").asText());
  }

  private static java.net.URI uri(int port, String path) {
    return java.net.URI.create("https://127.0.0.1:" + port + path);
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

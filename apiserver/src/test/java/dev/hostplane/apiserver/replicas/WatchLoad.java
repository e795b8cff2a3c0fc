package dev.hostplane.apiserver.replicas;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Load for tests of replicas and outages: a writer creating ConfigMaps through whichever apiserver answers, and
 * watchers that follow like a client library's reflector (watch from the last resourceVersion, reconnect to the next
 * apiserver when the stream ends, relist on 410). Apiservers are given as a live list of ports (a load balancer).
 */
final class WatchLoad {
  static final String CONFIGMAPS = "/api/v1/namespaces/default/configmaps";
  private static final ObjectMapper JSON = new ObjectMapper();

  private WatchLoad() {}

  /** One acknowledged write: the object's name and the resourceVersion the server returned. */
  record Write(String name, long rv) {}

  /** Creates {@code w-0, w-1, ...} one after another, retrying a failed one (on the next apiserver) until it lands. */
  static final class Writer extends Thread {
    private final HttpClient client;
    private final List<Integer> ports;
    final List<Write> acknowledged = new CopyOnWriteArrayList<>();
    final AtomicInteger retries = new AtomicInteger();
    final AtomicInteger unavailable = new AtomicInteger();
    private volatile boolean writing = true;

    Writer(HttpClient client, List<Integer> ports) {
      super("writer");
      setDaemon(true);
      this.client = client;
      this.ports = ports;
    }

    @Override
    public void run() {
      for (int n = 0; writing; n++) {
        String name = "w-" + n;
        String body = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
            + "\"},\"data\":{\"n\":\"" + n + "\"}}";
        for (int attempt = 0; ; attempt++) {
          int port = ports.get(Math.floorMod(n + attempt, ports.size()));
          try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri(port, CONFIGMAPS))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 201) {
              acknowledged.add(new Write(name, rv(JSON.readTree(r.body()))));
              break;
            }
            if (r.statusCode() == 409) { // an earlier attempt did land: learn its revision
              HttpResponse<String> g = client.send(HttpRequest.newBuilder(uri(port, CONFIGMAPS + "/" + name))
                  .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
              if (g.statusCode() == 200) {
                acknowledged.add(new Write(name, rv(JSON.readTree(g.body()))));
                break;
              }
            }
            if (r.statusCode() == 503 || r.statusCode() == 504) {
              unavailable.incrementAndGet();
            }
          } catch (Exception e) {
            // the apiserver went away mid-request: try the next one
          }
          retries.incrementAndGet();
          pause(50);
        }
        pause(20);
      }
    }

    /** Stops after the write in progress lands; returns the acknowledged writes in resourceVersion order. */
    List<Write> finish() throws InterruptedException {
      writing = false;
      join(60_000);
      List<Write> all = new ArrayList<>(acknowledged);
      all.sort(Comparator.comparingLong(Write::rv));
      return all;
    }
  }

  /** A watcher as a client library runs one. */
  static final class Follower extends Thread {
    final int index;
    private final HttpClient client;
    private final List<Integer> ports;
    final List<Write> seen = new CopyOnWriteArrayList<>();
    final AtomicInteger gone = new AtomicInteger();
    final AtomicInteger relists = new AtomicInteger();
    final AtomicInteger reconnects = new AtomicInteger();
    final AtomicReference<String> failure = new AtomicReference<>();
    private volatile boolean stopping;
    private volatile long lastRv;

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
        String path = CONFIGMAPS + "?watch=1&allowWatchBookmarks=true&resourceVersion=" + lastRv;
        try {
          HttpResponse<java.io.InputStream> r = client.send(HttpRequest.newBuilder(uri(port, path)).build(),
              HttpResponse.BodyHandlers.ofInputStream());
          if (r.statusCode() == 200) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
              String line;
              while (!stopping && (line = in.readLine()) != null) {
                handle(JSON.readTree(line));
              }
            }
          } else {
            r.body().close();
          }
        } catch (Exception e) {
          // the connection ended with its apiserver: resume elsewhere
        }
        if (!stopping) {
          reconnects.incrementAndGet();
          pause(50);
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

  /** Starts {@code n} followers from {@code startRv}. */
  static List<Follower> follow(int n, HttpClient client, List<Integer> ports, long startRv) {
    List<Follower> followers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Follower f = new Follower(i, client, ports, startRv);
      followers.add(f);
      f.start();
    }
    return followers;
  }

  /**
   * Waits (bounded) until every follower has seen {@code expected}, stops them, and asserts each saw exactly those
   * writes, in order, with no 410 and no relist. Returns the total of reconnects.
   */
  static int assertEveryFollowerSawExactly(List<Follower> followers, List<Write> expected, Duration wait)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    for (Follower f : followers) {
      while (f.seen.size() < expected.size() && System.nanoTime() < deadline && f.failure.get() == null
          && f.gone.get() == 0) {
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
    return reconnects;
  }

  static long rv(JsonNode obj) {
    return Long.parseLong(obj.at("/metadata/resourceVersion").asText());
  }

  static URI uri(int port, String path) {
    return URI.create("https://127.0.0.1:" + port + path);
  }

  static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

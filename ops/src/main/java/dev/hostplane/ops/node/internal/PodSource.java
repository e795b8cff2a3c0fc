package dev.hostplane.ops.node.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * The pods bound to this node: a list, then a watch from its resourceVersion; after a dropped watch it resumes from
 * the last resourceVersion seen (events and bookmarks), and relists when that is too old (410 Gone). Runs on its own
 * thread until interrupted or {@link #close}d.
 */
public final class PodSource implements Runnable {
  private static final int DEFAULT_WATCH_SECONDS = 300;
  /** What the source tells its owner; called on the source's thread. */
  public interface Sink {
    /** The pod was added or changed. */
    void upsert(JsonNode pod);

    /** The pod is gone from the apiserver. */
    void delete(JsonNode pod);

    /** A fresh list: every pod not in {@code uids} is gone. */
    void retain(Set<String> uids);
  }

  private final ApiClient api;
  private final String selector;
  private final Sink sink;
  private final int watchSeconds;
  private final java.util.concurrent.atomic.AtomicInteger lists = new java.util.concurrent.atomic.AtomicInteger();
  private volatile boolean closed;
  private volatile InputStream watch;

  public PodSource(ApiClient api, String nodeName, Sink sink) {
    this(api, nodeName, sink, DEFAULT_WATCH_SECONDS);
  }

  /** @param watchSeconds how long each watch asks to last ({@code timeoutSeconds}) before it is resumed */
  PodSource(ApiClient api, String nodeName, Sink sink, int watchSeconds) {
    this.api = api;
    this.selector = "fieldSelector=" + URLEncoder.encode("spec.nodeName=" + nodeName, StandardCharsets.UTF_8);
    this.sink = sink;
    this.watchSeconds = watchSeconds;
  }

  /** How many times the pods were listed (once at start, then after each 410). */
  int lists() {
    return lists.get();
  }

  @Override
  public void run() {
    String rv = null;
    while (!closed) {
      try {
        if (rv == null) {
          rv = list();
        }
        rv = watch(rv);
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
        System.err.println("node: pod watch failed, retrying: " + e.getMessage());
        if (!pause()) {
          return;
        }
      }
    }
  }

  private boolean pause() {
    try {
      Thread.sleep(1000);
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }

  private String list() throws IOException, InterruptedException {
    lists.incrementAndGet();
    ApiClient.Response r = api.get("/api/v1/pods?" + selector);
    if (!r.ok()) {
      throw new IOException("listing pods: " + r.code() + " " + r.body());
    }
    JsonNode list = r.json();
    Set<String> uids = new HashSet<>();
    for (JsonNode pod : list.path("items")) {
      uids.add(pod.path("metadata").path("uid").asText());
    }
    sink.retain(uids);
    for (JsonNode pod : list.path("items")) {
      sink.upsert(pod);
    }
    return list.path("metadata").path("resourceVersion").asText();
  }

  /** Watches from {@code rv}; returns the resourceVersion to resume from, or null to relist. */
  private String watch(String rv) throws IOException, InterruptedException {
    HttpResponse<InputStream> r = api.stream("/api/v1/pods?" + selector + "&watch=true&allowWatchBookmarks=true"
        + "&timeoutSeconds=" + watchSeconds + "&resourceVersion=" + rv);
    if (r.statusCode() == 410) {
      r.body().close();
      return null;
    }
    if (r.statusCode() != 200) {
      String body = new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
      throw new IOException("watching pods: " + r.statusCode() + " " + body);
    }
    watch = r.body();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode event = ApiClient.JSON.readTree(line);
        JsonNode object = event.path("object");
        switch (event.path("type").asText()) {
          case "ADDED", "MODIFIED" -> sink.upsert(object);
          case "DELETED" -> sink.delete(object);
          case "BOOKMARK" -> { }
          case "ERROR" -> {
            // 410 Expired (and any other error): the window moved on; start again from a list.
            return null;
          }
          default -> { }
        }
        String next = object.path("metadata").path("resourceVersion").asText("");
        if (!next.isEmpty()) {
          rv = next;
        }
      }
    } catch (IOException e) {
      if (closed) {
        return rv;
      }
      System.err.println("node: pod watch dropped, resuming from resourceVersion " + rv + ": " + e.getMessage());
    } finally {
      watch = null;
    }
    return rv;
  }

  public void close() {
    closed = true;
    InputStream w = watch;
    if (w != null) {
      try {
        w.close();
      } catch (IOException e) {
        // Closing anyway.
      }
    }
  }
}

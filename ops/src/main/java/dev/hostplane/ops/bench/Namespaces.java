package dev.hostplane.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The namespaces a run works in. A namespace the bench creates carries the bench label; only labelled namespaces
 * are deleted at the end, so pointing {@code --namespace} at an existing namespace of someone else never deletes
 * it. Used from the main thread only (blocking calls).
 */
public final class Namespaces {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration TERMINATION_WAIT = Duration.ofMinutes(3);

  private final Http2Client client;
  private final PrintStream log;
  private final Set<String> owned = new LinkedHashSet<>();

  public Namespaces(Http2Client client, PrintStream log) {
    this.client = client;
    this.log = log;
  }

  public static String path(String namespace) {
    return "/api/v1/namespaces/" + namespace;
  }

  /**
   * Makes sure {@code namespace} exists and accepts new objects: creates it, or waits until a Terminating one (a
   * previous run's) is gone and creates it again. Returns true when this call created it. Fails with a
   * {@link BenchException} carrying the server's message when the server refuses (e.g. 401, 403).
   */
  public boolean ensure(String namespace) {
    long deadline = System.nanoTime() + TERMINATION_WAIT.toNanos();
    boolean waited = false;
    while (true) {
      HttpResponse created = client.call(HttpRequest.post("/api/v1/namespaces", body(namespace)), CALL_TIMEOUT);
      if (created.ok()) {
        owned.add(namespace);
        return true;
      }
      if (created.status() != 409) {
        throw new BenchException("cannot create namespace " + namespace + ": " + created.describe());
      }
      HttpResponse existing = client.call(HttpRequest.get(path(namespace)), CALL_TIMEOUT);
      if (existing.status() == 404) {
        continue; // deleted in between
      }
      if (!existing.ok()) {
        throw new BenchException("cannot read namespace " + namespace + ": " + existing.describe());
      }
      JsonNode ns = existing.json();
      if (!"Terminating".equals(ns.path("status").path("phase").asText())) {
        if (ConfigMaps.LABEL_VALUE.equals(ns.path("metadata").path("labels").path(ConfigMaps.LABEL).asText())) {
          owned.add(namespace);
        }
        return false;
      }
      if (!waited) {
        log.println("bench: namespace " + namespace + " is terminating; waiting until it is gone");
        waited = true;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new BenchException("namespace " + namespace + " is still terminating after "
            + TERMINATION_WAIT.toSeconds() + " s");
      }
      sleep(Duration.ofMillis(500));
    }
  }

  /**
   * Deletes the namespaces this run created or that carry the bench label. Best effort: failures are logged, not
   * thrown. Does not wait for the namespaces' contents to be removed.
   */
  public void deleteOwned() {
    if (!owned.isEmpty()) {
      log.println("bench: deleting namespaces " + String.join(", ", owned));
    }
    for (String ns : owned) {
      try {
        HttpResponse r = client.call(HttpRequest.delete(path(ns)), CALL_TIMEOUT);
        if (!r.ok() && r.status() != 404) {
          log.println("bench: could not delete namespace " + ns + ": " + r.describe());
        }
      } catch (BenchException e) {
        log.println("bench: could not delete namespace " + ns + ": " + e.getMessage());
      }
    }
    owned.clear();
  }

  /** The names of every ConfigMap in {@code namespace}, read in pages of 500. */
  public List<String> configMapNames(String namespace) {
    List<String> names = new ArrayList<>();
    String cont = "";
    do {
      String path = ConfigMaps.collection(namespace) + "?limit=500"
          + (cont.isEmpty() ? "" : "&continue=" + java.net.URLEncoder.encode(cont, StandardCharsets.UTF_8));
      HttpResponse r = client.call(HttpRequest.get(path), CALL_TIMEOUT);
      if (!r.ok()) {
        throw new BenchException("cannot list configmaps in " + namespace + ": " + r.describe());
      }
      JsonNode list = r.json();
      for (JsonNode item : list.path("items")) {
        names.add(item.path("metadata").path("name").asText());
      }
      cont = list.path("metadata").path("continue").asText("");
    } while (!cont.isEmpty());
    return names;
  }

  private static byte[] body(String namespace) {
    return ("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + namespace
        + "\",\"labels\":{\"" + ConfigMaps.LABEL + "\":\"" + ConfigMaps.LABEL_VALUE + "\"}}}")
        .getBytes(StandardCharsets.US_ASCII);
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted");
    }
  }
}

package dev.hostplane.ops.node.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Readiness and liveness probes as a kubelet runs them: {@code exec} (exit code 0), {@code httpGet} (a status from
 * 200 to 399) and {@code tcpSocket} (a connection), against the pod's address, every {@code periodSeconds} after
 * {@code initialDelaySeconds}, with {@code successThreshold}/{@code failureThreshold}. Blocking, on the pod's
 * worker thread (each probe is bounded by its {@code timeoutSeconds}).
 */
final class Prober {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .followRedirects(HttpClient.Redirect.NEVER).build();

  private final JsonNode probe;
  private final JsonNode container;
  private final String host;
  private Instant next;
  private int successes;
  private int failures;
  private boolean passing;

  /** @param initial the result before the first probe decides (readiness: false; liveness: true) */
  Prober(JsonNode probe, JsonNode container, String host, Instant started, boolean initial) {
    this.probe = probe;
    this.container = container;
    this.host = host;
    this.next = started.plusSeconds(probe.path("initialDelaySeconds").asLong(0));
    this.passing = initial;
  }

  /** Probes when due and returns the result so far (after the thresholds). */
  boolean check(Instant now, Map<String, String> env, Path workDir) {
    if (now.isBefore(next)) {
      return passing;
    }
    next = now.plusSeconds(Math.max(1, probe.path("periodSeconds").asLong(10)));
    if (once(env, workDir)) {
      failures = 0;
      if (++successes >= Math.max(1, probe.path("successThreshold").asInt(1))) {
        passing = true;
      }
    } else {
      successes = 0;
      if (++failures >= Math.max(1, probe.path("failureThreshold").asInt(3))) {
        passing = false;
      }
    }
    return passing;
  }

  private boolean once(Map<String, String> env, Path workDir) {
    long timeout = Math.max(1, probe.path("timeoutSeconds").asLong(1));
    try {
      if (probe.has("exec")) {
        List<String> command = new ArrayList<>();
        probe.path("exec").path("command").forEach(n -> command.add(n.asText()));
        if (command.isEmpty()) {
          return false;
        }
        ProcessBuilder pb = new ProcessBuilder(ProcessGroups.ownGroup(command)).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).directory(workDir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(timeout, TimeUnit.SECONDS)) {
          ProcessGroups.signal(p.pid(), "KILL");
          return false;
        }
        return p.exitValue() == 0;
      }
      if (probe.has("httpGet")) {
        JsonNode get = probe.path("httpGet");
        String scheme = get.path("scheme").asText("HTTP").toLowerCase();
        String target = get.path("host").asText("").isEmpty() ? host : get.path("host").asText();
        String path = get.path("path").asText("/");
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://" + target + ":"
            + port(get.path("port")) + (path.startsWith("/") ? path : "/" + path)))
            .timeout(Duration.ofSeconds(timeout)).header("User-Agent", "kube-probe/1.33");
        for (JsonNode h : get.path("httpHeaders")) {
          b.header(h.path("name").asText(), h.path("value").asText());
        }
        int code = HTTP.send(b.GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        return code >= 200 && code < 400;
      }
      if (probe.has("tcpSocket")) {
        JsonNode tcp = probe.path("tcpSocket");
        String target = tcp.path("host").asText("").isEmpty() ? host : tcp.path("host").asText();
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(target, port(tcp.path("port"))), (int) (timeout * 1000));
          return true;
        }
      }
      return false;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A port number, or the name of one of the container's ports. */
  private int port(JsonNode port) {
    if (port.isInt()) {
      return port.asInt();
    }
    String name = port.asText();
    for (JsonNode p : container.path("ports")) {
      if (p.path("name").asText().equals(name)) {
        return p.path("containerPort").asInt();
      }
    }
    try {
      return Integer.parseInt(name);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("unknown port " + name);
    }
  }
}

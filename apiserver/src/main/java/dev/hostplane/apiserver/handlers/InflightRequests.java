package dev.hostplane.apiserver.handlers;

import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.server.HttpExchange;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Upstream's shutdown filters for the request chain ({@code WithRetryAfter} and the non-long-running wait group):
 * counts the requests in flight until they are answered (a streamed answer, such as a watch, counts as answered
 * when it starts: watches are drained on their own), and once {@link #stopAccepting()} was called answers every new
 * request with 429 TooManyRequests, {@code Retry-After: 1} and {@code Connection: close} (a GOAWAY on HTTP/2), so
 * that clients retry on another apiserver. The health endpoints and {@code /metrics} stay exempt, as upstream's, so
 * that probes see the real state.
 *
 * <p>Thread-safe.
 */
public final class InflightRequests {
  static final String MESSAGE = "The apiserver is shutting down, please try again later.";

  private final AtomicBoolean accepting = new AtomicBoolean(true);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final CompletableFuture<Void> drained = new CompletableFuture<>();

  /**
   * Admits {@code exchange}: returns the exchange the chain must answer through (it reports the answer), or null
   * when the request was refused and already answered.
   */
  ServingExchange admit(HttpExchange exchange) {
    if (!accepting.get() && !exempt(exchange.uri())) {
      refuse(exchange);
      return null;
    }
    inFlight.incrementAndGet();
    return new ServingExchange(exchange, this::answered);
  }

  private void answered() {
    if (inFlight.decrementAndGet() == 0 && !accepting.get()) {
      drained.complete(null);
    }
  }

  private static void refuse(HttpExchange exchange) {
    Status s = Status.of(429, "TooManyRequests", MESSAGE).withRetryAfter(1);
    exchange.respond(429, Map.of("Content-Type", "application/json", "Retry-After", "1", "Connection", "close"),
        Codecs.writeJson(s.toJson()));
  }

  private static boolean exempt(String uri) {
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    for (String p : new String[] {"/healthz", "/livez", "/readyz"}) {
      if (path.equals(p) || path.startsWith(p + "/")) {
        return true;
      }
    }
    return path.equals("/metrics");
  }

  /** From now on new requests are refused; returns at once. Idempotent. */
  public void stopAccepting() {
    accepting.set(false);
    if (inFlight.get() == 0) {
      drained.complete(null);
    }
  }

  public boolean accepting() {
    return accepting.get();
  }

  /** The requests admitted and not yet answered. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Completes once requests are refused and none is in flight. (Exempt requests admitted afterwards are not
   * waited for.)
   */
  public CompletableFuture<Void> drained() {
    return drained;
  }
}

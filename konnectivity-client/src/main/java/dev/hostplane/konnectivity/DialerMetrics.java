package dev.hostplane.konnectivity;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client side's metrics, kept as plain counters so that the apiserver can export them under upstream's names
 * ({@link #DIAL_FAILURE_TOTAL} by {@code reason}, {@link #CLIENT_CONNECTIONS} by {@code status}). Thread-safe.
 */
public final class DialerMetrics {
  /** Counter, label {@code reason} (see {@link TunnelException.Reason#label()}). */
  public static final String DIAL_FAILURE_TOTAL = "konnectivity_network_proxy_client_dial_failure_total";
  /** Gauge, label {@code status}: {@link #DIALING}, {@link #OK}, {@link #CLOSING}. */
  public static final String CLIENT_CONNECTIONS = "konnectivity_network_proxy_client_client_connections";
  public static final String DIALING = "dialing";
  public static final String OK = "ok";
  public static final String CLOSING = "closing";

  private final Map<String, LongAdder> dialFailures = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> connections = new ConcurrentHashMap<>();

  public void dialFailed(TunnelException.Reason reason) {
    dialFailures.computeIfAbsent(reason.label(), k -> new LongAdder()).increment();
  }

  /** Moves one connection from status {@code from} (null: new) to {@code to} (null: gone). */
  public void connectionStatus(String from, String to) {
    if (from != null) {
      connections.computeIfAbsent(from, k -> new AtomicLong()).decrementAndGet();
    }
    if (to != null) {
      connections.computeIfAbsent(to, k -> new AtomicLong()).incrementAndGet();
    }
  }

  /** Dial failures so far by {@code reason} label. */
  public Map<String, Long> dialFailures() {
    Map<String, Long> out = new java.util.TreeMap<>();
    dialFailures.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Connections now in {@code status}. */
  public long connections(String status) {
    AtomicLong n = connections.get(status);
    return n == null ? 0 : n.get();
  }
}

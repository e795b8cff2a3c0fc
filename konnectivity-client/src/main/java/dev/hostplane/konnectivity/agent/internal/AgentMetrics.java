package dev.hostplane.konnectivity.agent.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The agent's Prometheus metrics, named as upstream's agent ({@code konnectivity_network_proxy_agent_*}): dials to
 * destinations (latency histogram, failures by reason) and the open server and destination connections. Thread-safe.
 */
public final class AgentMetrics {
  private static final String NS = "konnectivity_network_proxy_agent_";
  /** Upper bounds of the dial latency buckets, in seconds (upstream's buckets). */
  private static final double[] BUCKETS = {0.005, 0.025, 0.1, 0.5, 2.5, 12.5};

  /** Why a dial to a destination failed: label values of {@code endpoint_dial_failure_total}. */
  public enum DialFailure {
    TIMEOUT("timeout"),
    UNKNOWN("unknown");

    final String label;

    DialFailure(String label) {
      this.label = label;
    }
  }

  private final AtomicLongArray bucketCounts = new AtomicLongArray(BUCKETS.length);
  private final LongAdder dialCount = new LongAdder();
  private final java.util.concurrent.atomic.DoubleAdder dialSeconds = new java.util.concurrent.atomic.DoubleAdder();
  private final Map<DialFailure, LongAdder> failures = new ConcurrentHashMap<>();
  private volatile IntSupplier serverConnections = () -> 0;
  private volatile IntSupplier endpointConnections = () -> 0;

  /** Where the two connection gauges read from; set once by the agent. */
  public void bind(IntSupplier serverConnections, IntSupplier endpointConnections) {
    this.serverConnections = serverConnections;
    this.endpointConnections = endpointConnections;
  }

  /** A successful dial that took {@code nanos}. */
  public void dialed(long nanos) {
    double seconds = nanos / 1e9;
    for (int i = 0; i < BUCKETS.length; i++) {
      if (seconds <= BUCKETS[i]) {
        bucketCounts.incrementAndGet(i);
        break;
      }
    }
    dialCount.increment();
    dialSeconds.add(seconds);
  }

  public void dialFailed(DialFailure reason) {
    failures.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  public long dialFailures(DialFailure reason) {
    LongAdder a = failures.get(reason);
    return a == null ? 0 : a.sum();
  }

  /** The Prometheus text exposition (format 0.0.4). */
  public String render() {
    StringBuilder b = new StringBuilder();
    b.append("# HELP ").append(NS).append("dial_duration_seconds Latency of dials to destinations, successful ones.\n");
    b.append("# TYPE ").append(NS).append("dial_duration_seconds histogram\n");
    long cumulative = 0;
    for (int i = 0; i < BUCKETS.length; i++) {
      cumulative += bucketCounts.get(i);
      b.append(NS).append("dial_duration_seconds_bucket{le=\"").append(BUCKETS[i]).append("\"} ")
          .append(cumulative).append('\n');
    }
    long count = dialCount.sum();
    b.append(NS).append("dial_duration_seconds_bucket{le=\"+Inf\"} ").append(count).append('\n');
    b.append(NS).append("dial_duration_seconds_sum ").append(dialSeconds.sum()).append('\n');
    b.append(NS).append("dial_duration_seconds_count ").append(count).append('\n');
    Map<String, Long> byReason = new TreeMap<>();
    for (DialFailure r : DialFailure.values()) {
      byReason.put(r.label, dialFailures(r));
    }
    b.append("# HELP ").append(NS).append("endpoint_dial_failure_total Number of failed dials to destinations, by reason.\n");
    b.append("# TYPE ").append(NS).append("endpoint_dial_failure_total counter\n");
    byReason.forEach((reason, v) -> b.append(NS).append("endpoint_dial_failure_total{reason=\"").append(reason)
        .append("\"} ").append(v).append('\n'));
    gauge(b, "open_server_connections", "Current number of open connections to proxy-servers.",
        serverConnections.getAsInt());
    gauge(b, "open_endpoint_connections", "Current number of open connections to destinations.",
        endpointConnections.getAsInt());
    return b.toString();
  }

  private static void gauge(StringBuilder b, String name, String help, int value) {
    b.append("# HELP ").append(NS).append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(NS).append(name).append(" gauge\n");
    b.append(NS).append(name).append(' ').append(value).append('\n');
  }
}

package dev.hostplane.konnectivity.server.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/** The proxy-server's Prometheus metrics, upstream names under {@code konnectivity_network_proxy_server}. */
public final class ServerMetrics {
  private static final String NS = "konnectivity_network_proxy_server_";
  private final Map<String, LongAdder> dialFailures = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> grpcConnections = new ConcurrentHashMap<>();
  private final IntSupplier established;
  private final IntSupplier pending;
  private final IntSupplier readyBackends;
  private final String strategies;

  public ServerMetrics(IntSupplier established, IntSupplier pending, IntSupplier readyBackends, String strategies) {
    this.established = established;
    this.pending = pending;
    this.readyBackends = readyBackends;
    this.strategies = strategies;
  }

  /** Reasons as upstream spells them: no_agent, error_response, backend_close, backend_dial_timeout, ... */
  public void dialFailure(String reason) {
    dialFailures.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  public long dialFailures(String reason) {
    LongAdder a = dialFailures.get(reason);
    return a == null ? 0 : a.sum();
  }

  void streamOpened(String method) {
    grpcConnections.computeIfAbsent(method, m -> new LongAdder()).increment();
  }

  void streamClosed(String method) {
    grpcConnections.computeIfAbsent(method, m -> new LongAdder()).decrement();
  }

  /** The Prometheus text exposition (format 0.0.4). */
  public String render() {
    StringBuilder b = new StringBuilder();
    gauge(b, "established_connections", "Current number of established end-to-end connections.",
        Map.of("", established.getAsInt()));
    gauge(b, "pending_backend_dials", "Current number of pending backend dial requests.",
        Map.of("", pending.getAsInt()));
    gauge(b, "ready_backends", "Number of ready backends (connected agents).",
        Map.of("proxy_strategy=\"" + strategies + "\"", readyBackends.getAsInt()));
    Map<String, Long> failures = new TreeMap<>();
    dialFailures.forEach((k, v) -> failures.put("reason=\"" + k + "\"", v.sum()));
    counter(b, "dial_failure_count", "Number of frontend dial failures, by reason.", failures);
    Map<String, Long> conns = new TreeMap<>();
    grpcConnections.forEach((k, v) -> conns.put("service_method=\"" + k + "\"", v.sum()));
    gauge(b, "grpc_connections", "Number of current gRPC streams, by service method.", conns);
    return b.toString();
  }

  private static void gauge(StringBuilder b, String name, String help, Map<String, ? extends Number> values) {
    family(b, name, help, "gauge", values);
  }

  private static void counter(StringBuilder b, String name, String help, Map<String, ? extends Number> values) {
    family(b, name, help, "counter", values);
  }

  private static void family(StringBuilder b, String name, String help, String type,
      Map<String, ? extends Number> values) {
    b.append("# HELP ").append(NS).append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(NS).append(name).append(' ').append(type).append('\n');
    values.forEach((labels, v) -> b.append(NS).append(name).append(labels.isEmpty() ? "" : "{" + labels + "}")
        .append(' ').append(v).append('\n'));
  }
}

package dev.hostplane.apiserver.metrics;

import dev.hostplane.apiserver.filter.RequestInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The apiserver's Prometheus metrics, with upstream names where the concept is the same:
 * {@code apiserver_request_total{verb,group,version,resource,subresource,scope,component,code}},
 * {@code apiserver_request_duration_seconds}, {@code apiserver_current_inflight_requests{request_kind}},
 * {@code apiserver_longrunning_requests}, plus process and JVM metrics ({@code process_resident_memory_bytes},
 * {@code jvm_memory_used_bytes}). Thread-safe.
 */
public final class ApiMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger readOnlyInflight = new AtomicInteger();
  private final AtomicInteger mutatingInflight = new AtomicInteger();
  private final AtomicInteger longRunning = new AtomicInteger();
  private final java.util.List<Object> held = new java.util.concurrent.CopyOnWriteArrayList<>();

  public ApiMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    Gauge.builder("process.resident.memory", ApiMetrics::residentBytes).baseUnit("bytes")
        .description("Resident memory size in bytes.").register(registry);
    Gauge.builder("apiserver.current.inflight.requests", readOnlyInflight, AtomicInteger::get)
        .tag("request_kind", "readOnly").description("Requests in flight, by kind.").register(registry);
    Gauge.builder("apiserver.current.inflight.requests", mutatingInflight, AtomicInteger::get)
        .tag("request_kind", "mutating").description("Requests in flight, by kind.").register(registry);
    Gauge.builder("apiserver.longrunning.requests", longRunning, AtomicInteger::get)
        .description("Long-running requests (watches) open.").register(registry);
  }

  /**
   * Exposes one resource's watch cache under upstream's names: {@code apiserver_storage_objects},
   * {@code apiserver_watch_cache_resource_version}, {@code apiserver_watch_cache_events_dispatched_total},
   * {@code apiserver_watch_cache_initializations_total} and {@code apiserver_registered_watchers}, labelled
   * {@code resource} ("pods", "deployments.apps").
   */
  public void watchCache(String resource, dev.hostplane.apiserver.storage.cache.WatchCache.Stats stats) {
    held.add(stats); // meters hold their state weakly
    Gauge.builder("apiserver.storage.objects", stats, s -> s.objects())
        .tag("resource", resource).description("Number of stored objects at the time of last check split by kind.")
        .register(registry);
    Gauge.builder("apiserver.watch.cache.resource.version", stats, s -> s.revision())
        .tag("resource", resource).description("Current resource version of watch cache broken by resource type.")
        .register(registry);
    Gauge.builder("apiserver.registered.watchers", stats, s -> s.watchers())
        .tag("resource", resource).description("Number of currently registered watchers for a given resources.")
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("apiserver.watch.cache.events.dispatched", stats,
            s -> s.eventsDispatched())
        .tag("resource", resource).description("Counter of events dispatched in watch cache broken by resource type.")
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder("apiserver.watch.cache.initializations", stats,
            s -> s.initializations())
        .tag("resource", resource).description("Counter of watch cache initializations broken by resource type.")
        .register(registry);
  }

  /** Counts a request refused (or, from system:masters, let through) by the max-in-flight limit. */
  public void droppedRequest(boolean mutating) {
    Counter.builder("apiserver.dropped.requests").tag("request_kind", mutating ? "mutating" : "readOnly")
        .description("Number of requests dropped with 'Try again later' response.").register(registry).increment();
  }

  /**
   * Records one storage transformation under upstream's names:
   * {@code apiserver_storage_transformation_operations_total{transformation_type,transformer_prefix,status}} and
   * {@code apiserver_storage_transformation_duration_seconds{transformation_type,transformer_prefix}}.
   */
  public void storageTransformation(boolean toStorage, String prefix, boolean ok, long nanos) {
    String type = toStorage ? "to_storage" : "from_storage";
    Counter.builder("apiserver.storage.transformation.operations").tag("transformation_type", type)
        .tag("transformer_prefix", prefix).tag("status", ok ? "OK" : "Unknown")
        .description("Total number of transformations.").register(registry).increment();
    Timer.builder("apiserver.storage.transformation.duration").tag("transformation_type", type)
        .tag("transformer_prefix", prefix)
        .description("Latencies in seconds of value transformation operations.").register(registry)
        .record(Duration.ofNanos(nanos));
  }

  /** Marks a request started; the returned handle records its end exactly once. */
  public Inflight begin(RequestInfo info) {
    boolean mutating = switch (info.verb()) {
      case "create", "update", "patch", "delete", "deletecollection", "post", "put" -> true;
      default -> false;
    };
    (mutating ? mutatingInflight : readOnlyInflight).incrementAndGet();
    return new Inflight(info, mutating, System.nanoTime());
  }

  /** One request in flight. */
  public final class Inflight {
    private final RequestInfo info;
    private final boolean mutating;
    private final long started;
    private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();

    private Inflight(RequestInfo info, boolean mutating, long started) {
      this.info = info;
      this.mutating = mutating;
      this.started = started;
    }

    /** Records the response code; {@code streaming} requests count as long-running until {@link #closed}. */
    public void responded(int code, boolean streaming) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      (mutating ? mutatingInflight : readOnlyInflight).decrementAndGet();
      String verb = info.verb().toUpperCase(java.util.Locale.ROOT);
      String scope = !info.resourceRequest() ? "" : !info.name().isEmpty() ? "resource"
          : info.namespace().isEmpty() ? "cluster" : "namespace";
      String[] tags = {
          "verb", verb, "group", info.group(), "version", info.version(), "resource", info.resource(),
          "subresource", info.subresource(), "scope", scope, "component", "apiserver"};
      Counter.builder("apiserver.request").tags(tags).tag("code", Integer.toString(code))
          .description("Counter of apiserver requests broken out for each verb, resource and code.")
          .register(registry).increment();
      if (!streaming) {
        Timer.builder("apiserver.request.duration").tags(tags)
            .description("Response latency distribution in seconds for each verb and resource.")
            .serviceLevelObjectives(SLOS)
            .register(registry).record(Duration.ofNanos(System.nanoTime() - started));
      } else {
        longRunning.incrementAndGet();
      }
    }

    /** A streamed response ended. */
    public void closed() {
      longRunning.decrementAndGet();
    }
  }

  private static final Duration[] SLOS = {
      Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(600), Duration.ofMillis(800),
      Duration.ofSeconds(1), Duration.ofMillis(1250), Duration.ofMillis(1500), Duration.ofSeconds(2),
      Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofSeconds(6),
      Duration.ofSeconds(8), Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(20),
      Duration.ofSeconds(30), Duration.ofSeconds(45), Duration.ofSeconds(60)};

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** VmRSS from /proc/self/status, in bytes; NaN where unavailable. */
  static double residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }
}

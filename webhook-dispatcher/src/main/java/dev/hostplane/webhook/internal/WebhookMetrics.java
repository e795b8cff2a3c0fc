package dev.hostplane.webhook.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Upstream's admission webhook metrics: {@code apiserver_admission_webhook_admission_duration_seconds},
 * {@code apiserver_admission_webhook_request_total}, {@code apiserver_admission_webhook_rejection_count} and
 * {@code apiserver_admission_webhook_fail_open_count}. {@code type} is {@code admit} (mutating) or
 * {@code validating}.
 */
public final class WebhookMetrics {
  /** Upstream's buckets for the webhook latency histogram. */
  private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(10),
      Duration.ofSeconds(25)};

  /** {@code error_type} of a rejection. */
  public enum ErrorType {
    CALLING_WEBHOOK("calling_webhook_error"), INTERNAL("apiserver_internal_error"), NONE("no_error");

    final String label;

    ErrorType(String label) {
      this.label = label;
    }
  }

  private final MeterRegistry registry;
  private final java.util.concurrent.ConcurrentHashMap<String, DoubleAdder> counts =
      new java.util.concurrent.ConcurrentHashMap<>();

  public WebhookMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  static String type(boolean mutating) {
    return mutating ? "admit" : "validating";
  }

  /** One call: its latency, and the request counter with the HTTP code (0 when there was no response). */
  public void observe(String name, boolean mutating, String operation, boolean rejected, int code,
      Duration latency) {
    Timer.builder("apiserver.admission.webhook.admission.duration")
        .description("Admission webhook latency histogram in seconds, identified by name and broken out for each "
            + "operation and API resource and type (validate or admit).")
        .tag("name", name).tag("type", type(mutating)).tag("operation", operation)
        .tag("rejected", Boolean.toString(rejected))
        .serviceLevelObjectives(BUCKETS)
        .register(registry).record(latency);
    Counter.builder("apiserver.admission.webhook.request")
        .description("Admission webhook request total, identified by name and broken out for each admission type "
            + "(validating or mutating) and operation.")
        .tag("name", name).tag("type", type(mutating)).tag("operation", operation).tag("code", Integer.toString(code))
        .tag("rejected", Boolean.toString(rejected))
        .register(registry).increment();
  }

  public void rejection(String name, boolean mutating, String operation, ErrorType errorType, int code) {
    count("apiserver.admission.webhook.rejection.count", "Admission webhook rejection count, identified by name "
        + "and broken out for each admission type (validating or admit) and operation.",
        Tags.of("name", name, "type", type(mutating), "operation", operation, "error_type", errorType.label,
            "rejection_code", Integer.toString(code)));
  }

  public void failOpen(String name, boolean mutating) {
    count("apiserver.admission.webhook.fail.open.count", "Admission webhook fail open count, identified by name "
        + "and broken out for each admission type (validating or mutating).",
        Tags.of("name", name, "type", type(mutating)));
  }

  /**
   * Upstream's counters whose names end in {@code _count}: a Prometheus counter would be exposed with
   * {@code _total} appended, so these are monotonic values exposed under the exact upstream name.
   */
  private void count(String name, String help, Tags tags) {
    counts.computeIfAbsent(name + tags, k -> {
      DoubleAdder adder = new DoubleAdder();
      Gauge.builder(name, adder, DoubleAdder::sum).description(help).tags(tags).register(registry);
      return adder;
    }).add(1);
  }
}

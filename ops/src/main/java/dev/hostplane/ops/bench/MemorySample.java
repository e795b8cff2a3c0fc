package dev.hostplane.ops.bench;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The server's memory as its {@code /metrics} tell: resident set size ({@code process_resident_memory_bytes}) and
 * heap in use ({@code jvm_memory_used_bytes{area="heap"}} summed over pools for a JVM server, else Go's
 * {@code go_memstats_heap_inuse_bytes}). Either may be absent.
 *
 * @param heapKind "jvm" or "go", or null when there is no heap figure
 * @param note why there are no figures at all (e.g. "HTTP 404"), or null
 */
public record MemorySample(OptionalDouble rssBytes, OptionalDouble heapBytes, String heapKind, String note) {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** Fetches and reads {@code /metrics}. Blocking; a failed fetch becomes a sample with a note, not an error. */
  public static MemorySample fetch(Http2Client client) {
    try {
      HttpResponse r = client.call(new HttpRequest("GET", "/metrics", "text/plain", null, null), TIMEOUT);
      if (!r.ok()) {
        return none(r.describe());
      }
      return of(new PrometheusText(r.text()));
    } catch (BenchException e) {
      return none(e.getMessage());
    }
  }

  public static MemorySample of(PrometheusText metrics) {
    OptionalDouble rss = metrics.value("process_resident_memory_bytes");
    OptionalDouble heap = metrics.sum("jvm_memory_used_bytes", Map.of("area", "heap"));
    String kind = "jvm";
    if (heap.isEmpty()) {
      heap = metrics.value("go_memstats_heap_inuse_bytes");
      kind = "go";
    }
    return new MemorySample(rss, heap, heap.isPresent() ? kind : null, null);
  }

  static MemorySample none(String note) {
    return new MemorySample(OptionalDouble.empty(), OptionalDouble.empty(), null, note);
  }

  /** MiB, or "n/a". */
  static String mib(OptionalDouble bytes) {
    return bytes.isPresent() ? ResultTable.mebibytes(bytes.getAsDouble()) : "n/a";
  }
}

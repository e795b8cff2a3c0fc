package dev.hostplane.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  private static final String MICROMETER = """
      # HELP jvm_memory_used_bytes The amount of used memory
      # TYPE jvm_memory_used_bytes gauge
      jvm_memory_used_bytes{area="heap",id="G1 Eden Space",} 4.194304E7
      jvm_memory_used_bytes{area="heap",id="G1 Old Gen",} 2.097152E7
      jvm_memory_used_bytes{area="nonheap",id="Metaspace",} 5.0E7
      jvm_memory_used_bytes_total 1
      process_resident_memory_bytes 1.8874368E8
      """;
  private static final String GO = """
      # TYPE process_resident_memory_bytes gauge
      process_resident_memory_bytes 3.3554432e+08
      go_memstats_heap_inuse_bytes 1.048576e+08
      apiserver_request_total{code="200",verb="GET",path="/a\\"}b"} 12 1700000000000
      """;

  @Test
  void sumsMatchingSamples() {
    PrometheusText m = new PrometheusText(MICROMETER);
    assertEquals(6.291456E7, m.sum("jvm_memory_used_bytes", Map.of("area", "heap")).getAsDouble());
    assertEquals(1.1291456E8, m.value("jvm_memory_used_bytes").getAsDouble());
    assertTrue(m.value("jvm_memory").isEmpty(), "a name prefix is not a match");
  }

  @Test
  void quotedBracesAndTimestamps() {
    PrometheusText m = new PrometheusText(GO);
    assertEquals(12, m.sum("apiserver_request_total", Map.of("verb", "GET")).getAsDouble());
    assertTrue(m.sum("apiserver_request_total", Map.of("verb", "PUT")).isEmpty());
  }

  @Test
  void memorySampleOfAJvmAndOfAGoServer() {
    MemorySample jvm = MemorySample.of(new PrometheusText(MICROMETER));
    assertEquals("180", MemorySample.mib(jvm.rssBytes()));
    assertEquals("60", MemorySample.mib(jvm.heapBytes()));
    assertEquals("jvm", jvm.heapKind());

    MemorySample go = MemorySample.of(new PrometheusText(GO));
    assertEquals("320", MemorySample.mib(go.rssBytes()));
    assertEquals("100", MemorySample.mib(go.heapBytes()));
    assertEquals("go", go.heapKind());

    MemorySample none = MemorySample.of(new PrometheusText("up 1\n"));
    assertEquals("n/a", MemorySample.mib(none.rssBytes()));
    assertNull(none.heapKind());
  }
}

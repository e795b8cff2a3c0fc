package dev.hostplane.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class PhaseHelpersTest {
  @Test
  void createNumberingContinuesAfterAKeptRun() {
    assertEquals(0, CreatePhase.nextIndex(List.of()));
    assertEquals(0, CreatePhase.nextIndex(List.of("watch-1", "other")));
    assertEquals(13, CreatePhase.nextIndex(List.of("bench-3", "bench-12", "watch-40", "bench-x")));
  }

  @Test
  void listItemsAreCounted() {
    assertEquals(3, ListPhase.countItems(bytes("{\"kind\":\"ConfigMapList\",\"metadata\":{\"resourceVersion\":"
        + "\"5\"},\"items\":[{\"a\":{\"b\":[1]}},{},{\"items\":[1,2]}]}")));
    assertEquals(0, ListPhase.countItems(bytes("{\"items\":[]}")));
    assertEquals(-1, ListPhase.countItems(bytes("{\"items\":null}")));
    assertEquals(-1, ListPhase.countItems(bytes("not json")));
  }

  @Test
  void configMapBodiesCarryThePayload() throws Exception {
    ConfigMaps maps = new ConfigMaps(1024);
    var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(maps.body("bench-7"));
    assertEquals("bench-7", node.at("/metadata/name").asText());
    assertEquals(1024, node.at("/data/payload").asText().length());
    assertEquals("hostplane-bench", node.at("/metadata/labels/app.kubernetes.io~1managed-by").asText());
    HttpRequest patch = ConfigMaps.stamp("ns", "watch-1", 5, 99);
    assertEquals("/api/v1/namespaces/ns/configmaps/watch-1", patch.path());
    assertEquals("application/merge-patch+json", patch.contentType());
    var p = new com.fasterxml.jackson.databind.ObjectMapper().readTree(patch.body());
    assertEquals("5", p.at("/metadata/annotations/bench.hostplane.dev~1seq").asText());
    assertEquals("99", p.at("/metadata/annotations/bench.hostplane.dev~1sent-nanos").asText());
  }

  @Test
  void largerFanOutsHaveTheLooserWatchTarget() {
    assertEquals(50, WatchPhase.targetP99Millis(1));
    assertEquals(50, WatchPhase.targetP99Millis(100));
    assertEquals(100, WatchPhase.targetP99Millis(101));
    assertEquals(100, WatchPhase.targetP99Millis(1000));
  }

  @Test
  void deliveryRateAndGrace() {
    assertEquals(200_000, WatchPhase.perSecond(2_000_000, 10_000_000_000L), 1e-6);
    assertEquals(0, WatchPhase.perSecond(5, 0));
    assertEquals(Duration.ofSeconds(10), WatchPhase.deliveryGrace(100, 500));
    assertEquals(Duration.ofSeconds(30), WatchPhase.deliveryGrace(1000, 2000));
  }

  @Test
  void createToPutRatioRow() {
    ResultTable t = new ResultTable();
    EtcdPutPhase.compare(t, OptionalDouble.of(3000), OptionalDouble.of(4000));
    EtcdPutPhase.compare(t, OptionalDouble.of(1000), OptionalDouble.of(4000));
    EtcdPutPhase.compare(t, OptionalDouble.of(1000), OptionalDouble.empty());
    EtcdPutPhase.compare(t, OptionalDouble.of(1000), OptionalDouble.of(0));
    assertEquals(List.of(
        new ResultTable.Row("create", "create / etcd put ratio", "0.75", ">= 0.6", ResultTable.Verdict.OK),
        new ResultTable.Row("create", "create / etcd put ratio", "0.25", ">= 0.6", ResultTable.Verdict.MISSED)),
        t.rows());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

package dev.hostplane.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
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

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

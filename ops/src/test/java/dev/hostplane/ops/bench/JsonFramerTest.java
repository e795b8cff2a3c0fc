package dev.hostplane.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonFramerTest {
  private static final String STREAM = "{\"type\":\"ADDED\",\"object\":{\"s\":\"a } { \\\" ] [\"}}\n"
      + "{\"type\":\"MODIFIED\",\"object\":{\"list\":[1,{\"x\":[]}],\"e\":\"\\\\\"}}"
      + "  {\"type\":\"DELETED\"}\n";

  @Test
  void splitsNewlineDelimitedAndConcatenatedValuesAtAnyChunking() {
    List<String> whole = frame(STREAM, STREAM.length());
    assertEquals(3, whole.size());
    assertEquals("{\"type\":\"DELETED\"}", whole.get(2));
    for (int chunk = 1; chunk <= 17; chunk++) {
      assertEquals(whole, frame(STREAM, chunk), "chunk size " + chunk);
    }
  }

  @Test
  void keepsOnlyTheIncompleteValue() {
    JsonFramer f = new JsonFramer();
    List<String> out = new ArrayList<>();
    byte[] b = "{\"a\":1}\n{\"b\":".getBytes(StandardCharsets.UTF_8);
    f.feed(b, 0, b.length, (bytes, off, len) -> out.add(new String(bytes, off, len, StandardCharsets.UTF_8)));
    assertEquals(List.of("{\"a\":1}"), out);
    assertEquals(5, f.pending());
  }

  @Test
  void growsForValuesLargerThanItsBuffer() {
    String big = "{\"payload\":\"" + "x".repeat(100_000) + "\"}";
    List<String> out = frame(big + big, 4096);
    assertEquals(List.of(big, big), out);
  }

  private static List<String> frame(String stream, int chunk) {
    JsonFramer f = new JsonFramer();
    List<String> out = new ArrayList<>();
    byte[] b = stream.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i += chunk) {
      f.feed(b, i, Math.min(chunk, b.length - i),
          (bytes, off, len) -> out.add(new String(bytes, off, len, StandardCharsets.UTF_8)));
    }
    return out;
  }
}

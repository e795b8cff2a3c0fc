package dev.hostplane.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ObservedEventTest {
  @Test
  void readsTheStampOfAModifiedConfigMap() throws Exception {
    ObservedEvent e = parse("{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"ConfigMap\",\"data\":{\"payload\":"
        + "\"{not json}\"},\"metadata\":{\"name\":\"watch-3\",\"labels\":{\"a\":\"b\"},\"annotations\":{"
        + "\"other\":\"x\",\"bench.hostplane.dev/seq\":\"42\",\"bench.hostplane.dev/sent-nanos\":\"-123456789\"}"
        + ",\"managedFields\":[{\"a\":{}}]}}}");
    assertEquals("MODIFIED", e.type());
    assertEquals("watch-3", e.name());
    assertEquals(42, e.seq());
    assertEquals(-123456789L, e.sentNanos());
    assertTrue(e.stamped());
  }

  @Test
  void objectBeforeTypeAndUnstampedEvents() throws Exception {
    ObservedEvent e = parse("{\"object\":{\"metadata\":{\"name\":\"n\",\"resourceVersion\":\"7\"}},"
        + "\"type\":\"BOOKMARK\"}");
    assertEquals("BOOKMARK", e.type());
    assertFalse(e.stamped());
  }

  @Test
  void errorEventCarriesTheStatusMessage() throws Exception {
    ObservedEvent e = parse("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,"
        + "\"message\":\"too old resource version: 1 (20)\"}}");
    assertEquals("ERROR", e.type());
    assertEquals("too old resource version: 1 (20)", e.message());
  }

  @Test
  void garbageIsAnIoException() {
    assertThrows(IOException.class, () -> parse("[1,2]"));
  }

  private static ObservedEvent parse(String json) throws IOException {
    byte[] b = ("  " + json).getBytes(StandardCharsets.UTF_8);
    return ObservedEvent.parse(b, 2, b.length - 2);
  }
}

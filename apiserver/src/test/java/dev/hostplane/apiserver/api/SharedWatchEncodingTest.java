package dev.hostplane.apiserver.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.protobuf.KubeProtobuf;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Watch events are encoded once per format and the bytes shared; the shared path must equal the direct one. */
class SharedWatchEncodingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aSharedProtobufFrameEqualsTheDirectEncoding() throws Exception {
    ObjectNode cm = (ObjectNode) JSON.readTree("""
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"default",
         "resourceVersion":"42","labels":{"x":"y"}},"data":{"k":"v"}}""");
    byte[] shared = KubeProtobuf.encodeWatchObject(cm);
    for (String type : new String[] {"ADDED", "MODIFIED", "DELETED"}) {
      assertArrayEquals(KubeProtobuf.encodeWatchEvent(type, cm), KubeProtobuf.watchFrame(type, shared), type);
    }
  }

  @Test
  void eachFormatIsEncodedOnce() {
    EncodedForms forms = new EncodedForms();
    AtomicInteger json = new AtomicInteger();
    AtomicInteger proto = new AtomicInteger();
    byte[] first = forms.get(EncodedForms.Format.JSON, () -> {
      json.incrementAndGet();
      return new byte[] {1};
    });
    for (int i = 0; i < 1000; i++) {
      assertSame(first, forms.get(EncodedForms.Format.JSON, () -> {
        json.incrementAndGet();
        return new byte[] {2};
      }));
      forms.get(EncodedForms.Format.PROTOBUF, () -> {
        proto.incrementAndGet();
        return new byte[] {3};
      });
    }
    assertEquals(1, json.get());
    assertEquals(1, proto.get());
  }
}

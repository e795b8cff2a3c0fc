package dev.hostplane.ops.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * The parts of a watch event ({@code {"type":..,"object":..}}) the bench looks at, read with a streaming parser
 * that skips everything else (the payload).
 *
 * @param seq the {@link ConfigMaps#SEQ_ANNOTATION} value, or -1
 * @param sentNanos the {@link ConfigMaps#SENT_ANNOTATION} value, or {@link Long#MIN_VALUE}
 * @param message an ERROR event's Status message, or null
 */
public record ObservedEvent(String type, String name, int seq, long sentNanos, String message) {
  private static final JsonFactory JSON = new JsonFactory();

  public boolean stamped() {
    return seq >= 0 && sentNanos != Long.MIN_VALUE;
  }

  /** Parses one event; IOException when the bytes are not a JSON object. Thread-safe. */
  public static ObservedEvent parse(byte[] bytes, int offset, int length) throws IOException {
    try (JsonParser p = JSON.createParser(bytes, offset, length)) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      Builder b = new Builder();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("type")) {
          b.type = p.getValueAsString();
        } else if (field.equals("object") && value == JsonToken.START_OBJECT) {
          if (object(p, b)) {
            break;
          }
        } else {
          p.skipChildren();
        }
      }
      return new ObservedEvent(b.type, b.name, b.seq, b.sent, b.message);
    }
  }

  /** Reads the event's object; true when everything needed is known and the rest need not be read. */
  private static boolean object(JsonParser p, Builder b) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (field.equals("metadata") && value == JsonToken.START_OBJECT) {
        metadata(p, b);
        if (b.name != null && b.type != null) {
          return true; // a named object after the type: nothing else is needed (the payload is not scanned)
        }
      } else if (field.equals("message")) {
        b.message = p.getValueAsString();
      } else {
        p.skipChildren();
      }
    }
    return false;
  }

  private static void metadata(JsonParser p, Builder b) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (field.equals("name")) {
        b.name = p.getValueAsString();
      } else if (field.equals("annotations") && value == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          p.nextToken();
          if (key.equals(ConfigMaps.SEQ_ANNOTATION)) {
            b.seq = parseInt(p.getValueAsString());
          } else if (key.equals(ConfigMaps.SENT_ANNOTATION)) {
            b.sent = parseLong(p.getValueAsString());
          } else {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
    }
  }

  private static int parseInt(String s) {
    try {
      return s == null ? -1 : Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static long parseLong(String s) {
    try {
      return s == null ? Long.MIN_VALUE : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return Long.MIN_VALUE;
    }
  }

  private static void expect(JsonToken actual, JsonToken expected) throws IOException {
    if (actual != expected) {
      throw new IOException("expected " + expected + " at the start of a watch event, found " + actual);
    }
  }

  private static final class Builder {
    String type;
    String name;
    int seq = -1;
    long sent = Long.MIN_VALUE;
    String message;
  }
}

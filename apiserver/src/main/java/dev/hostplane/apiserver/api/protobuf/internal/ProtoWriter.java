package dev.hostplane.apiserver.api.protobuf.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.Times;
import dev.hostplane.apiserver.api.protobuf.internal.MessageInfo.FieldInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * JSON trees to protobuf, field by field over {@link MessageInfo} tables, in field-number order and with map keys
 * sorted, as upstream's generated {@code Marshal} writes them. A member present in JSON is written (zeros too: JSON
 * only holds what a Go pointer or a non-zero value would); null members are left out, except a null
 * {@code metav1.Time}, written as the empty message upstream uses for the zero time. JSON members without a proto
 * field are dropped: protobuf cannot carry them. A value of the wrong JSON type fails with {@link EncodeException}
 * naming its path. Stateless; thread-safe.
 */
final class ProtoWriter {
  private ProtoWriter() {}

  /** A JSON value that the schema cannot hold; the message carries the JSON path. */
  static final class EncodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String path;
    private final String reason;

    EncodeException(String reason) {
      this("", reason);
    }

    private EncodeException(String path, String reason) {
      super(path.isEmpty() ? reason : path + ": " + reason, null, false, false);
      this.path = path;
      this.reason = reason;
    }

    /** This failure one level further out: {@code segment} is a member name or {@code [i]}. */
    EncodeException under(String segment) {
      String p = path.isEmpty() ? segment : path.startsWith("[") ? segment + path : segment + "." + path;
      return new EncodeException(p, reason);
    }
  }

  /** Writes the fields of {@code obj} as a {@code mi} message (no tag or length). */
  static void writeFields(WireBuffer out, JsonNode obj, MessageInfo mi, int depth) {
    if (depth > ProtoReader.MAX_DEPTH) {
      throw new EncodeException("nested too deeply");
    }
    if (mi.special != MessageInfo.Special.NONE) {
      writeSpecial(out, obj, mi, depth);
      return;
    }
    if (!obj.isObject()) {
      throw new EncodeException("expected an object for " + mi.descriptor.getName() + ", found " + kind(obj));
    }
    for (FieldInfo f : mi.ascending) {
      try {
        if (f.inline) {
          int mark = out.begin(f.number);
          int bodyStart = out.position();
          writeFields(out, obj, f.message, depth + 1);
          if (out.position() == bodyStart) {
            out.truncate(mark - tagSize(f.number, 2));
          } else {
            out.end(mark);
          }
          continue;
        }
        JsonNode v = obj.get(f.jsonName);
        if (v == null) {
          continue;
        }
        if (v.isNull()) {
          if (!f.repeated && !f.map && f.message != null
              && (f.message.special == MessageInfo.Special.TIME
                  || f.message.special == MessageInfo.Special.MICRO_TIME)) {
            out.tag(f.number, 2);
            out.varint32(0);
          }
          continue;
        }
        if (f.map) {
          writeMap(out, f, v, depth);
        } else if (f.repeated) {
          if (!v.isArray()) {
            throw new EncodeException("expected an array, found " + kind(v));
          }
          int i = 0;
          for (JsonNode e : v) {
            try {
              writeOne(out, f.number, f.type, f.message, e, depth);
            } catch (EncodeException ex) {
              throw ex.under("[" + i + "]");
            }
            i++;
          }
        } else {
          writeOne(out, f.number, f.type, f.message, v, depth);
        }
      } catch (EncodeException e) {
        throw e.under(f.jsonName);
      }
    }
  }

  private static void writeMap(WireBuffer out, FieldInfo f, JsonNode v, int depth) {
    if (!v.isObject()) {
      throw new EncodeException("expected an object, found " + kind(v));
    }
    List<String> keys = new ArrayList<>(v.size());
    Iterator<String> names = v.fieldNames();
    while (names.hasNext()) {
      keys.add(names.next());
    }
    keys.sort(null); // Go sorts map keys by bytes; Java's UTF-16 order differs only beyond the BMP
    for (String key : keys) {
      JsonNode value = v.get(key);
      int mark = out.begin(f.number);
      out.stringField(1, key);
      try {
        if (value.isNull()) {
          if (f.message != null) {
            out.tag(2, 2);
            out.varint32(0);
          } else {
            writeZero(out, 2, f.valueType);
          }
        } else {
          writeOne(out, 2, f.valueType, f.message, value, depth);
        }
      } catch (EncodeException e) {
        throw e.under(key);
      }
      out.end(mark);
    }
  }

  private static void writeOne(WireBuffer out, int number, FieldDescriptor.Type type, MessageInfo message,
      JsonNode v, int depth) {
    if (type == FieldDescriptor.Type.MESSAGE) {
      int mark = out.begin(number);
      if (!v.isNull()) {
        writeFields(out, v, message, depth + 1);
      }
      out.end(mark);
      return;
    }
    if (v.isNull()) {
      writeZero(out, number, type);
      return;
    }
    switch (type) {
      case STRING:
        out.stringField(number, text(v));
        return;
      case BYTES:
        out.tag(number, 2);
        out.bytes(base64(text(v)));
        return;
      case BOOL:
        if (!v.isBoolean()) {
          throw new EncodeException("expected a boolean, found " + kind(v));
        }
        out.tag(number, 0);
        out.varint32(v.booleanValue() ? 1 : 0);
        return;
      case INT32:
      case ENUM:
        out.tag(number, 0);
        out.varint64(integer(v, Integer.MIN_VALUE, Integer.MAX_VALUE)); // negative int32 is sign-extended
        return;
      case UINT32:
        out.tag(number, 0);
        out.varint64(integer(v, 0, 0xffffffffL));
        return;
      case INT64:
      case UINT64:
        out.tag(number, 0);
        out.varint64(integer(v, Long.MIN_VALUE, Long.MAX_VALUE));
        return;
      case SINT32: {
        int n = (int) integer(v, Integer.MIN_VALUE, Integer.MAX_VALUE);
        out.tag(number, 0);
        out.varint32((n << 1) ^ (n >> 31));
        return;
      }
      case SINT64: {
        long n = integer(v, Long.MIN_VALUE, Long.MAX_VALUE);
        out.tag(number, 0);
        out.varint64((n << 1) ^ (n >> 63));
        return;
      }
      case FIXED32:
      case SFIXED32:
        out.tag(number, 5);
        out.fixed32((int) integer(v, Integer.MIN_VALUE, 0xffffffffL));
        return;
      case FIXED64:
      case SFIXED64:
        out.tag(number, 1);
        out.fixed64(integer(v, Long.MIN_VALUE, Long.MAX_VALUE));
        return;
      case DOUBLE:
        out.tag(number, 1);
        out.fixed64(Double.doubleToRawLongBits(floating(v)));
        return;
      case FLOAT:
        out.tag(number, 5);
        out.fixed32(Float.floatToRawIntBits((float) floating(v)));
        return;
      default:
        throw new EncodeException("unsupported field type " + type);
    }
  }

  private static void writeZero(WireBuffer out, int number, FieldDescriptor.Type type) {
    switch (type) {
      case STRING:
      case BYTES:
        out.tag(number, 2);
        out.varint32(0);
        return;
      case DOUBLE:
      case FIXED64:
      case SFIXED64:
        out.tag(number, 1);
        out.fixed64(0);
        return;
      case FLOAT:
      case FIXED32:
      case SFIXED32:
        out.tag(number, 5);
        out.fixed32(0);
        return;
      default:
        out.tag(number, 0);
        out.varint32(0);
    }
  }

  private static void writeSpecial(WireBuffer out, JsonNode v, MessageInfo mi, int depth) {
    switch (mi.special) {
      case TIME:
      case MICRO_TIME: {
        Optional<Instant> t = Times.tryParse(text(v));
        if (t.isEmpty()) {
          throw new EncodeException("cannot parse " + v + " as RFC 3339");
        }
        out.tag(1, 0);
        out.varint64(t.get().getEpochSecond());
        out.tag(2, 0);
        out.varint64(t.get().getNano());
        return;
      }
      case DURATION: {
        Optional<Long> d = GoDurations.parse(text(v));
        if (d.isEmpty()) {
          throw new EncodeException("invalid duration " + v);
        }
        out.tag(1, 0);
        out.varint64(d.get());
        return;
      }
      case QUANTITY:
        if (v.isNumber()) {
          out.stringField(1, v.isIntegralNumber() ? v.bigIntegerValue().toString()
              : v.decimalValue().stripTrailingZeros().toPlainString());
        } else {
          out.stringField(1, text(v));
        }
        return;
      case INT_OR_STRING:
        if (v.isIntegralNumber()) {
          out.tag(1, 0);
          out.varint32(0);
          out.tag(2, 0);
          out.varint64(integer(v, Integer.MIN_VALUE, Integer.MAX_VALUE));
          out.stringField(3, "");
        } else if (v.isTextual()) {
          out.tag(1, 0);
          out.varint32(1);
          out.tag(2, 0);
          out.varint32(0);
          out.stringField(3, v.textValue());
        } else {
          throw new EncodeException("expected an integer or a string, found " + kind(v));
        }
        return;
      case RAW_EXTENSION:
      case FIELDS_V1:
      case JSON:
        out.tag(1, 2);
        out.bytes(json(v));
        return;
      case PROPS_OR_ARRAY:
        if (v.isArray()) {
          writeList(out, 2, v, mi, depth);
        } else {
          writeOne(out, 1, FieldDescriptor.Type.MESSAGE, mi.field(1).message, v, depth);
        }
        return;
      case PROPS_OR_BOOL:
        if (v.isBoolean()) {
          out.tag(1, 0);
          out.varint32(v.booleanValue() ? 1 : 0);
        } else {
          out.tag(1, 0);
          out.varint32(1);
          writeOne(out, 2, FieldDescriptor.Type.MESSAGE, mi.field(2).message, v, depth);
        }
        return;
      case PROPS_OR_STRING_ARRAY:
        if (v.isArray()) {
          writeList(out, 2, v, mi, depth);
        } else {
          writeOne(out, 1, FieldDescriptor.Type.MESSAGE, mi.field(1).message, v, depth);
        }
        return;
      case STRING_ARRAY:
        writeList(out, 1, v, mi, depth);
        return;
      default:
        throw new EncodeException("unsupported special message " + mi.special);
    }
  }

  private static void writeList(WireBuffer out, int number, JsonNode v, MessageInfo mi, int depth) {
    if (!v.isArray()) {
      throw new EncodeException("expected an array, found " + kind(v));
    }
    FieldInfo f = mi.field(number);
    int i = 0;
    for (JsonNode e : v) {
      try {
        writeOne(out, number, f.type, f.message, e, depth);
      } catch (EncodeException ex) {
        throw ex.under("[" + i + "]");
      }
      i++;
    }
  }

  private static byte[] json(JsonNode v) {
    try {
      return Codecs.mapper().writeValueAsBytes(v);
    } catch (JsonProcessingException e) {
      throw new EncodeException("" + e.getOriginalMessage());
    }
  }

  private static String text(JsonNode v) {
    if (!v.isTextual()) {
      throw new EncodeException("expected a string, found " + kind(v));
    }
    return v.textValue();
  }

  private static byte[] base64(String s) {
    try {
      return Base64.getDecoder().decode(s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0
          ? s.replace("\n", "").replace("\r", "") : s);
    } catch (IllegalArgumentException e) {
      throw new EncodeException("illegal base64 data");
    }
  }

  private static long integer(JsonNode v, long min, long max) {
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new EncodeException("expected an integer, found " + kind(v));
    }
    long n = v.longValue();
    if (n < min || n > max) {
      throw new EncodeException("" + n + " is out of range");
    }
    return n;
  }

  private static double floating(JsonNode v) {
    if (!v.isNumber()) {
      throw new EncodeException("expected a number, found " + kind(v));
    }
    return v.doubleValue();
  }

  private static int tagSize(int number, int wireType) {
    int v = (number << 3) | wireType;
    int n = 1;
    while ((v & ~0x7f) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  static String kind(JsonNode v) {
    return v.isObject() ? "an object" : v.isArray() ? "an array" : v.isTextual() ? "a string"
        : v.isNumber() ? "a number" : v.isBoolean() ? "a boolean" : "null";
  }
}

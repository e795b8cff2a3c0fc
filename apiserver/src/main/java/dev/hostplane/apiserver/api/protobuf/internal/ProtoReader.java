package dev.hostplane.apiserver.api.protobuf.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.MediaType;
import dev.hostplane.apiserver.api.Times;
import dev.hostplane.apiserver.api.protobuf.internal.MessageInfo.FieldInfo;
import java.io.IOException;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * Protobuf bytes to the JSON tree upstream's JSON encoding of the same Go object would give, following the rules of
 * {@link GoJsonRules} and the special messages of {@link MessageInfo.Special}. Unknown fields are skipped, as
 * upstream's generated code does. Every failure is a 400 {@link ApiException} whose message reads like Go's
 * ({@code unexpected EOF}, {@code proto: wrong wireType = 0 for field name}). Stateless and thread-safe.
 */
public final class ProtoReader {
  /** How deep messages (and objects embedded in RawExtensions) may nest. */
  public static final int MAX_DEPTH = 256;
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  /** Go's zero {@code time.Time} as Unix seconds: {@code Time.Unmarshal} gives it back, and JSON says null. */
  private static final long GO_ZERO_TIME_SECONDS = -62135596800L;

  private ProtoReader() {}

  /** Decodes {@code len} bytes of a {@code mi} message at {@code off}, at nesting {@code depth}. */
  public static ObjectNode readObject(byte[] data, int off, int len, MessageInfo mi, int depth) {
    CodedInputStream in = CodedInputStream.newInstance(data, off, len);
    in.setRecursionLimit(Integer.MAX_VALUE); // we count depth ourselves
    try {
      JsonNode node = readBody(in, mi, depth);
      if (!node.isObject()) {
        throw ApiException.badRequest("proto: " + mi.fullName() + " is not an object");
      }
      return (ObjectNode) node;
    } catch (InvalidProtocolBufferException e) {
      throw ApiException.badRequest(goMessage(e));
    } catch (IOException e) {
      throw ApiException.badRequest("unexpected EOF");
    }
  }

  /** The Go wording of protobuf-java's complaint. */
  static String goMessage(InvalidProtocolBufferException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("ended unexpectedly") || m.contains("truncated")) {
      return "unexpected EOF";
    }
    if (m.contains("negative size")) {
      return "proto: negative length found during unmarshaling";
    }
    if (m.contains("malformed varint")) {
      return "proto: integer overflow";
    }
    if (m.contains("invalid tag")) {
      return "proto: illegal tag 0";
    }
    if (m.contains("invalid wire type")) {
      return "proto: illegal wireType";
    }
    return "proto: " + m;
  }

  /** Reads one message body (up to the current limit) as JSON. */
  private static JsonNode readBody(CodedInputStream in, MessageInfo mi, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw ApiException.badRequest("proto: exceeded maximum nesting depth " + MAX_DEPTH);
    }
    switch (mi.special) {
      case NONE:
        return readFields(in, mi, depth);
      case TIME:
      case MICRO_TIME:
        return readTime(in, mi);
      case DURATION: {
        long nanos = 0;
        int tag;
        while ((tag = in.readTag()) != 0) {
          if (tag == (1 << 3)) {
            nanos = in.readInt64();
          } else {
            skip(in, tag, mi);
          }
        }
        return F.textNode(GoDurations.format(nanos));
      }
      case QUANTITY: {
        String s = "";
        int tag;
        while ((tag = in.readTag()) != 0) {
          if (tag == ((1 << 3) | 2)) {
            s = in.readString();
          } else {
            skip(in, tag, mi);
          }
        }
        return F.textNode(s.isEmpty() ? "0" : s); // the zero Quantity prints as "0"
      }
      case INT_OR_STRING: {
        long type = 0;
        int intVal = 0;
        String strVal = "";
        int tag;
        while ((tag = in.readTag()) != 0) {
          switch (tag) {
            case (1 << 3) -> type = in.readInt64();
            case (2 << 3) -> intVal = in.readInt32();
            case (3 << 3) | 2 -> strVal = in.readString();
            default -> skip(in, tag, mi);
          }
        }
        return type == 1 ? F.textNode(strVal) : F.numberNode(intVal);
      }
      case RAW_EXTENSION:
      case FIELDS_V1:
      case JSON: {
        byte[] raw = null;
        int tag;
        while ((tag = in.readTag()) != 0) {
          if (tag == ((1 << 3) | 2)) {
            raw = in.readByteArray();
          } else {
            skip(in, tag, mi);
          }
        }
        return embedded(raw, depth);
      }
      default:
        return readUnion(in, mi, depth);
    }
  }

  /** An ordinary message: members in declaration (Go struct) order, inlined members in place. */
  private static JsonNode readFields(CodedInputStream in, MessageInfo mi, int depth) throws IOException {
    JsonNode[] slots = new JsonNode[mi.declared.length];
    int tag;
    while ((tag = in.readTag()) != 0) {
      FieldInfo f = mi.field(tag >>> 3);
      if (f == null || (tag & 7) == 4) {
        skip(in, tag, mi);
        continue;
      }
      int wire = tag & 7;
      if (f.map) {
        expectWire(f, wire, 2);
        ObjectNode m = slots[f.slot] == null ? F.objectNode() : (ObjectNode) slots[f.slot];
        slots[f.slot] = m;
        readMapEntry(in, f, m, depth);
      } else if (f.repeated) {
        ArrayNode a = slots[f.slot] == null ? F.arrayNode() : (ArrayNode) slots[f.slot];
        slots[f.slot] = a;
        if (wire == 2 && f.wireType() != 2) {
          int limit = in.pushLimit(length(in));
          while (in.getBytesUntilLimit() > 0) {
            a.add(scalar(in, f.type));
          }
          in.popLimit(limit);
        } else {
          expectWire(f, wire, f.wireType());
          a.add(value(in, f.type, f.message, depth));
        }
      } else {
        expectWire(f, wire, f.wireType());
        JsonNode v = value(in, f.type, f.message, depth);
        if (f.message == null && isZero(v) && !(f.keepEmptyString && v.isTextual())) {
          boolean omit = v.isTextual() || (v.isBinary() || f.type == FieldDescriptor.Type.BYTES) || f.omitZero;
          if (omit) {
            slots[f.slot] = null; // last one wins, and a zero means absent here
            continue;
          }
        }
        if (f.message != null && f.message.special == MessageInfo.Special.NONE && slots[f.slot] != null
            && slots[f.slot].isObject() && v.isObject()) {
          ((ObjectNode) slots[f.slot]).setAll((ObjectNode) v); // a repeated embedded message merges
        } else {
          slots[f.slot] = v;
        }
      }
    }
    ObjectNode out = F.objectNode();
    for (FieldInfo f : mi.declared) {
      JsonNode v = slots[f.slot];
      if (v == null) {
        continue;
      }
      if (f.inline && v.isObject()) {
        out.setAll((ObjectNode) v);
      } else {
        out.set(f.jsonName, v);
      }
    }
    return out;
  }

  private static void readMapEntry(CodedInputStream in, FieldInfo f, ObjectNode m, int depth) throws IOException {
    int limit = in.pushLimit(length(in));
    String key = "";
    JsonNode value = null;
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (tag == ((1 << 3) | 2)) {
        key = in.readString();
      } else if ((tag >>> 3) == 2) {
        if ((tag & 7) != MessageInfo.FieldInfo.wireTypeOf(f.valueType)) {
          throw ApiException.badRequest("proto: wrong wireType = " + (tag & 7) + " for field value");
        }
        value = value(in, f.valueType, f.message, depth);
      } else {
        in.skipField(tag);
      }
    }
    in.popLimit(limit);
    if (value == null) {
      value = f.message != null ? emptyMessage(f.message, depth) : zeroOf(f.valueType);
    }
    m.set(key, value);
  }

  /** The JSON of a message sent with no fields (the Go zero value of its type). */
  private static JsonNode emptyMessage(MessageInfo mi, int depth) throws IOException {
    return readBody(CodedInputStream.newInstance(new byte[0]), mi, depth + 1);
  }

  private static JsonNode value(CodedInputStream in, FieldDescriptor.Type type, MessageInfo message, int depth)
      throws IOException {
    if (type != FieldDescriptor.Type.MESSAGE) {
      return scalar(in, type);
    }
    int limit = in.pushLimit(length(in));
    JsonNode v = readBody(in, message, depth + 1);
    in.popLimit(limit);
    return v;
  }

  private static int length(CodedInputStream in) throws IOException {
    int len = in.readRawVarint32();
    if (len < 0) {
      throw ApiException.badRequest("proto: negative length found during unmarshaling");
    }
    if (len > in.getBytesUntilLimit() && in.getBytesUntilLimit() >= 0) {
      throw ApiException.badRequest("unexpected EOF");
    }
    return len;
  }

  private static JsonNode scalar(CodedInputStream in, FieldDescriptor.Type type) throws IOException {
    switch (type) {
      case STRING:
        return F.textNode(in.readString());
      case BYTES:
        return F.textNode(Base64.getEncoder().encodeToString(in.readByteArray()));
      case BOOL:
        return F.booleanNode(in.readBool());
      case INT32:
        return F.numberNode(in.readInt32());
      case SINT32:
        return F.numberNode(in.readSInt32());
      case SFIXED32:
        return F.numberNode(in.readSFixed32());
      case ENUM:
        return F.numberNode(in.readEnum());
      case UINT32:
        return number(Integer.toUnsignedLong(in.readUInt32()));
      case FIXED32:
        return number(Integer.toUnsignedLong(in.readFixed32()));
      case INT64:
        return number(in.readInt64());
      case SINT64:
        return number(in.readSInt64());
      case SFIXED64:
        return number(in.readSFixed64());
      case UINT64:
        return unsigned(in.readUInt64());
      case FIXED64:
        return unsigned(in.readFixed64());
      case DOUBLE:
        return floating(in.readDouble());
      case FLOAT:
        return floating(in.readFloat());
      default:
        throw ApiException.badRequest("proto: unsupported field type " + type);
    }
  }

  /** Jackson's own choice for a parsed JSON integer: int when it fits, else long. */
  static JsonNode number(long v) {
    return v == (int) v ? F.numberNode((int) v) : F.numberNode(v);
  }

  private static JsonNode unsigned(long v) {
    return v >= 0 ? number(v) : F.numberNode(new BigInteger(Long.toUnsignedString(v)));
  }

  /** Go prints integral floats without a fraction ({@code 5}, not {@code 5.0}); so do we, as a parser would read it. */
  private static JsonNode floating(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw ApiException.badRequest("json: unsupported value: " + d);
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return number((long) d);
    }
    return F.numberNode(d);
  }

  private static boolean isZero(JsonNode v) {
    if (v.isTextual()) {
      return v.textValue().isEmpty();
    }
    if (v.isBoolean()) {
      return !v.booleanValue();
    }
    if (v.isInt()) {
      return v.intValue() == 0;
    }
    if (v.isLong()) {
      return v.longValue() == 0;
    }
    if (v.isNumber()) {
      return v.isIntegralNumber() ? v.bigIntegerValue().signum() == 0 : v.doubleValue() == 0;
    }
    return false;
  }

  private static JsonNode zeroOf(FieldDescriptor.Type type) {
    switch (type) {
      case STRING:
      case BYTES:
        return F.textNode("");
      case BOOL:
        return F.booleanNode(false);
      default:
        return F.numberNode(0);
    }
  }

  private static void expectWire(FieldInfo f, int actual, int expected) {
    if (actual != expected) {
      throw ApiException.badRequest("proto: wrong wireType = " + actual + " for field " + f.name);
    }
  }

  private static void skip(CodedInputStream in, int tag, MessageInfo mi) throws IOException {
    int wire = tag & 7;
    if (wire == 4) {
      throw ApiException.badRequest("proto: " + mi.descriptor.getName() + ": wiretype end group for non-group");
    }
    if (wire > 5) {
      throw ApiException.badRequest("proto: illegal wireType " + wire);
    }
    if (wire == 2) {
      in.skipRawBytes(length(in));
    } else {
      in.skipField(tag);
    }
  }

  /** metav1.Time (whole seconds; upstream drops the nanoseconds on decode) and MicroTime (microseconds). */
  private static JsonNode readTime(CodedInputStream in, MessageInfo mi) throws IOException {
    boolean any = false;
    long seconds = 0;
    int nanos = 0;
    int tag;
    while ((tag = in.readTag()) != 0) {
      any = true;
      if (tag == (1 << 3)) {
        seconds = in.readInt64();
      } else if (tag == (2 << 3)) {
        nanos = in.readInt32();
      } else {
        skip(in, tag, mi);
      }
    }
    if (!any || (seconds == GO_ZERO_TIME_SECONDS && nanos == 0)) {
      return NullNode.instance;
    }
    try {
      if (mi.special == MessageInfo.Special.TIME) {
        Instant t = Instant.ofEpochSecond(seconds);
        checkYear(t);
        return F.textNode(Times.formatTime(t));
      }
      Instant t = Instant.ofEpochSecond(seconds, nanos);
      checkYear(t);
      return F.textNode(Times.formatMicroTime(t));
    } catch (DateTimeException | ArithmeticException e) {
      throw ApiException.badRequest("Time.MarshalJSON: year outside of range [0,9999]");
    }
  }

  private static void checkYear(Instant t) {
    int year = t.atOffset(java.time.ZoneOffset.UTC).getYear();
    if (year < 0 || year > 9999) {
      throw new DateTimeException("year");
    }
  }

  /**
   * The JSON value a RawExtension, FieldsV1 or apiextensions JSON carries: raw JSON bytes, or (RawExtension only, in
   * practice) a nested protobuf object with the {@code k8s\0} magic. Absent bytes are JSON null.
   */
  private static JsonNode embedded(byte[] raw, int depth) {
    if (raw == null) {
      return NullNode.instance;
    }
    if (raw.length >= Envelope.MAGIC.length
        && Arrays.equals(raw, 0, Envelope.MAGIC.length, Envelope.MAGIC, 0, Envelope.MAGIC.length)) {
      return Envelope.decode(raw, depth + 1);
    }
    if (raw.length == 0) {
      return NullNode.instance;
    }
    return Codecs.readTree(raw, MediaType.JSON);
  }

  /** JSONSchemaPropsOrArray, OrBool, OrStringArray and named string slices: read as fields, then shaped. */
  private static JsonNode readUnion(CodedInputStream in, MessageInfo mi, int depth) throws IOException {
    JsonNode schema = null;
    ArrayNode list = F.arrayNode();
    boolean allows = false;
    int tag;
    while ((tag = in.readTag()) != 0) {
      FieldInfo f = mi.field(tag >>> 3);
      if (f == null || (tag & 7) == 4) {
        skip(in, tag, mi);
        continue;
      }
      expectWire(f, tag & 7, f.wireType());
      JsonNode v = value(in, f.type, f.message, depth);
      if (f.repeated) {
        list.add(v);
      } else if (f.type == FieldDescriptor.Type.BOOL) {
        allows = v.booleanValue();
      } else {
        schema = v;
      }
    }
    switch (mi.special) {
      case PROPS_OR_ARRAY:
        return !list.isEmpty() ? list : schema == null ? NullNode.instance : schema;
      case PROPS_OR_BOOL:
        return schema != null ? schema : F.booleanNode(allows);
      case PROPS_OR_STRING_ARRAY:
        return !list.isEmpty() ? list : schema == null ? NullNode.instance : schema;
      default: // STRING_ARRAY: a nil Go slice is JSON null
        return list.isEmpty() ? NullNode.instance : list;
    }
  }
}

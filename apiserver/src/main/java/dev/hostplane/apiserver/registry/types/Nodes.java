package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small readers and writers over object trees. Readers accept null parents and treat JSON null like an absent
 * field; writers mutate the given node. A value of the wrong JSON type reads as absent (upstream rejects those while
 * decoding, before any strategy runs).
 */
final class Nodes {
  private Nodes() {}

  static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** The child at {@code field} when it is present and not null. */
  static JsonNode get(JsonNode parent, String field) {
    if (parent == null || !parent.isObject()) {
      return null;
    }
    JsonNode v = parent.get(field);
    return v == null || v.isNull() || v.isMissingNode() ? null : v;
  }

  static boolean has(JsonNode parent, String field) {
    return get(parent, field) != null;
  }

  /** The node at a path of object fields, or null. */
  static JsonNode at(JsonNode node, String... path) {
    JsonNode n = node;
    for (String p : path) {
      n = get(n, p);
      if (n == null) {
        return null;
      }
    }
    return n;
  }

  static ObjectNode obj(JsonNode parent, String field) {
    return get(parent, field) instanceof ObjectNode o ? o : null;
  }

  static ArrayNode arr(JsonNode parent, String field) {
    return get(parent, field) instanceof ArrayNode a ? a : null;
  }

  /** Text of a scalar field (numbers and booleans as their text); null when absent or not a scalar. */
  static String str(JsonNode parent, String field) {
    JsonNode v = get(parent, field);
    return v != null && v.isValueNode() ? v.asText() : null;
  }

  /** Text of a field, "" when absent. */
  static String text(JsonNode parent, String field) {
    String s = str(parent, field);
    return s == null ? "" : s;
  }

  static Long num(JsonNode parent, String field) {
    JsonNode v = get(parent, field);
    return v != null && v.isNumber() ? v.asLong() : null;
  }

  static Boolean bool(JsonNode parent, String field) {
    JsonNode v = get(parent, field);
    return v != null && v.isBoolean() ? v.asBoolean() : null;
  }

  static boolean isTrue(JsonNode parent, String field) {
    return Boolean.TRUE.equals(bool(parent, field));
  }

  /** The object at {@code field}, created (replacing a non-object) when absent. */
  static ObjectNode ensureObj(ObjectNode parent, String field) {
    return get(parent, field) instanceof ObjectNode o ? o : parent.putObject(field);
  }

  static ArrayNode ensureArr(ObjectNode parent, String field) {
    return get(parent, field) instanceof ArrayNode a ? a : parent.putArray(field);
  }

  static void defaultText(ObjectNode parent, String field, String value) {
    if (!has(parent, field)) {
      parent.put(field, value);
    }
  }

  static void defaultNum(ObjectNode parent, String field, long value) {
    if (!has(parent, field)) {
      putNum(parent, field, value);
    }
  }

  /** Writes an int node when the value fits (as a parser would), so trees compare equal after a round trip. */
  static void putNum(ObjectNode parent, String field, long value) {
    if (value == (int) value) {
      parent.put(field, (int) value);
    } else {
      parent.put(field, value);
    }
  }

  static void defaultBool(ObjectNode parent, String field, boolean value) {
    if (!has(parent, field)) {
      parent.put(field, value);
    }
  }

  /** Elements of an array field as objects, in order; non-object elements read as empty objects. */
  static List<ObjectNode> objects(JsonNode parent, String field) {
    ArrayNode a = arr(parent, field);
    if (a == null) {
      return List.of();
    }
    List<ObjectNode> out = new ArrayList<>(a.size());
    for (JsonNode n : a) {
      out.add(n instanceof ObjectNode o ? o : F.objectNode());
    }
    return out;
  }

  /** Elements of an array field as text; null elements read as "". */
  static List<String> strings(JsonNode parent, String field) {
    ArrayNode a = arr(parent, field);
    if (a == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(a.size());
    for (JsonNode n : a) {
      out.add(n == null || n.isNull() ? "" : n.asText());
    }
    return out;
  }

  /** A map of string values, in document order; empty when absent. */
  static Map<String, String> stringMap(JsonNode parent, String field) {
    ObjectNode o = obj(parent, field);
    Map<String, String> out = new LinkedHashMap<>();
    if (o != null) {
      o.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
    }
    return out;
  }

  static ArrayNode textArray(List<String> values) {
    ArrayNode a = F.arrayNode();
    values.forEach(a::add);
    return a;
  }

  static ObjectNode textObject(Map<String, String> values) {
    ObjectNode o = F.objectNode();
    values.forEach(o::put);
    return o;
  }

  /** True when the field is absent, null, or an empty string, array or object. */
  static boolean isEmpty(JsonNode parent, String field) {
    JsonNode v = get(parent, field);
    return v == null || (v.isTextual() && v.asText().isEmpty()) || (v.isContainerNode() && v.isEmpty());
  }

  /**
   * Semantic equality, as upstream compares decoded structs: absent and null fields are the same, and numbers
   * compare by value whatever their node type.
   */
  static boolean same(JsonNode a, JsonNode b) {
    boolean aNone = a == null || a.isNull() || a.isMissingNode();
    boolean bNone = b == null || b.isNull() || b.isMissingNode();
    if (aNone || bNone) {
      return aNone && bNone;
    }
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.isObject() && b.isObject()) {
      java.util.Set<String> keys = new java.util.HashSet<>();
      a.fieldNames().forEachRemaining(keys::add);
      b.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        if (!same(a.get(k), b.get(k))) {
          return false;
        }
      }
      return true;
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!same(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }
}

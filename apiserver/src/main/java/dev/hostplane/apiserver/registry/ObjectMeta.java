package dev.hostplane.apiserver.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads and writes {@code metadata} fields of an object tree. Methods that write mutate the given object. */
public final class ObjectMeta {
  private ObjectMeta() {}

  /** The metadata object, created when absent (or replaced when it is not an object). */
  public static ObjectNode meta(ObjectNode obj) {
    JsonNode m = obj.get("metadata");
    if (m instanceof ObjectNode on) {
      return on;
    }
    return obj.putObject("metadata");
  }

  public static String text(ObjectNode obj, String field) {
    JsonNode m = obj.get("metadata");
    if (m == null) {
      return null;
    }
    JsonNode v = m.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  public static String name(ObjectNode obj) {
    return text(obj, "name");
  }

  public static String namespace(ObjectNode obj) {
    return text(obj, "namespace");
  }

  public static String uid(ObjectNode obj) {
    return text(obj, "uid");
  }

  public static String resourceVersion(ObjectNode obj) {
    return text(obj, "resourceVersion");
  }

  public static boolean isDeleting(ObjectNode obj) {
    return text(obj, "deletionTimestamp") != null;
  }

  /** Labels as a map; empty when absent. Non-string values are read as their text. */
  public static Map<String, String> labels(ObjectNode obj) {
    return stringMap(obj, "labels");
  }

  public static Map<String, String> annotations(ObjectNode obj) {
    return stringMap(obj, "annotations");
  }

  private static Map<String, String> stringMap(ObjectNode obj, String field) {
    JsonNode m = obj.get("metadata");
    JsonNode l = m == null ? null : m.get(field);
    if (l == null || !l.isObject()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    l.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  public static boolean hasFinalizers(ObjectNode obj) {
    JsonNode m = obj.get("metadata");
    JsonNode f = m == null ? null : m.get("finalizers");
    return f instanceof ArrayNode a && !a.isEmpty();
  }

  public static boolean hasFinalizer(ObjectNode obj, String finalizer) {
    JsonNode m = obj.get("metadata");
    JsonNode f = m == null ? null : m.get("finalizers");
    if (f instanceof ArrayNode a) {
      for (JsonNode n : a) {
        if (finalizer.equals(n.asText())) {
          return true;
        }
      }
    }
    return false;
  }

  public static void addFinalizer(ObjectNode obj, String finalizer) {
    if (!hasFinalizer(obj, finalizer)) {
      ObjectNode m = meta(obj);
      JsonNode f = m.get("finalizers");
      ArrayNode a = f instanceof ArrayNode arr ? arr : m.putArray("finalizers");
      a.add(finalizer);
    }
  }

  /** Removes {@code metadata.finalizers} entries equal to {@code finalizer}, and the field when left empty. */
  public static void removeFinalizer(ObjectNode obj, String finalizer) {
    ObjectNode m = meta(obj);
    if (m.get("finalizers") instanceof ArrayNode a) {
      for (int i = a.size() - 1; i >= 0; i--) {
        if (finalizer.equals(a.get(i).asText())) {
          a.remove(i);
        }
      }
      if (a.isEmpty()) {
        m.remove("finalizers");
      }
    }
  }

  /** The object's {@code spec}, created when absent. */
  public static ObjectNode child(ObjectNode obj, String field) {
    JsonNode n = obj.get(field);
    if (n instanceof ObjectNode on) {
      return on;
    }
    return obj.putObject(field);
  }
}

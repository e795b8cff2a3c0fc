package dev.hostplane.apiserver.validation.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One validation pass over a JSON value along a {@link ValidationNode} graph: records unknown fields (as upstream's
 * strict decoder words them) and the first type mismatch (as Go's {@code json.UnmarshalTypeError} words it),
 * optionally removing unknown fields as it goes. Single use, single thread. Not API.
 */
public final class SchemaWalk {
  private final boolean prune;
  private final List<String> unknown = new ArrayList<>();
  /** A map key in the path: part of strict-error paths, not of Go's type-error field paths. */
  private record MapKey(String key) {}

  /** Path segments: a String field name, a {@link MapKey} or an Integer index. */
  private final List<Object> path = new ArrayList<>();
  private String typeError;

  public SchemaWalk(boolean prune) {
    this.prune = prune;
  }

  public void walk(JsonNode value, ValidationNode root) {
    visit(value, root, root.structName());
  }

  /** {@code unknown field "a.b[0].c"} for each unknown field, in document order. */
  public List<String> unknownFields() {
    return unknown;
  }

  /** Go's message for the first mismatch ({@code json: cannot unmarshal ...}), or null. */
  public String typeError() {
    return typeError;
  }

  private void visit(JsonNode v, ValidationNode n, String struct) {
    if (v == null || v.isNull()) {
      return;
    }
    switch (n.shape) {
      case ANY -> { }
      case OBJECT -> object(v, n, struct);
      case MAP -> {
        if (!v.isObject()) {
          mismatch(v, n, struct, false);
          return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          path.add(new MapKey(e.getKey()));
          visit(e.getValue(), n.values, struct);
          path.remove(path.size() - 1);
        }
      }
      case ARRAY -> {
        if (!v.isArray()) {
          mismatch(v, n, struct, false);
          return;
        }
        for (int i = 0; i < v.size(); i++) {
          path.add(i);
          visit(v.get(i), n.items, struct);
          path.remove(path.size() - 1);
        }
      }
      case STRING -> {
        if (!v.isTextual()) {
          mismatch(v, n, struct, false);
        }
      }
      case INTEGER -> {
        if (!v.isIntegralNumber() || (n.int32 ? !v.canConvertToInt() : !v.canConvertToLong())) {
          mismatch(v, n, struct, true);
        }
      }
      case NUMBER -> {
        if (!v.isNumber()) {
          mismatch(v, n, struct, false);
        }
      }
      case BOOLEAN -> {
        if (!v.isBoolean()) {
          mismatch(v, n, struct, false);
        }
      }
      case INT_OR_STRING -> {
        if (!v.isTextual() && !(v.isIntegralNumber() && v.canConvertToInt())) {
          mismatch(v, n, struct, true);
        }
      }
      case QUANTITY -> {
        if (!v.isTextual() && !v.isNumber()) {
          mismatch(v, n, struct, false);
        }
      }
      default -> throw new IllegalStateException("unknown shape " + n.shape);
    }
  }

  private void object(JsonNode v, ValidationNode n, String struct) {
    if (!v.isObject()) {
      mismatch(v, n, struct, false);
      return;
    }
    List<String> remove = null;
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      ValidationNode child = n.fields.get(e.getKey());
      if (child == null) {
        child = n.values;
      }
      path.add(e.getKey());
      if (child == null) {
        unknown.add("unknown field \"" + fieldPath(true) + "\"");
        if (prune) {
          if (remove == null) {
            remove = new ArrayList<>();
          }
          remove.add(e.getKey());
        }
      } else {
        visit(e.getValue(), child, n.structName);
      }
      path.remove(path.size() - 1);
    }
    if (remove != null) {
      ((ObjectNode) v).remove(remove);
    }
  }

  private void mismatch(JsonNode v, ValidationNode n, String struct, boolean numberLiteral) {
    if (typeError != null) {
      return;
    }
    String what;
    if (v.isObject()) {
      what = "object";
    } else if (v.isArray()) {
      what = "array";
    } else if (v.isTextual()) {
      what = "string";
    } else if (v.isBoolean()) {
      what = "bool";
    } else if (v.isNumber()) {
      what = numberLiteral ? "number " + v.asText() : "number";
    } else {
      what = v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
    String field = fieldPath(false);
    typeError = field.isEmpty()
        ? "json: cannot unmarshal " + what + " into Go value of type " + n.goType
        : "json: cannot unmarshal " + what + " into Go struct field " + struct + "." + field + " of type "
            + n.goType;
  }

  /** The current path: with indices ({@code a.b[0].c}) for strict errors, without for Go's type errors. */
  private String fieldPath(boolean indices) {
    StringBuilder sb = new StringBuilder();
    for (Object s : path) {
      if (s instanceof Integer i) {
        if (indices) {
          sb.append('[').append(i).append(']');
        }
      } else if (s instanceof MapKey k) {
        if (indices) {
          sb.append('.').append(k.key());
        }
      } else {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append((String) s);
      }
    }
    return sb.toString();
  }
}

package dev.hostplane.apiserver.validation.internal;

import dev.hostplane.apiserver.openapi.SchemaNode;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A schema node reduced to what field validation needs: the expected JSON shape, child nodes by field name, and
 * the Go names upstream's decode errors use. Compiled once per schema graph (cycles preserved), immutable after
 * {@link #compile} returns. Not API.
 */
public final class ValidationNode {
  /** What a JSON value must look like here. */
  public enum Shape { ANY, OBJECT, MAP, ARRAY, STRING, INTEGER, NUMBER, BOOLEAN, INT_OR_STRING, QUANTITY }

  private static final String QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";

  Shape shape = Shape.ANY;
  /** OBJECT: declared fields. */
  Map<String, ValidationNode> fields = Map.of();
  /** OBJECT with additionalProperties, or MAP: the values' node. */
  ValidationNode values;
  ValidationNode items;
  /** INTEGER: whether the Go type is int32. */
  boolean int32;
  /** OBJECT: the Go struct's name ({@code DeploymentSpec}) for "Go struct field X.path" messages. */
  String structName = "";
  /** Go's type name: {@code int32}, {@code []v1.Container}, {@code map[string]string}, {@code v1.ObjectMeta}. */
  String goType = "interface {}";

  private ValidationNode() {}

  /** Compiles the graph reachable from {@code root}. */
  public static ValidationNode compile(SchemaNode root) {
    Map<SchemaNode, ValidationNode> memo = new IdentityHashMap<>();
    ValidationNode n = node(root, memo);
    memo.values().forEach(ValidationNode::nameTypes);
    memo.values().forEach(ValidationNode::nameTypes); // containers of containers settle on the second pass
    return n;
  }

  private static ValidationNode node(SchemaNode s, Map<SchemaNode, ValidationNode> memo) {
    ValidationNode existing = memo.get(s);
    if (existing != null) {
      return existing;
    }
    ValidationNode n = new ValidationNode();
    memo.put(s, n);
    String def = s.definition();
    if (def != null) {
      n.structName = def.substring(def.lastIndexOf('.') + 1);
      int prev = def.lastIndexOf('.', def.lastIndexOf('.') - 1);
      n.goType = def.substring(prev + 1);
    }
    String type = s.type() == null ? "" : s.type();
    if (s.intOrString()) {
      n.shape = Shape.INT_OR_STRING;
    } else if (QUANTITY.equals(def)) {
      n.shape = Shape.QUANTITY;
    } else {
      switch (type) {
        case "object" -> {
          if (!s.properties().isEmpty()) {
            n.shape = Shape.OBJECT;
            Map<String, ValidationNode> f = new HashMap<>();
            s.properties().forEach((k, v) -> f.put(k, node(v, memo)));
            n.fields = f;
            if (s.additionalProperties() != null) {
              n.values = node(s.additionalProperties(), memo);
            }
          } else if (s.additionalProperties() != null) {
            n.shape = Shape.MAP;
            n.values = node(s.additionalProperties(), memo);
          } else {
            n.shape = Shape.ANY;
          }
        }
        case "array" -> {
          n.shape = s.items() == null ? Shape.ANY : Shape.ARRAY;
          if (s.items() != null) {
            n.items = node(s.items(), memo);
          }
        }
        case "string" -> {
          n.shape = Shape.STRING;
          if (def == null) {
            n.goType = "byte".equals(s.format()) ? "[]uint8" : "string";
          }
        }
        case "integer" -> {
          n.shape = Shape.INTEGER;
          n.int32 = "int32".equals(s.format());
          n.goType = n.int32 ? "int32" : "int64";
        }
        case "number" -> {
          n.shape = Shape.NUMBER;
          n.goType = "float64";
        }
        case "boolean" -> {
          n.shape = Shape.BOOLEAN;
          n.goType = "bool";
        }
        default -> n.shape = Shape.ANY;
      }
    }
    if (s.preserveUnknownFields() && n.shape == Shape.OBJECT && n.values == null) {
      n.values = ANYTHING;
    }
    if (s.preserveUnknownFields() && (n.shape == Shape.MAP || n.shape == Shape.ANY) && s.properties().isEmpty()
        && !"object".equals(type)) {
      n.shape = Shape.ANY;
    }
    return n;
  }

  private static final ValidationNode ANYTHING = new ValidationNode();

  private void nameTypes() {
    if (shape == Shape.ARRAY && items != null) {
      goType = "[]" + items.goType;
    } else if (shape == Shape.MAP && values != null && structName.isEmpty()) {
      goType = "map[string]" + values.goType;
    }
  }

  public Shape shape() {
    return shape;
  }

  public ValidationNode field(String name) {
    return fields.get(name);
  }

  public ValidationNode values() {
    return values;
  }

  public ValidationNode items() {
    return items;
  }

  public boolean int32() {
    return int32;
  }

  public String structName() {
    return structName;
  }

  public String goType() {
    return goType;
  }
}

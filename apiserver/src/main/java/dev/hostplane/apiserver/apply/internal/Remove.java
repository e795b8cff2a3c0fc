package dev.hostplane.apiserver.apply.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.apply.FieldPath;
import dev.hostplane.apiserver.apply.FieldSet;
import dev.hostplane.apiserver.patch.PatchSchema;
import java.util.Iterator;
import java.util.Map;

/**
 * Removes fields and list items from a value, as upstream's {@code TypedValue.RemoveItems}: every member of the set
 * goes with everything below it; a map or list left empty by the removal goes too (upstream leaves a null that its
 * typed conversion drops). Inputs are never modified. Not API.
 */
public final class Remove {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ListItems items;

  public Remove(ListItems items) {
    this.items = items;
  }

  /** {@code value} without the paths of {@code toRemove}; an object stays an object (possibly empty). */
  public ObjectNode remove(ObjectNode value, FieldSet toRemove, PatchSchema schema) {
    if (toRemove.isEmpty()) {
      return value.deepCopy();
    }
    JsonNode out = walk(value, toRemove, schema, FieldPath.root());
    return out instanceof ObjectNode o ? o : NODES.objectNode();
  }

  /** The value with the paths removed, or null when nothing of it is left. */
  private JsonNode walk(JsonNode value, FieldSet toRemove, PatchSchema schema, FieldPath path) {
    Shape shape = Shape.of(schema, value);
    if (shape.kind() == Shape.Kind.SCALAR) {
      return value.deepCopy();
    }
    if (shape.leaf()) {
      return null; // only reached with paths below an atomic value, which upstream treats as removing it
    }
    if (value == null || value.isNull() || value.isEmpty()) {
      return null;
    }
    if (shape.granularMap()) {
      ObjectNode out = NODES.objectNode();
      Iterator<Map.Entry<String, JsonNode>> it = value.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        FieldPath.Field f = new FieldPath.Field(e.getKey());
        if (toRemove.members().contains(f)) {
          continue;
        }
        FieldSet below = toRemove.child(f);
        JsonNode v = below.isEmpty() ? e.getValue().deepCopy()
            : walk(e.getValue(), below, shape.field(e.getKey()), path.child(f));
        if (v != null) {
          out.set(e.getKey(), v);
        }
      }
      return out.isEmpty() ? null : out;
    }
    ArrayNode out = NODES.arrayNode();
    for (ListItems.Item item : items.index(shape, value, path, false)) {
      if (toRemove.members().contains(item.element())) {
        continue;
      }
      FieldSet below = toRemove.child(item.element());
      JsonNode v = below.isEmpty() ? item.value().deepCopy()
          : walk(item.value(), below, shape.items(), path.child(item.element()));
      if (v != null) {
        out.add(v);
      }
    }
    return out.isEmpty() ? null : out;
  }
}

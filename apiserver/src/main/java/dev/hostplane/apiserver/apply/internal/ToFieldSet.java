package dev.hostplane.apiserver.apply.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.apply.FieldPath;
import dev.hostplane.apiserver.apply.FieldSet;
import dev.hostplane.apiserver.patch.PatchSchema;
import java.util.Iterator;
import java.util.Map;

/**
 * The fields a value sets, as upstream's {@code TypedValue.ToFieldSet}: every leaf (scalar, atomic list or map,
 * explicit null), every associative list item, and every undeclared map entry; declared struct fields are only
 * implied by what is below them. Not API.
 */
public final class ToFieldSet {
  private final ListItems items;

  public ToFieldSet(ListItems items) {
    this.items = items;
  }

  /**
   * The field set of {@code value} at {@code schema}. {@code strict} refuses duplicate list items.
   *
   * @throws InvalidObjectException when a list item cannot be identified
   */
  public FieldSet of(JsonNode value, PatchSchema schema, boolean strict) {
    FieldSet.Builder b = FieldSet.builder();
    walk(value, schema, FieldPath.root(), b, strict);
    return b.build();
  }

  /** Adds the fields of {@code value}, below {@code path}, to {@code into}. */
  void walk(JsonNode value, PatchSchema schema, FieldPath path, FieldSet.Builder into, boolean strict) {
    Shape shape = Shape.of(schema, value);
    if (shape.leaf()) {
      into.insert(path);
      return;
    }
    if (shape.granularMap()) {
      if (value == null || !value.isObject()) {
        return;
      }
      Iterator<Map.Entry<String, JsonNode>> it = value.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        FieldPath child = path.child(new FieldPath.Field(e.getKey()));
        walk(e.getValue(), shape.field(e.getKey()), child, into, strict);
        if (!shape.declares(e.getKey())) {
          into.insert(child);
        }
      }
      return;
    }
    for (ListItems.Item item : items.index(shape, value, path, strict)) {
      FieldPath child = path.child(item.element());
      into.insert(child);
      walk(item.value(), shape.items(), child, into, strict);
    }
  }
}

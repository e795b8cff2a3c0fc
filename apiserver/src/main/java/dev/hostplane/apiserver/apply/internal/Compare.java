package dev.hostplane.apiserver.apply.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.apply.FieldPath;
import dev.hostplane.apiserver.apply.FieldSet;
import dev.hostplane.apiserver.patch.PatchSchema;
import dev.hostplane.apiserver.patch.internal.JsonValues;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Compares two versions of an object field by field, as upstream's {@code TypedValue.Compare}: leaves are compared
 * by value (numbers numerically), granular maps and associative lists are descended, and a container that exists
 * on one side only is added or removed itself as well as everything below it. Duplicate list items are compared
 * by their first occurrence. Not API.
 */
public final class Compare {
  private final ListItems items;
  private final ToFieldSet toFieldSet;

  public Compare(ListItems items) {
    this.items = items;
    this.toFieldSet = new ToFieldSet(items);
  }

  /** Compares {@code lhs} (old; null when absent) with {@code rhs} (new; null when absent). */
  public Comparison compare(JsonNode lhs, JsonNode rhs, PatchSchema schema) {
    Sets sets = new Sets();
    walk(lhs, rhs, schema, FieldPath.root(), sets);
    return new Comparison(sets.removed.build(), sets.modified.build(), sets.added.build());
  }

  private static final class Sets {
    final FieldSet.Builder removed = FieldSet.builder();
    final FieldSet.Builder modified = FieldSet.builder();
    final FieldSet.Builder added = FieldSet.builder();
  }

  private void walk(JsonNode lhs, JsonNode rhs, PatchSchema schema, FieldPath path, Sets sets) {
    Shape left = lhs == null ? null : Shape.of(schema, lhs);
    Shape right = rhs == null ? null : Shape.of(schema, rhs);
    if (left != null && right != null && left.kind() != right.kind()) {
      // The value changed its kind (say, from a map to a string): a modified leaf, and whatever was below it on
      // either side is gone or new.
      sets.modified.insert(path);
      if (!left.leaf()) {
        toFieldSet.walk(lhs, schema, path, sets.removed, false);
      }
      if (!right.leaf()) {
        toFieldSet.walk(rhs, schema, path, sets.added, false);
      }
      return;
    }
    Shape shape = right != null ? right : left;
    if (shape.leaf() || (isEmpty(lhs) && isEmpty(rhs))) {
      leaf(lhs, rhs, path, sets);
      return;
    }
    if (shape.granularMap()) {
      Set<String> keys = new LinkedHashSet<>();
      addKeys(lhs, keys);
      addKeys(rhs, keys);
      for (String k : keys) {
        walk(child(lhs, k), child(rhs, k), shape.field(k), path.child(new FieldPath.Field(k)), sets);
      }
    } else {
      Map<FieldPath.Element, JsonNode> l = ListItems.firstByElement(items.index(shape, lhs, path, false));
      Map<FieldPath.Element, JsonNode> r = ListItems.firstByElement(items.index(shape, rhs, path, false));
      Set<FieldPath.Element> all = new LinkedHashSet<>(l.keySet());
      all.addAll(r.keySet());
      for (FieldPath.Element e : all) {
        walk(l.get(e), r.get(e), shape.items(), path.child(e), sets);
      }
    }
    if (lhs == null) {
      sets.added.insert(path);
    } else if (rhs == null) {
      sets.removed.insert(path);
    }
  }

  private static void leaf(JsonNode lhs, JsonNode rhs, FieldPath path, Sets sets) {
    if (lhs == null) {
      sets.added.insert(path);
    } else if (rhs == null) {
      sets.removed.insert(path);
    } else if (!JsonValues.equal(lhs, rhs)) {
      sets.modified.insert(path);
    }
  }

  /** Absent, null, or an empty container: upstream compares two such values as leaves. */
  static boolean isEmpty(JsonNode v) {
    return v == null || v.isNull() || ((v.isObject() || v.isArray()) && v.isEmpty());
  }

  private static void addKeys(JsonNode v, Set<String> into) {
    if (v != null && v.isObject()) {
      Iterator<String> it = v.fieldNames();
      it.forEachRemaining(into::add);
    }
  }

  private static JsonNode child(JsonNode v, String key) {
    return v != null && v.isObject() ? v.get(key) : null;
  }
}

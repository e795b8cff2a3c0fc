package dev.hostplane.apiserver.apply.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.apply.FieldPath;
import dev.hostplane.apiserver.apply.FieldPath.Element;
import dev.hostplane.apiserver.patch.PatchSchema;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges an applied configuration into a live object, as upstream's {@code TypedValue.Merge}: the configuration's
 * leaves win; granular maps keep the live entries the configuration does not mention; associative lists keep the
 * live items it does not mention and merge the ones it does, item by item. Never removes anything, except that a
 * field the configuration sets to null is left out of the result (upstream's typed conversion drops it).
 *
 * <p>Order: a map keeps the live object's key order and appends new keys in configuration order. A list puts the
 * items the configuration mentions in the configuration's order, and keeps each live-only item where it was
 * relative to them, as upstream orders merged lists. Inputs are never modified; the result shares no nodes with
 * them. Not API.
 */
public final class Merge {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final ListItems items;

  public Merge(ListItems items) {
    this.items = items;
  }

  /** The merge of {@code config} into {@code live} (null when absent: the result is the configuration). */
  public JsonNode merge(JsonNode live, JsonNode config, PatchSchema schema) {
    return walk(live, config, schema, FieldPath.root());
  }

  private JsonNode walk(JsonNode lhs, JsonNode rhs, PatchSchema schema, FieldPath path) {
    if (rhs == null) {
      return lhs == null ? null : lhs.deepCopy();
    }
    Shape right = Shape.of(schema, rhs);
    Shape left = lhs == null ? null : Shape.of(schema, lhs);
    if (right.leaf() || (left != null && left.kind() != right.kind())
        || (Compare.isEmpty(lhs) && Compare.isEmpty(rhs))) {
      return rhs.deepCopy();
    }
    if (right.granularMap()) {
      return mergeMap(lhs, rhs, right, path);
    }
    return mergeList(lhs, rhs, right, path);
  }

  private ObjectNode mergeMap(JsonNode lhs, JsonNode rhs, Shape shape, FieldPath path) {
    ObjectNode out = NODES.objectNode();
    JsonNode l = lhs != null && lhs.isObject() ? lhs : NODES.objectNode();
    JsonNode r = rhs.isObject() ? rhs : NODES.objectNode();
    Iterator<Map.Entry<String, JsonNode>> it = l.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode rv = r.get(e.getKey());
      if (rv == null) {
        out.set(e.getKey(), e.getValue().deepCopy());
      } else {
        put(out, e.getKey(), walk(e.getValue(), rv, shape.field(e.getKey()),
            path.child(new FieldPath.Field(e.getKey()))));
      }
    }
    it = r.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!l.has(e.getKey())) {
        put(out, e.getKey(), walk(null, e.getValue(), shape.field(e.getKey()),
            path.child(new FieldPath.Field(e.getKey()))));
      }
    }
    return out;
  }

  /** A configured null means "unset": the field is left out. */
  private static void put(ObjectNode out, String key, JsonNode value) {
    if (value != null && !value.isNull()) {
      out.set(key, value);
    }
  }

  private ArrayNode mergeList(JsonNode lhs, JsonNode rhs, Shape shape, FieldPath path) {
    List<ListItems.Item> left = items.index(shape, lhs, path, false);
    List<ListItems.Item> right = items.index(shape, rhs, path, false);
    Map<Element, JsonNode> leftFirst = ListItems.firstByElement(left);
    Set<Element> leftDuplicated = ListItems.duplicated(left);
    Map<Element, JsonNode> rightFirst = ListItems.firstByElement(right);
    List<Element> rightOrder = List.copyOf(rightFirst.keySet());

    // The items both sides have, in the configuration's order: each is emitted when its turn comes there.
    Deque<Element> shared = new ArrayDeque<>();
    for (Element e : rightOrder) {
      if (leftFirst.containsKey(e)) {
        shared.add(e);
      }
    }
    Element nextShared = shared.poll();
    Set<Element> emitted = new HashSet<>();
    ArrayNode out = NODES.arrayNode();
    int li = 0;
    int ri = 0;
    while (li < left.size() || ri < rightOrder.size()) {
      if (li < left.size() && ri < rightOrder.size()) {
        Element le = left.get(li).element();
        if (le.equals(rightOrder.get(ri))) {
          emit(out, mergedItem(le, leftFirst, leftDuplicated, rightFirst, shape, path), emitted, le);
          li++;
          ri++;
          nextShared = shared.poll();
          continue;
        }
        if (rightFirst.containsKey(le) && nextShared != null && !nextShared.equals(le)) {
          li++; // a shared item whose turn comes later in the configuration's order
          continue;
        }
      }
      if (li < left.size()) {
        ListItems.Item item = left.get(li);
        if (!rightFirst.containsKey(item.element())) {
          out.add(item.value().deepCopy());
          li++;
          continue;
        }
        if (emitted.contains(item.element())) {
          li++;
          continue;
        }
      }
      if (ri < rightOrder.size()) {
        Element re = rightOrder.get(ri);
        emit(out, mergedItem(re, leftFirst, leftDuplicated, rightFirst, shape, path), emitted, re);
        ri++;
        if (re.equals(nextShared)) {
          nextShared = shared.poll();
        }
      } else {
        li++; // only shared items already emitted can be left here
      }
    }
    return out;
  }

  /** A duplicated live item is replaced, not merged, by the configured one (upstream cannot tell which to merge). */
  private JsonNode mergedItem(Element e, Map<Element, JsonNode> leftFirst, Set<Element> leftDuplicated,
      Map<Element, JsonNode> rightFirst, Shape shape, FieldPath path) {
    JsonNode l = leftDuplicated.contains(e) ? null : leftFirst.get(e);
    return walk(l, rightFirst.get(e), shape.items(), path.child(e));
  }

  private static void emit(ArrayNode out, JsonNode item, Set<Element> emitted, Element e) {
    emitted.add(e);
    if (item != null) {
      out.add(item);
    }
  }
}

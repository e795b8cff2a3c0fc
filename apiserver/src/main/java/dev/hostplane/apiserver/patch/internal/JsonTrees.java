package dev.hostplane.apiserver.patch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tree building blocks for merging: right-sized containers, deep copies that share only immutable value nodes,
 * and the clean-up of values a patch supplies whole. Not API.
 */
public final class JsonTrees {
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JsonTrees() {}

  /** A LinkedHashMap capacity that holds {@code n} entries without rehashing. */
  static int capacity(int n) {
    return n < 3 ? n + 1 : (int) (n / 0.75f + 1.0f);
  }

  static ObjectNode object(Map<String, JsonNode> members) {
    return new ObjectNode(NODES, members);
  }

  static ArrayNode array(List<JsonNode> items) {
    return new ArrayNode(NODES, items);
  }

  /**
   * A deep copy: new object and array nodes (sized to their contents), the same value nodes (Jackson's value
   * nodes are immutable, so sharing them shares nothing a caller can change).
   */
  public static JsonNode copy(JsonNode n) {
    if (n instanceof ObjectNode obj) {
      Map<String, JsonNode> members = new LinkedHashMap<>(capacity(obj.size()));
      Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        members.put(e.getKey(), copy(e.getValue()));
      }
      return object(members);
    }
    if (n instanceof ArrayNode arr) {
      List<JsonNode> items = new ArrayList<>(arr.size());
      for (JsonNode item : arr) {
        items.add(copy(item));
      }
      return array(items);
    }
    return n;
  }

  /** Keys that are patch directives rather than data; they never reach a result. */
  static boolean isDirectiveKey(String key) {
    return key.startsWith("$") && (key.equals(StrategicMerger.DIRECTIVE) || key.equals(StrategicMerger.RETAIN_KEYS)
        || key.startsWith(StrategicMerger.SET_ELEMENT_ORDER)
        || key.startsWith(StrategicMerger.DELETE_FROM_PRIMITIVE_LIST));
  }

  /**
   * A copy of a value the patch supplies whole (a field the original lacks, a replaced list, an appended list
   * item), cleaned as upstream cleans such values: null members are dropped at every depth (list elements that
   * are null stay), and an object carrying {@code $patch} is dropped with its key or list slot (upstream's
   * {@code discardNullValuesFromPatch} and {@code removeDirectives}). Other directive keys are dropped as well:
   * upstream leaves them in the map, and the typed object it decodes next has no field for them. Returns null when
   * {@code v} itself is dropped.
   */
  static JsonNode clean(JsonNode v) {
    if (v instanceof ObjectNode obj) {
      return obj.has(StrategicMerger.DIRECTIVE) ? null : cleanMembers(obj);
    }
    if (v instanceof ArrayNode arr) {
      List<JsonNode> items = new ArrayList<>(arr.size());
      for (JsonNode item : arr) {
        JsonNode c = clean(item);
        if (c != null) {
          items.add(c);
        }
      }
      return array(items);
    }
    return v;
  }

  /** The members of {@code obj} cleaned as by {@link #clean}, directive keys (also {@code $patch}) dropped. */
  static ObjectNode cleanMembers(ObjectNode obj) {
    Map<String, JsonNode> members = new LinkedHashMap<>(capacity(obj.size()));
    Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode value = e.getValue();
      if (value.isNull() || isDirectiveKey(e.getKey())) {
        continue;
      }
      JsonNode c = clean(value);
      if (c != null) {
        members.put(e.getKey(), c);
      }
    }
    return object(members);
  }

  /** A read-only list view of an array's items; no copy. */
  static List<JsonNode> items(ArrayNode arr) {
    if (arr == null) {
      return List.of();
    }
    return new AbstractList<>() {
      @Override
      public JsonNode get(int index) {
        return arr.get(index);
      }

      @Override
      public int size() {
        return arr.size();
      }
    };
  }

  /** Identity membership in an array; an identity set past a few dozen items keeps it linear overall. */
  static final class Members {
    private final ArrayNode arr;
    private Set<JsonNode> set;

    Members(ArrayNode arr) {
      this.arr = arr;
    }

    boolean contains(JsonNode node) {
      if (arr == null) {
        return false;
      }
      if (arr.size() <= 32) {
        for (JsonNode item : arr) {
          if (item == node) {
            return true;
          }
        }
        return false;
      }
      if (set == null) {
        set = Collections.newSetFromMap(new IdentityHashMap<>(arr.size() * 2));
        arr.forEach(set::add);
      }
      return set.contains(node);
    }
  }
}

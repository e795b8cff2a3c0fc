package dev.hostplane.apiserver.apply.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.api.internal.GoFormat;
import dev.hostplane.apiserver.apply.FieldPath;
import dev.hostplane.apiserver.apply.FieldPath.Element;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Identifies the items of associative lists: a list of type map by its key fields (a missing key field takes its
 * default, if the type has one), a list of type set by the item's value. Immutable and thread-safe. Not API.
 */
public final class ListItems {
  /** One item of a list: its path element, value, and whether an earlier item had the same element. */
  public record Item(Element element, JsonNode value, boolean duplicate) {}

  private final Map<String, JsonNode> keyDefaults;

  /** {@code keyDefaults}: the value a list-map key field takes when an item omits it (upstream: schema defaults). */
  public ListItems(Map<String, JsonNode> keyDefaults) {
    this.keyDefaults = Map.copyOf(keyDefaults);
  }

  /**
   * The items of {@code list} (an array, or null for none) of associative shape {@code shape} at {@code path}.
   * {@code strict} (applied configurations) refuses duplicates, as upstream does for apply; otherwise duplicates
   * are flagged and kept.
   *
   * @throws InvalidObjectException when an item cannot be identified
   */
  public List<Item> index(Shape shape, JsonNode list, FieldPath path, boolean strict) {
    List<Item> out = new ArrayList<>();
    if (list == null || !list.isArray()) {
      return out;
    }
    Map<Element, Boolean> seen = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode item = list.get(i);
      Element e = element(shape, item, i, path);
      boolean dup = seen.put(e, Boolean.TRUE) != null;
      if (dup && strict) {
        throw new InvalidObjectException(path + ": duplicate entries for key " + e);
      }
      out.add(new Item(e, item, dup));
    }
    return out;
  }

  /** First item per element, in list order (later duplicates are left out). */
  public static Map<Element, JsonNode> firstByElement(List<Item> items) {
    Map<Element, JsonNode> out = new LinkedHashMap<>();
    for (Item it : items) {
      out.putIfAbsent(it.element(), it.value());
    }
    return out;
  }

  /** The elements that occur more than once. */
  public static Set<Element> duplicated(List<Item> items) {
    Set<Element> out = new HashSet<>();
    for (Item it : items) {
      if (it.duplicate()) {
        out.add(it.element());
      }
    }
    return out;
  }

  private Element element(Shape shape, JsonNode item, int index, FieldPath path) {
    if (shape.kind() == Shape.Kind.LIST_MAP) {
      if (item == null || !item.isObject()) {
        throw new InvalidObjectException(path + ": element " + index
            + ": associative list with keys has an element that is not a map type");
      }
      List<FieldPath.KeyField> fields = new ArrayList<>();
      for (String key : shape.keys()) {
        JsonNode v = item.get(key);
        if (v == null) {
          v = keyDefaults.get(key);
        }
        if (v == null) {
          throw new InvalidObjectException(path + ": element " + index
              + ": associative list with keys has an element that omits key field " + GoFormat.quote(key)
              + " (and doesn't have default value)");
        }
        fields.add(new FieldPath.KeyField(key, v));
      }
      return new FieldPath.Key(fields);
    }
    if (item != null && item.isObject()) {
      throw new InvalidObjectException(path + ": element " + index
          + ": associative list without keys has an element that's a map type");
    }
    if (item != null && item.isArray()) {
      throw new InvalidObjectException(path + ": element " + index
          + ": associative list without keys has an element that's a list type");
    }
    return new FieldPath.Value(item);
  }
}

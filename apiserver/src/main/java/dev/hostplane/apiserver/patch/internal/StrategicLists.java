package dev.hostplane.apiserver.patch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.patch.PatchSchema;
import dev.hostplane.apiserver.patch.internal.GoValues.GoType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The list half of upstream's strategic merge ({@code mergeSliceHandler}, {@code mergeSlice} and helpers): lists
 * with the {@code merge} strategy merge item by item (by merge key for maps, as a set for primitives), others are
 * replaced whole. Never modifies its inputs; working lists hold original, patch and fresh nodes side by side until
 * {@link #build} turns them into a result list that shares nothing with the inputs. Not API.
 */
final class StrategicLists {
  /**
   * A merged list's items, and the original list as upstream sees it afterwards. Upstream deletes and appends on
   * the original slice's backing array, and the caller that reorders by {@code $setElementOrder} still holds the
   * original slice header: it sees deleted items shifted out and appended items in the freed slots. That view is
   * the "server order" of the reordering, so it is reproduced here.
   */
  record Merged(List<JsonNode> items, List<JsonNode> originalView) {}

  private final StrategicMerger maps;

  StrategicLists(StrategicMerger maps) {
    this.maps = maps;
  }

  /** A field both sides hold as lists: merged ({@code merge} strategy, or a deletion list) or replaced. */
  ArrayNode mergeField(ArrayNode original, ArrayNode patch, PatchSchema schema, boolean deleteList) {
    if (!StrategicMerger.hasStrategy(schema, StrategicMerger.MERGE) && !deleteList) {
      return (ArrayNode) JsonTrees.clean(patch);
    }
    Merged m = mergeSlice(original, patch, StrategicMerger.itemsOf(schema), StrategicMerger.mergeKey(schema),
        deleteList);
    return build(m.items(), original, patch);
  }

  /** {@code mergeSliceHandler} without a deletion list, for the {@code $setElementOrder} path. */
  Merged mergeForOrdering(ArrayNode original, ArrayNode patch, PatchSchema schema) {
    if (!StrategicMerger.hasStrategy(schema, StrategicMerger.MERGE)) {
      return new Merged(JsonTrees.items(patch), JsonTrees.items(original));
    }
    return mergeSlice(original, patch, StrategicMerger.itemsOf(schema), StrategicMerger.mergeKey(schema), false);
  }

  /**
   * {@code mergeSlice}. Primitives: a deletion list removes every equal value; otherwise the union without
   * duplicates. Maps: {@code $patch: delete} items remove every item with their merge key value, a
   * {@code $patch: replace} item makes the other patch items the whole list, remaining patch items merge into the
   * first item with their merge key value or are appended. Then the order is enforced ({@link ElementOrder}).
   */
  private Merged mergeSlice(ArrayNode original, ArrayNode patch, PatchSchema itemSchema, String mergeKey,
      boolean deleteList) {
    List<JsonNode> orig = JsonTrees.items(original);
    List<JsonNode> plainPatch = JsonTrees.items(patch);
    if (orig.isEmpty() && plainPatch.isEmpty()) {
      return new Merged(List.of(), orig);
    }
    GoType kind = elementType(orig, plainPatch);
    if (kind != GoType.MAP) {
      if (deleteList) {
        return new Merged(without(orig, plainPatch), orig);
      }
      List<JsonNode> union = union(orig, plainPatch);
      return new Merged(ElementOrder.enforce(union, plainPatch, orig, mergeKey, kind), orig);
    }
    if (mergeKey.isEmpty()) {
      throw SmpFailure.other("cannot merge lists without merge key for " + goKindName(itemSchema));
    }
    int n = orig.size();
    JsonNode[] backing = new JsonNode[n + plainPatch.size()];
    for (int i = 0; i < n; i++) {
      backing[i] = orig.get(i);
    }
    int len = n;
    List<JsonNode> rest = new ArrayList<>(plainPatch.size());
    boolean replace = false;
    for (JsonNode item : plainPatch) {
      JsonNode directive = item.get(StrategicMerger.DIRECTIVE);
      if (directive == null) {
        rest.add(item);
      } else if (isText(directive, StrategicMerger.DELETE)) {
        JsonNode key = item.get(mergeKey);
        if (key == null) {
          throw SmpFailure.noMergeKey(item, mergeKey);
        }
        for (int at = find(backing, len, mergeKey, key); at >= 0; at = find(backing, len, mergeKey, key)) {
          System.arraycopy(backing, at + 1, backing, at, len - at - 1); // like Go's append(s[:at], s[at+1:]...)
          len--;
        }
      } else if (isText(directive, StrategicMerger.REPLACE)) {
        replace = true;
      } else if (isText(directive, StrategicMerger.MERGE)) {
        throw SmpFailure.other("merging lists cannot yet be specified in the patch");
      } else {
        throw SmpFailure.badPatchType(directive, item);
      }
    }
    List<JsonNode> originalView = Arrays.asList(backing).subList(0, n);
    if (replace) {
      return new Merged(ElementOrder.enforce(rest, List.of(), rest, mergeKey, kind), originalView);
    }
    int kept = len;
    for (JsonNode item : rest) {
      JsonNode key = item.get(mergeKey);
      if (key == null) {
        throw SmpFailure.noMergeKey(item, mergeKey);
      }
      int at = find(backing, len, mergeKey, key);
      if (at < 0) {
        backing[len++] = item;
        continue;
      }
      // An item appended earlier is raw patch content: clean it before it becomes the base of a merge.
      JsonNode base = at >= kept ? JsonTrees.clean(backing[at]) : backing[at];
      backing[at] = maps.mergeMap((ObjectNode) base, (ObjectNode) item, itemSchema);
    }
    List<JsonNode> merged = Arrays.asList(backing).subList(0, len);
    List<JsonNode> serverOrder = Arrays.asList(backing).subList(0, kept);
    return new Merged(ElementOrder.enforce(merged, rest, serverOrder, mergeKey, kind), originalView);
  }

  /**
   * The result list: items still identical to an original item are attached as the merger attaches original
   * subtrees (copied), items taken from the patch are cleaned ({@link JsonTrees#clean}), fresh items kept.
   */
  ArrayNode build(List<JsonNode> items, ArrayNode original, ArrayNode patch) {
    JsonTrees.Members fromOriginal = new JsonTrees.Members(original);
    JsonTrees.Members fromPatch = new JsonTrees.Members(patch);
    List<JsonNode> out = new ArrayList<>(items.size());
    for (JsonNode item : items) {
      if (!item.isContainerNode()) {
        out.add(item);
      } else if (fromOriginal.contains(item)) {
        out.add(maps.attach(item));
      } else if (fromPatch.contains(item)) {
        JsonNode c = JsonTrees.clean(item);
        if (c != null) {
          out.add(c);
        }
      } else {
        out.add(item);
      }
    }
    return JsonTrees.array(out);
  }

  /**
   * {@code sliceElementType}: the one Go type of all items of both lists. Lists of lists are 422; mixed types or
   * no items at all are errors.
   */
  static GoType elementType(List<JsonNode> first, List<JsonNode> second) {
    GoType type = null;
    for (List<JsonNode> list : List.of(first, second)) {
      for (JsonNode item : list) {
        GoType t = GoValues.typeOf(item);
        if (type == null) {
          type = t;
          if (t == GoType.SLICE) {
            throw SmpFailure.noListOfLists();
          }
        } else if (t != type) {
          throw SmpFailure.other("list element types are not identical: " + GoValues.vSlices(first, second));
        }
      }
    }
    if (type == null) {
      throw SmpFailure.other("no elements in any of the given slices");
    }
    return type;
  }

  /** {@code findMapInSliceBasedOnKeyValue} over the first {@code len} items: the first holding the key value. */
  static int find(List<JsonNode> items, int len, String mergeKey, JsonNode value) {
    for (int i = 0; i < len; i++) {
      if (matches(items.get(i), i, mergeKey, value)) {
        return i;
      }
    }
    return -1;
  }

  private static int find(JsonNode[] items, int len, String mergeKey, JsonNode value) {
    for (int i = 0; i < len; i++) {
      if (matches(items[i], i, mergeKey, value)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean matches(JsonNode item, int index, String mergeKey, JsonNode value) {
    if (!item.isObject()) {
      throw SmpFailure.other("value for key " + index + " is not a map");
    }
    JsonNode v = item.get(mergeKey);
    return v != null && GoValues.same(v, value);
  }

  /** {@code deleteFromSlice}: the items equal to none of {@code toDelete}. */
  private static List<JsonNode> without(List<JsonNode> items, List<JsonNode> toDelete) {
    List<JsonNode> out = new ArrayList<>(items.size());
    for (JsonNode item : items) {
      if (!containsSame(toDelete, item)) {
        out.add(item);
      }
    }
    return out;
  }

  /** Both lists' values without duplicates (the order is enforced afterwards, so it does not matter here). */
  private static List<JsonNode> union(List<JsonNode> first, List<JsonNode> second) {
    List<JsonNode> out = new ArrayList<>(first.size() + second.size());
    for (List<JsonNode> list : List.of(first, second)) {
      for (JsonNode item : list) {
        if (!containsSame(out, item)) {
          out.add(item);
        }
      }
    }
    return out;
  }

  private static boolean containsSame(List<JsonNode> items, JsonNode value) {
    for (JsonNode item : items) {
      if (GoValues.same(item, value)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isText(JsonNode n, String text) {
    return n.isTextual() && n.textValue().equals(text);
  }

  /** What upstream names the item type in "cannot merge lists without merge key for ...". */
  private static String goKindName(PatchSchema items) {
    return switch (items.kind()) {
      case OBJECT -> "struct";
      case MAP -> "map";
      case LIST -> "slice";
      case SCALAR -> "string";
      case UNKNOWN -> "interface";
    };
  }
}

package dev.hostplane.apiserver.patch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.patch.PatchSchema;
import dev.hostplane.apiserver.patch.internal.GoValues.GoType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Upstream's server-side strategic merge ({@code StrategicMergeMapPatch}: {@code mergeMap} with
 * {@code MergeParallelList} and {@code IgnoreUnmatchedNulls}), on Jackson trees, step for step: a {@code $patch}
 * directive on the map; {@code $retainKeys}; every {@code $setElementOrder/<field>} with its list; then each
 * remaining member in patch order ({@code $deleteFromPrimitiveList/<field>}, {@code null} deletes, maps merge,
 * lists by strategy, anything else replaces).
 *
 * <p>Never modifies {@code original} or {@code patch}. Results are built functionally: each object on a patched
 * path is a new node; untouched original subtrees are attached through {@link #attach}, which copies them
 * ({@code copyOriginal}, the mode the API uses: the result then shares no mutable node with either input) or shares
 * them (a mode for measurements). Values the patch supplies whole are cleaned copies ({@link JsonTrees#clean}).
 * Failures are {@link SmpFailure}s; since nothing is modified, a failure leaves nothing to undo. Not API;
 * single-threaded, one instance per application.
 */
public final class StrategicMerger {
  static final String DIRECTIVE = "$patch";
  static final String RETAIN_KEYS = "$retainKeys";
  static final String SET_ELEMENT_ORDER = "$setElementOrder";
  static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList";
  static final String DELETE = "delete";
  static final String REPLACE = "replace";
  static final String MERGE = "merge";

  private final boolean copyOriginal;
  private final StrategicLists lists = new StrategicLists(this);

  /** {@code copyOriginal}: copy untouched original subtrees into the result (true) or share them (false). */
  public StrategicMerger(boolean copyOriginal) {
    this.copyOriginal = copyOriginal;
  }

  /** Merges {@code patch} into {@code original} (null: an empty map) as {@code mergeMap} does; see the class. */
  public ObjectNode mergeMap(ObjectNode original, ObjectNode patch, PatchSchema schema) {
    JsonNode directive = patch.get(DIRECTIVE);
    if (directive != null) {
      return mapDirective(directive, patch);
    }
    int size = original == null ? 0 : original.size();
    LinkedHashMap<String, JsonNode> out = new LinkedHashMap<>(JsonTrees.capacity(size + patch.size()));
    if (original != null) {
      Iterator<Map.Entry<String, JsonNode>> it = original.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), e.getValue()); // shared for now; finish() attaches what stays untouched
      }
    }
    JsonNode retain = patch.get(RETAIN_KEYS);
    if (retain != null) {
      retainKeys(out, patch, retain);
    }
    List<String> ordered = mergeOrderedLists(out, patch, schema);
    Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      if (key.equals(RETAIN_KEYS) || key.startsWith(SET_ELEMENT_ORDER) || ordered != null && ordered.contains(key)) {
        continue;
      }
      mergeMember(out, key, e.getValue(), schema);
    }
    return finish(out, original);
  }

  /** An untouched original subtree as it enters a result: a copy, or itself when sharing. */
  JsonNode attach(JsonNode original) {
    return copyOriginal && original.isContainerNode() ? JsonTrees.copy(original) : original;
  }

  /** {@code handleDirectiveInMergeMap}: replace is the patch's own members, delete an empty map. */
  private static ObjectNode mapDirective(JsonNode directive, ObjectNode patch) {
    if (directive.isTextual() && directive.textValue().equals(REPLACE)) {
      return JsonTrees.cleanMembers(patch);
    }
    if (directive.isTextual() && directive.textValue().equals(DELETE)) {
      return JsonTrees.object(new LinkedHashMap<>(1));
    }
    throw SmpFailure.badPatchType(directive, patch);
  }

  /**
   * {@code applyRetainKeysDirective}: the directive must be a list naming every key the patch sets (null values
   * and list directives aside); original keys it does not name are dropped. Applied wherever it appears, as
   * upstream does, whatever the field's strategy.
   */
  private static void retainKeys(Map<String, JsonNode> out, ObjectNode patch, JsonNode retain) {
    if (!retain.isArray()) {
      throw SmpFailure.badRetainKeysFormat();
    }
    Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      if (key.equals(RETAIN_KEYS) || e.getValue().isNull() || key.startsWith(DELETE_FROM_PRIMITIVE_LIST)
          || key.startsWith(SET_ELEMENT_ORDER)) {
        continue;
      }
      if (!names(retain, key)) {
        throw SmpFailure.badRetainKeysFormat();
      }
    }
    out.keySet().removeIf(key -> !names(retain, key));
  }

  private static boolean names(JsonNode list, String key) {
    for (JsonNode item : list) {
      if (item.isTextual() && item.textValue().equals(key)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code mergePatchIntoOriginal}: each {@code $setElementOrder/<field>} settles its field's list: the original
   * list, the patch list, or both merged by the field's strategy, ordered by the directive's list. Returns the
   * fields settled (their patch lists are done), or null when there were none.
   */
  private List<String> mergeOrderedLists(Map<String, JsonNode> out, ObjectNode patch, PatchSchema schema) {
    List<String> settled = null;
    Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().startsWith(SET_ELEMENT_ORDER)) {
        continue;
      }
      JsonNode order = e.getValue();
      if (!order.isArray()) {
        throw SmpFailure.badArgType(GoType.SLICE, order);
      }
      String field = extractKey(e.getKey(), SET_ELEMENT_ORDER);
      JsonNode origValue = out.get(field);
      JsonNode patchValue = patch.get(field);
      if (origValue != null && !origValue.isArray()) {
        throw SmpFailure.badArgType(GoType.SLICE, origValue);
      }
      if (patchValue != null && !patchValue.isArray()) {
        throw SmpFailure.badArgType(GoType.SLICE, patchValue);
      }
      ArrayNode origList = (ArrayNode) origValue;
      ArrayNode patchList = (ArrayNode) patchValue;
      PatchSchema sub = fieldOf(schema, field);
      String mergeKey = mergeKey(sub);
      ElementOrder.validate(patchList, (ArrayNode) order, mergeKey);
      StrategicLists.Merged merged;
      if (origList != null && patchList == null) {
        merged = new StrategicLists.Merged(JsonTrees.items(origList), JsonTrees.items(origList));
      } else if (origList == null && patchList != null) {
        merged = new StrategicLists.Merged(withoutDirectiveItems(patchList), List.of());
      } else if (origList != null) {
        merged = lists.mergeForOrdering(origList, patchList, sub);
      } else {
        continue;
      }
      List<JsonNode> orderItems = JsonTrees.items((ArrayNode) order);
      ElementOrder.Partition p = ElementOrder.partition(merged.items(), orderItems, mergeKey);
      GoType kind = StrategicLists.elementType(merged.originalView(), JsonTrees.items(patchList));
      List<JsonNode> both = ElementOrder.normalize(p.named(), p.serverOnly(), orderItems, merged.originalView(),
          mergeKey, kind);
      out.put(field, lists.build(both, origList, patchList));
      if (settled == null) {
        settled = new ArrayList<>(2);
      }
      settled.add(field);
    }
    return settled;
  }

  /** A list the original lacks, as upstream's {@code removeDirectives} takes it: items carrying $patch dropped. */
  private static List<JsonNode> withoutDirectiveItems(ArrayNode list) {
    List<JsonNode> items = new ArrayList<>(list.size());
    for (JsonNode item : list) {
      if (!(item.isObject() && item.has(DIRECTIVE))) {
        items.add(item);
      }
    }
    return items;
  }

  /** One member of the main loop of {@code mergeMap}. */
  private void mergeMember(Map<String, JsonNode> out, String key, JsonNode value, PatchSchema schema) {
    String field = key;
    boolean deleteList = false;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      String k = extractKey(key, DELETE_FROM_PRIMITIVE_LIST);
      deleteList = true;
      if (!k.isEmpty()) {
        field = k;
      }
    }
    if (value.isNull()) {
      out.remove(field);
      return;
    }
    JsonNode current = out.get(field);
    GoType type = GoValues.typeOf(value);
    if (current == null || GoValues.typeOf(current) != type) {
      if (!deleteList) {
        JsonNode c = JsonTrees.clean(value);
        if (c == null) {
          out.remove(field);
        } else {
          out.put(field, c);
        }
      }
      return;
    }
    PatchSchema sub = fieldOf(schema, field);
    if (type == GoType.MAP) {
      out.put(field, hasStrategy(sub, REPLACE) ? JsonTrees.cleanMembers((ObjectNode) value)
          : mergeMap((ObjectNode) current, (ObjectNode) value, sub));
    } else if (type == GoType.SLICE) {
      out.put(field, lists.mergeField((ArrayNode) current, (ArrayNode) value, sub, deleteList));
    } else {
      out.put(field, value); // a value node: immutable, safe to share
    }
  }

  /** The result object: members still identical to the original's are attached ({@link #attach}). */
  private ObjectNode finish(LinkedHashMap<String, JsonNode> out, ObjectNode original) {
    if (copyOriginal && original != null) {
      for (Map.Entry<String, JsonNode> e : out.entrySet()) {
        JsonNode v = e.getValue();
        if (v.isContainerNode() && v == original.get(e.getKey())) {
          e.setValue(JsonTrees.copy(v));
        }
      }
    }
    return JsonTrees.object(out);
  }

  /** {@code extractKey}: the field after {@code <prefix>/}; 400 when the key is not of that form. */
  private static String extractKey(String key, String prefix) {
    int slash = key.indexOf('/');
    if (slash < 0 || !key.substring(0, slash).equals(prefix)) {
      throw prefix.equals(SET_ELEMENT_ORDER) ? SmpFailure.badSetElementOrderFormat()
          : SmpFailure.badPrimitiveListFormat();
    }
    return key.substring(slash + 1);
  }

  static PatchSchema fieldOf(PatchSchema schema, String name) {
    PatchSchema s = schema == null ? null : schema.field(name);
    return s == null ? PatchSchema.UNKNOWN : s;
  }

  static PatchSchema itemsOf(PatchSchema schema) {
    PatchSchema s = schema == null ? null : schema.items();
    return s == null ? PatchSchema.UNKNOWN : s;
  }

  static String mergeKey(PatchSchema schema) {
    String k = schema == null ? null : schema.patchMergeKey();
    return k == null ? "" : k;
  }

  static boolean hasStrategy(PatchSchema schema, String strategy) {
    Set<String> s = schema == null ? null : schema.patchStrategies();
    return s != null && s.contains(strategy);
  }
}

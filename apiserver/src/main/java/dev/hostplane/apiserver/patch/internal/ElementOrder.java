package dev.hostplane.apiserver.patch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.hostplane.apiserver.patch.internal.GoValues.GoType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The order of a merged list, as upstream computes it (the design proposal "preserve order in strategic merge
 * patch"): items the patch (or its {@code $setElementOrder} list) names come in that order; the other, server-only
 * items keep their order in the live list; the two runs are interleaved by the live list's order
 * ({@code normalizeElementOrder}, {@code mergeSortedSlice}). Items are compared by merge key value (lists of maps)
 * or by value (lists of primitives), with Go's {@code ==}. Inputs are never modified. Not API.
 */
final class ElementOrder {
  private ElementOrder() {}

  /**
   * The order step of {@code mergeSlice}: {@code merged} split by presence in {@code patch}, then normalized
   * with the patch's order for the named items and {@code serverOrder} for the rest.
   */
  static List<JsonNode> enforce(List<JsonNode> merged, List<JsonNode> patch, List<JsonNode> serverOrder,
      String mergeKey, GoType kind) {
    Partition p = partition(merged, patch, mergeKey);
    return normalize(p.named(), p.serverOnly(), patch, serverOrder, mergeKey, kind);
  }

  /** Items split by whether {@code by} names them, each part in the items' order. */
  record Partition(List<JsonNode> named, List<JsonNode> serverOnly) {}

  /**
   * Splits {@code items} by presence in {@code by}: by merge key for lists of maps
   * ({@code partitionMapsByPresentInList}, which requires every item to be a map holding the key), by value for
   * primitives ({@code partitionPrimitivesByPresentInList}).
   */
  static Partition partition(List<JsonNode> items, List<JsonNode> by, String mergeKey) {
    List<JsonNode> named = new ArrayList<>(items.size());
    List<JsonNode> serverOnly = new ArrayList<>(items.size());
    for (JsonNode item : items) {
      boolean found = false;
      if (mergeKey.isEmpty()) {
        for (JsonNode b : by) {
          if (GoValues.same(item, b)) {
            found = true;
            break;
          }
        }
      } else {
        if (!item.isObject()) {
          throw SmpFailure.badArgType(GoType.MAP, item);
        }
        JsonNode key = item.get(mergeKey);
        if (key == null) {
          throw SmpFailure.noMergeKey(item, mergeKey);
        }
        found = StrategicLists.find(by, by.size(), mergeKey, key) >= 0;
      }
      (found ? named : serverOnly).add(item);
    }
    return new Partition(named, serverOnly);
  }

  /**
   * {@code normalizeElementOrder}: {@code named} sorted by {@code namedOrder}, {@code serverOnly} sorted by
   * {@code serverOrder}, then interleaved by {@code serverOrder}.
   */
  static List<JsonNode> normalize(List<JsonNode> named, List<JsonNode> serverOnly, List<JsonNode> namedOrder,
      List<JsonNode> serverOrder, String mergeKey, GoType kind) {
    List<JsonNode> patchSorted = sortByOrder(named, namedOrder, mergeKey, kind);
    List<JsonNode> serverSorted = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
    return mergeSorted(serverSorted, patchSorted, serverOrder, mergeKey, kind);
  }

  /**
   * {@code normalizeSliceOrder}: for lists of maps every item of both lists must be a map holding the merge key,
   * and items marked {@code $patch: delete} go last; the rest are sorted stably by their first position in
   * {@code order}. Upstream's comparator treats an item missing from {@code order} as less than anything; with
   * such items (only malformed patches produce them) Go's insertion sort is reproduced, which is exact up to the
   * 20 items Go sorts that way.
   */
  static List<JsonNode> sortByOrder(List<JsonNode> toSort, List<JsonNode> order, String mergeKey, GoType kind) {
    List<JsonNode> sorted = new ArrayList<>(toSort.size());
    List<JsonNode> deletes = null;
    if (kind == GoType.MAP) {
      requireMergeKeys(toSort, mergeKey);
      requireMergeKeys(order, mergeKey);
      for (JsonNode item : toSort) {
        JsonNode d = item.get(StrategicMerger.DIRECTIVE);
        if (d != null && d.isTextual() && d.textValue().equals(StrategicMerger.DELETE)) {
          if (deletes == null) {
            deletes = new ArrayList<>();
          }
          deletes.add(item);
        } else {
          sorted.add(item);
        }
      }
    } else {
      sorted.addAll(toSort);
    }
    int n = sorted.size();
    if (n > 1) {
      int[] idx = new int[n];
      boolean allFound = true;
      for (int i = 0; i < n; i++) {
        idx[i] = indexIn(order, sorted.get(i), mergeKey, kind);
        allFound &= idx[i] >= 0;
      }
      if (allFound && n > 20) {
        stableSortByIndex(sorted, idx);
      } else {
        goInsertionSort(sorted, idx);
      }
    }
    if (deletes != null) {
      sorted.addAll(deletes);
    }
    return sorted;
  }

  /**
   * {@code mergeSortedSlice}: walks both runs; a server-only item goes first only when it and the next patch
   * item are both in {@code serverOrder} and it comes earlier there.
   */
  static List<JsonNode> mergeSorted(List<JsonNode> left, List<JsonNode> right, List<JsonNode> serverOrder,
      String mergeKey, GoType kind) {
    List<JsonNode> out = new ArrayList<>(left.size() + right.size());
    int i = 0;
    int j = 0;
    int[] li = positions(left, serverOrder, mergeKey, kind);
    int[] ri = positions(right, serverOrder, mergeKey, kind);
    while (i < left.size() && j < right.size()) {
      if (li[i] >= 0 && ri[j] >= 0 && li[i] < ri[j]) {
        out.add(left.get(i++));
      } else {
        out.add(right.get(j++));
      }
    }
    out.addAll(left.subList(i, left.size()));
    out.addAll(right.subList(j, right.size()));
    return out;
  }

  /**
   * {@code validatePatchWithSetOrderList}: the patch list's items (deletions and directive items aside) must
   * appear in the {@code $setElementOrder} list, in the same relative order.
   */
  static void validate(ArrayNode patchList, ArrayNode order, String mergeKey) {
    if (order.isEmpty() || patchList == null || patchList.isEmpty()) {
      return;
    }
    List<JsonNode> kept = new ArrayList<>(patchList.size());
    for (JsonNode item : patchList) {
      if (!mergeKey.isEmpty()) {
        if (!item.isObject()) {
          throw SmpFailure.badArgType(GoType.MAP, item);
        }
        JsonNode d = item.get(StrategicMerger.DIRECTIVE);
        if (d != null && d.isTextual() && d.textValue().equals(StrategicMerger.DELETE)) {
          continue;
        }
      }
      kept.add(item);
    }
    int p = 0;
    int s = 0;
    while (p < kept.size() && s < order.size()) {
      JsonNode item = kept.get(p);
      if (item.isObject() && item.has(StrategicMerger.DIRECTIVE)) {
        p++;
        continue;
      }
      if (mergeKeyEqual(item, order.get(s), mergeKey)) {
        p++;
      }
      s++;
    }
    if (p < kept.size() && s >= order.size()) {
      throw SmpFailure.other("the order in patch list:\n" + GoValues.v(patchList) + "\n doesn't match "
          + StrategicMerger.SET_ELEMENT_ORDER + " list:\n" + GoValues.v(order));
    }
  }

  private static boolean mergeKeyEqual(JsonNode left, JsonNode right, String mergeKey) {
    if (mergeKey.isEmpty()) {
      return GoValues.same(left, right);
    }
    if (!left.isObject()) {
      throw SmpFailure.badArgType(GoType.MAP, left);
    }
    if (!right.isObject()) {
      throw SmpFailure.badArgType(GoType.MAP, right);
    }
    JsonNode l = left.get(mergeKey);
    if (l == null) {
      throw SmpFailure.noMergeKey(left, mergeKey);
    }
    JsonNode r = right.get(mergeKey);
    if (r == null) {
      throw SmpFailure.noMergeKey(right, mergeKey);
    }
    return GoValues.same(l, r);
  }

  /** {@code validateMergeKeyInLists}. */
  private static void requireMergeKeys(List<JsonNode> items, String mergeKey) {
    for (JsonNode item : items) {
      if (!item.isObject()) {
        throw SmpFailure.badArgType(GoType.MAP, item);
      }
      if (!item.has(mergeKey)) {
        throw SmpFailure.noMergeKey(item, mergeKey);
      }
    }
  }

  private static int[] positions(List<JsonNode> items, List<JsonNode> order, String mergeKey, GoType kind) {
    int[] idx = new int[items.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = indexIn(order, items.get(i), mergeKey, kind);
    }
    return idx;
  }

  /** upstream's {@code index}: the first position whose merge key value (or value) equals the item's; -1 if none. */
  private static int indexIn(List<JsonNode> order, JsonNode item, String mergeKey, GoType kind) {
    JsonNode wanted = orderValue(item, mergeKey, kind);
    for (int i = 0; i < order.size(); i++) {
      if (GoValues.same(wanted, orderValue(order.get(i), mergeKey, kind))) {
        return i;
      }
    }
    return -1;
  }

  private static JsonNode orderValue(JsonNode item, String mergeKey, GoType kind) {
    if (kind != GoType.MAP) {
      return item;
    }
    return item.isObject() ? item.get(mergeKey) : null;
  }

  private static void stableSortByIndex(List<JsonNode> items, int[] idx) {
    Integer[] perm = new Integer[items.size()];
    for (int i = 0; i < perm.length; i++) {
      perm[i] = i;
    }
    Arrays.sort(perm, (a, b) -> Integer.compare(idx[a], idx[b])); // TimSort: stable
    JsonNode[] before = items.toArray(new JsonNode[0]);
    for (int i = 0; i < perm.length; i++) {
      items.set(i, before[perm[i]]);
    }
  }

  /** Go's {@code insertionSort_func} with upstream's comparator (true whenever either side is not found). */
  private static void goInsertionSort(List<JsonNode> items, int[] idx) {
    for (int i = 1; i < items.size(); i++) {
      for (int j = i; j > 0 && less(idx[j], idx[j - 1]); j--) {
        JsonNode t = items.get(j);
        items.set(j, items.get(j - 1));
        items.set(j - 1, t);
        int ti = idx[j];
        idx[j] = idx[j - 1];
        idx[j - 1] = ti;
      }
    }
  }

  private static boolean less(int a, int b) {
    return a < 0 || b < 0 || a < b;
  }
}

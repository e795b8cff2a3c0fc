package dev.hostplane.apiserver.apply.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.apply.FieldSet;
import dev.hostplane.apiserver.apply.ManagedFields.Entry;
import dev.hostplane.apiserver.apply.ManagedFields.Identity;
import dev.hostplane.apiserver.patch.PatchSchema;
import dev.hostplane.apiserver.patch.internal.JsonValues;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Ownership bookkeeping and the apply merge, as upstream's structured-merge-diff {@code merge.Updater}: objects in,
 * objects and manager sets out. Works on objects without {@code metadata.managedFields}; manager maps passed in are
 * modified in place. All objects are in one API version: paths are not converted between versions. Not API.
 */
public final class Updater {
  private final PatchSchema root;
  private final ToFieldSet toFieldSet;
  private final Compare compare;
  private final Merge merge;
  private final Remove remove;

  public Updater(PatchSchema root, ListItems items) {
    this.root = root;
    this.toFieldSet = new ToFieldSet(items);
    this.compare = new Compare(items);
    this.merge = new Merge(items);
    this.remove = new Remove(items);
  }

  public ToFieldSet fieldSets() {
    return toFieldSet;
  }

  public Compare comparer() {
    return compare;
  }

  /**
   * Upstream's {@code update}: what changed from {@code oldObj} to {@code newObj} (less {@code reset} fields) is
   * taken from every manager but {@code self}: changed fields are conflicts (an error unless {@code force}),
   * removed fields simply go. Managers left with nothing are dropped.
   *
   * @throws ConflictException when another manager owns a changed field and {@code force} is false
   * @return the comparison, filtered by {@code reset}
   */
  public Comparison takeChanges(JsonNode oldObj, JsonNode newObj, Map<Identity, Entry> managers, Identity self,
      boolean force, UnaryOperator<FieldSet> reset) {
    Comparison cmp = compare.compare(oldObj, newObj, root).filtered(reset);
    FieldSet changed = cmp.changed();
    Map<Identity, FieldSet> conflicts = new LinkedHashMap<>();
    for (Map.Entry<Identity, Entry> m : managers.entrySet()) {
      if (m.getKey().equals(self)) {
        continue;
      }
      FieldSet c = m.getValue().fields().intersection(changed);
      if (!c.isEmpty()) {
        conflicts.put(m.getKey(), c);
      }
    }
    if (!force && !conflicts.isEmpty()) {
      throw new ConflictException(conflicts);
    }
    for (Map.Entry<Identity, Entry> m : managers.entrySet()) {
      if (m.getKey().equals(self)) {
        continue;
      }
      FieldSet fields = m.getValue().fields();
      FieldSet c = conflicts.get(m.getKey());
      if (c != null) {
        fields = fields.difference(c);
      }
      fields = fields.difference(cmp.removed());
      m.setValue(m.getValue().withFields(fields));
    }
    managers.values().removeIf(e -> e.fields().isEmpty());
    return cmp;
  }

  /**
   * Upstream's {@code Updater.Update}: {@code self} comes to own what changed (its earlier fields stay, less what
   * was removed); everybody else loses it. {@code self}'s entry is left out when it owns nothing.
   */
  public void update(JsonNode oldObj, JsonNode newObj, String apiVersion, Map<Identity, Entry> managers,
      Identity self, UnaryOperator<FieldSet> reset) {
    Comparison cmp = takeChanges(oldObj, newObj, managers, self, true, reset);
    Entry prev = managers.get(self);
    FieldSet fields = prev == null ? FieldSet.EMPTY : prev.fields();
    fields = reset.apply(fields.union(cmp.modified()).union(cmp.added()).difference(cmp.removed()));
    if (fields.isEmpty()) {
      managers.remove(self);
    } else {
      managers.put(self, new Entry(self, apiVersion, prev == null ? null : prev.time(), fields));
    }
  }

  /** The outcome of an apply: the new object, or null when it equals the live one; managers updated in place. */
  public record Applied(ObjectNode object) {}

  /**
   * Upstream's {@code Updater.Apply}: merges {@code config} into {@code live}, makes {@code config}'s fields (less
   * {@code reset} ones) the applier's, removes what the applier set last time and no longer does unless someone
   * else owns it, and takes changed fields from other managers (conflicts unless {@code force}).
   *
   * @param configFields the field set of {@code config} (already validated)
   * @throws ConflictException on conflicts without {@code force}
   */
  public Applied apply(ObjectNode live, ObjectNode config, FieldSet configFields, String apiVersion,
      Map<Identity, Entry> managers, Identity applier, boolean force, UnaryOperator<FieldSet> reset) {
    ObjectNode merged = (ObjectNode) merge.merge(live, config, root);
    Entry last = managers.get(applier);
    FieldSet fields = reset.apply(configFields);
    managers.put(applier, new Entry(applier, apiVersion, last == null ? null : last.time(), fields));
    if (last != null && !last.fields().isEmpty()) {
      merged = prune(merged, managers, last.fields());
    }
    takeChanges(live, merged, managers, applier, force, reset);
    return new Applied(JsonValues.equal(live, merged) ? null : merged);
  }

  /**
   * Removes from {@code merged} what the applier owned last time ({@code lastSet}) that no manager owns now, as
   * upstream's {@code prune} with its two add-back passes: first everything the applier had is taken out, then
   * what anybody (the applier's new set included) owns is put back, then whatever the applier never owned is put
   * back.
   */
  private ObjectNode prune(ObjectNode merged, Map<Identity, Entry> managers, FieldSet lastSet) {
    FieldSet last = NamedFields.ensure(lastSet, root);
    FieldSet owned = FieldSet.EMPTY;
    for (Entry e : managers.values()) {
      owned = owned.union(e.fields());
    }
    owned = NamedFields.ensure(owned, root);
    FieldSet mergedSet = NamedFields.ensure(toFieldSet.of(merged, root, false), root);

    ObjectNode pruned = remove.remove(merged, last, root);
    FieldSet prunedSet = NamedFields.ensure(toFieldSet.of(pruned, root, false), root);
    pruned = remove.remove(merged, mergedSet.difference(prunedSet.union(owned)), root);

    prunedSet = NamedFields.ensure(toFieldSet.of(pruned, root, false), root);
    return remove.remove(merged, mergedSet.difference(prunedSet).intersection(last), root);
  }
}

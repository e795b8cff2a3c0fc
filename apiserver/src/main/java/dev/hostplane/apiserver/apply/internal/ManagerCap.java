package dev.hostplane.apiserver.apply.internal;

import dev.hostplane.apiserver.apply.ManagedFields.Entry;
import dev.hostplane.apiserver.apply.ManagedFields.Identity;
import dev.hostplane.apiserver.apply.ManagedFields.Operation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Upstream's cap on update entries: beyond {@code max} entries of operation Update, the oldest are merged, per
 * apiVersion, into one {@code ancient-changes} entry (the first old entry of a version only becomes the bucket once
 * a second one joins it). Apply entries are never merged. Not API.
 */
public final class ManagerCap {
  public static final String ANCIENT_CHANGES = "ancient-changes";

  private ManagerCap() {}

  /** Caps {@code managers} in place. */
  public static void cap(Map<Identity, Entry> managers, int max) {
    List<Identity> updaters = new ArrayList<>();
    for (Identity id : managers.keySet()) {
      if (id.operation() == Operation.UPDATE) {
        updaters.add(id);
      }
    }
    if (updaters.size() <= max) {
      return;
    }
    updaters.sort(Comparator
        .comparingLong((Identity id) -> {
          Entry e = managers.get(id);
          return e.time() == null ? 0 : e.time().getEpochSecond();
        })
        .thenComparing(Identity::key));
    Map<String, Identity> firstOfVersion = new HashMap<>();
    int length = updaters.size();
    for (int i = 0; i < updaters.size() && length > max; i++) {
      Identity id = updaters.get(i);
      Entry e = managers.get(id);
      String version = e.apiVersion();
      Identity bucket = Identity.update(ANCIENT_CHANGES, version, "");
      Identity first = firstOfVersion.get(version);
      if (id.equals(bucket)) {
        // An existing bucket that is not the oldest of its version: upstream would merge it into itself and
        // drop it; keep it instead.
        firstOfVersion.putIfAbsent(version, id);
        continue;
      }
      if (first == null) {
        firstOfVersion.put(version, id);
        continue;
      }
      if (!managers.containsKey(bucket)) {
        Entry f = managers.remove(first);
        managers.put(bucket, new Entry(bucket, f.apiVersion(), f.time(), f.fields()));
      }
      Entry b = managers.get(bucket);
      managers.put(bucket, new Entry(bucket, version, e.time(), e.fields().union(b.fields())));
      managers.remove(id);
      length--;
    }
  }
}

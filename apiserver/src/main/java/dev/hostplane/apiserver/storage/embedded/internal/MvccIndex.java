package dev.hostplane.apiserver.storage.embedded.internal;

import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import dev.hostplane.apiserver.storage.WatchEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The multi-version index: per key, a newest-first chain of {@link Version}s, in a sorted concurrent map.
 *
 * <p>Threading: only the writer thread (or the opening thread, before the store is shared) changes it. Readers on any
 * thread read it without locks at a revision no newer than {@link #committedRevision()}, so versions the writer is
 * still publishing (newer than the committed revision) are invisible to them. Only durable versions ever enter the
 * index: the writer publishes a batch after its WAL record is fsynced.
 */
public final class MvccIndex {
  private static final byte[] NO_VALUE = new byte[0];

  private final ConcurrentSkipListMap<String, Version> heads = new ConcurrentSkipListMap<>();
  /** Keys that may hold history to compact away (more than one version, or a deletion). Writer thread only. */
  private final Set<String> dirty = new HashSet<>();
  private volatile long committedRevision;
  private volatile long compactedRevision;

  public MvccIndex(long committedRevision, long compactedRevision) {
    this.committedRevision = committedRevision;
    this.compactedRevision = compactedRevision;
  }

  /** The newest revision readers may see. */
  public long committedRevision() {
    return committedRevision;
  }

  /** Revisions below this one are gone. */
  public long compactedRevision() {
    return compactedRevision;
  }

  /** The newest version of {@code key}, committed or not as far as the index knows (all of it is durable). */
  public Version head(String key) {
    return heads.get(key);
  }

  /** The newest version at or below {@code revision} in the chain starting at {@code head}, or null. */
  public static Version at(Version head, long revision) {
    Version v = head;
    while (v != null && v.modRevision() > revision) {
      v = v.older();
    }
    return v;
  }

  /** Live value of {@code key} at {@code revision}, or null. The caller re-checks the compacted revision. */
  public StoredObject get(String key, long revision) {
    Version v = at(heads.get(key), revision);
    return Version.live(v) ? v.object() : null;
  }

  /** One page of a list and how many live keys follow it. */
  public record Page(List<StoredObject> items, long remaining) {}

  /**
   * Live keys under {@code prefix} (ending with '/') from {@code startKey} on, at {@code revision}: at most
   * {@code limit} items (0: all), counting the rest. The caller re-checks the compacted revision.
   */
  public Page list(String prefix, String startKey, long limit, long revision) {
    String end = prefixEnd(prefix);
    String from = startKey == null || startKey.compareTo(prefix) < 0 ? prefix : startKey;
    if (from.compareTo(end) >= 0) {
      return new Page(List.of(), 0);
    }
    List<StoredObject> items = new ArrayList<>();
    long remaining = 0;
    for (Version head : heads.subMap(from, true, end, false).values()) {
      Version v = at(head, revision);
      if (!Version.live(v)) {
        continue;
      }
      if (limit == 0 || items.size() < limit) {
        items.add(v.object());
      } else {
        remaining++;
      }
    }
    return new Page(items, remaining);
  }

  /**
   * Every change with a revision in {@code (after, upTo]} to the keys under {@code prefix} (or to the single key
   * {@code prefix}), in revision order. The caller re-checks the compacted revision.
   */
  public List<WatchEvent> history(String prefix, boolean singleKey, long after, long upTo) {
    List<Version> found = new ArrayList<>();
    if (singleKey) {
      collect(heads.get(prefix), after, upTo, found);
    } else {
      for (Version head : heads.subMap(prefix, true, prefixEnd(prefix), false).values()) {
        collect(head, after, upTo, found);
      }
    }
    found.sort(Comparator.comparingLong(Version::modRevision));
    List<WatchEvent> events = new ArrayList<>(found.size());
    for (Version v : found) {
      events.add(v.toEvent());
    }
    return events;
  }

  private static void collect(Version head, long after, long upTo, List<Version> out) {
    for (Version v = head; v != null && v.modRevision() > after; v = v.older()) {
      if (v.modRevision() <= upTo) {
        out.add(v);
      }
    }
  }

  /** The smallest string greater than every string starting with {@code prefix} (which ends with '/'). */
  static String prefixEnd(String prefix) {
    char last = prefix.charAt(prefix.length() - 1);
    return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
  }

  /** All keys and their newest versions, in key order; weakly consistent (for snapshots). */
  public Iterable<Map.Entry<String, Version>> entries() {
    NavigableMap<String, Version> view = heads;
    return view.entrySet();
  }

  // ---- writer thread only ----

  /** Makes {@code version} (whose chain continues with the current head) the newest version of its key. */
  public void publish(Version version) {
    String key = version.object().key();
    heads.put(key, version);
    dirty.add(key);
  }

  /** Makes revisions up to {@code revision} visible to readers. Call after publishing their versions. */
  public void commit(long revision) {
    committedRevision = revision;
  }

  /**
   * Forgets history older than {@code revision}: per key, the newest version at or below it stays (a deletion
   * there removes the key, or is cut off from the newer versions), and older ones go.
   */
  public void compact(long revision) {
    if (revision <= compactedRevision) {
      return;
    }
    // First raise the mark, then cut: a reader racing with a cut then sees the new mark (see Version).
    compactedRevision = revision;
    for (Iterator<String> it = dirty.iterator(); it.hasNext(); ) {
      String key = it.next();
      Version head = heads.get(key);
      if (head == null) {
        it.remove();
        continue;
      }
      Version newer = null;
      Version v = head;
      while (v != null && v.modRevision() > revision) {
        newer = v;
        v = v.older();
      }
      if (v != null) {
        if (v.deleted()) {
          if (newer == null) {
            heads.remove(key, head);
            it.remove();
            continue;
          }
          newer.cut();
        } else {
          v.cut();
        }
      }
      if (head.older() == null && !head.deleted()) {
        it.remove();
      }
    }
  }

  /**
   * Opening only: appends a record read back from a snapshot or the WAL. A deletion whose value is gone (compaction
   * raced with the snapshot that held it; the WAL's later COMPACT record removes it again) gets an empty value.
   */
  public void replay(WalRecord record) {
    String key = record.key();
    Version head = heads.get(key);
    if (head != null && head.modRevision() >= record.revision()) {
      throw new StorageException(StorageException.Code.CORRUPT, key, record.revision(),
          "revision " + record.revision() + " of " + key + " is not after " + head.modRevision());
    }
    Version v;
    if (record.type() == WalRecord.Type.PUT) {
      v = new Version(new StoredObject(key, record.value(), record.createRevision(), record.revision()), false, head);
    } else if (record.type() == WalRecord.Type.DELETE) {
      StoredObject last = Version.live(head)
          ? head.object()
          : new StoredObject(key, NO_VALUE, record.revision(), record.revision());
      v = new Version(new StoredObject(key, last.value(), last.createRevision(), record.revision()), true, head);
    } else {
      throw new IllegalArgumentException("not a key record: " + record.type());
    }
    publish(v);
  }

  /** Opening only: sets both marks without compacting (a snapshot's chains are already cut). */
  public void restore(long committedRevision, long compactedRevision) {
    this.committedRevision = committedRevision;
    this.compactedRevision = compactedRevision;
  }
}

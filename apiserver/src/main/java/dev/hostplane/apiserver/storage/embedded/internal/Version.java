package dev.hostplane.apiserver.storage.embedded.internal;

import dev.hostplane.apiserver.storage.StoredObject;
import dev.hostplane.apiserver.storage.WatchEvent;

/**
 * One version of one key, linked newest-first to the version before it. Immutable except {@link #older()}, which
 * only compaction (on the writer thread) clears; a reader that walks a chain may see such a cut at any time, so it
 * must re-check the compacted revision after the walk (the cut happens after the compacted revision is raised, and
 * the field is volatile, so a reader that saw the cut also sees the new compacted revision).
 */
public final class Version {
  private final StoredObject object;
  private final boolean deleted;
  private volatile Version older;

  /**
   * @param object the value; for a deletion, the last value before it with {@code modRevision} set to the
   *     deletion's revision (exactly what a DELETED watch event carries)
   * @param older the version before this one, or null
   */
  public Version(StoredObject object, boolean deleted, Version older) {
    this.object = object;
    this.deleted = deleted;
    this.older = older;
  }

  public StoredObject object() {
    return object;
  }

  public boolean deleted() {
    return deleted;
  }

  public long modRevision() {
    return object.modRevision();
  }

  /** The version before this one; null when there is none or compaction cut it off. */
  public Version older() {
    return older;
  }

  /** Writer thread only (compaction). */
  void cut() {
    older = null;
  }

  /** True when this version is a live value (not a deletion). Null-safe. */
  public static boolean live(Version v) {
    return v != null && !v.deleted;
  }

  /**
   * The watch event this version stands for. Needs {@link #older()} for MODIFIED and DELETED, which compaction
   * keeps for every version newer than the compacted revision.
   */
  public WatchEvent toEvent() {
    Version before = older;
    StoredObject previous = before == null || before.deleted ? null : before.object;
    if (deleted) {
      return new WatchEvent(WatchEvent.Type.DELETED, object, previous);
    }
    if (object.createRevision() == object.modRevision()) {
      return new WatchEvent(WatchEvent.Type.ADDED, object, null);
    }
    return new WatchEvent(WatchEvent.Type.MODIFIED, object, previous);
  }
}

package dev.hostplane.apiserver.storage;

/**
 * One change seen by a watch. For {@link Type#DELETED}, {@code object} carries the last value before deletion
 * with {@code modRevision} set to the revision of the deletion. {@code previous} is the value before this change
 * (null for {@link Type#ADDED}).
 */
public record WatchEvent(Type type, StoredObject object, StoredObject previous) {
  public enum Type { ADDED, MODIFIED, DELETED }

  public long revision() {
    return object.modRevision();
  }
}

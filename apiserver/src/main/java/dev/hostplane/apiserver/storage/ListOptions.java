package dev.hostplane.apiserver.storage;

/**
 * What a {@link Storage#list} reads.
 *
 * @param revision read the state as of this revision; 0 means the latest. Older than the compacted revision fails
 *     with {@link StorageException.Code#COMPACTED}; newer than the current one with
 *     {@link StorageException.Code#FUTURE_REVISION}.
 * @param limit at most this many items; 0 means no limit
 * @param startKey first key to return (inclusive), for continuing a paged list; null starts at the prefix
 */
public record ListOptions(long revision, long limit, String startKey) {
  public static final ListOptions DEFAULT = new ListOptions(0, 0, null);

  public ListOptions {
    if (revision < 0 || limit < 0) {
      throw new IllegalArgumentException("revision and limit must be >= 0, got " + revision + ", " + limit);
    }
  }
}

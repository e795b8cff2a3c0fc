package dev.hostplane.apiserver.storage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The storage SPI: a multi-version key-value store with one global revision, in the shape of upstream's
 * {@code storage.Interface}. Keys look like {@code /<prefix>/<resource>/<namespace>/<name>}; values are opaque
 * bytes. Every revision a write produces is strictly greater than all before it, and the revision is the
 * resourceVersion clients see.
 *
 * <p>Threading: every method is non-blocking; futures complete on a backend thread (callers that need the event
 * loop must hop back). A future that fails does so with {@link StorageException}, or with whatever exception a
 * caller-supplied function threw, unchanged.
 *
 * <p>Durability: a write's future completes only once the write is durable and visible to reads and watches.
 */
public interface Storage extends AutoCloseable {

  /** Creates {@code key}; fails with KEY_EXISTS if it exists. */
  CompletionStage<StoredObject> create(String key, byte[] value);

  /** The latest value of {@code key}; fails with KEY_NOT_FOUND if absent. */
  CompletionStage<StoredObject> get(String key);

  /**
   * The keys under {@code prefix} (which must end with '/'), in key order, at one consistent revision. A paged
   * list continues at {@code options.revision()} with {@code startKey} set past the last key returned.
   */
  CompletionStage<ListResult> list(String prefix, ListOptions options);

  /**
   * Reads the current value, applies {@code mutation}, and writes the result if nobody wrote the key in between;
   * otherwise re-reads and re-applies (compare-and-swap retry inside the backend). If the mutation returns bytes
   * equal to the current value, nothing is written and the current object is returned. If the key is absent, the
   * mutation sees null when {@code createIfAbsent} is true, else the future fails with KEY_NOT_FOUND.
   */
  CompletionStage<StoredObject> guaranteedUpdate(String key, boolean createIfAbsent, Mutation mutation);

  /**
   * Deletes {@code key} after {@code check} accepts its current value (re-checked on concurrent change). Returns
   * the deleted object with {@code modRevision} set to the deletion's revision. Fails with KEY_NOT_FOUND if absent.
   */
  CompletionStage<StoredObject> delete(String key, Precondition check);

  /**
   * Streams every change to keys under {@code prefix} (a single key when it does not end with '/') with a
   * revision greater than {@code fromRevision}, in order, with no gaps. {@code fromRevision} 0 means "from the
   * current revision on". A revision below the compacted one fails the listener with COMPACTED; the compacted
   * revision itself is a valid start (its state is kept, so a list at it can always be followed by a watch from it).
   */
  Watch watch(String prefix, long fromRevision, WatchListener listener);

  /** The revision of the latest durable write this process knows of; cheap and non-blocking. */
  long currentRevision();

  /**
   * The store's current revision, read with a round trip where the backend is remote; for consistent reads. A
   * remote backend's {@link #currentRevision()} is only the newest revision it has seen.
   */
  default CompletionStage<Long> readCurrentRevision() {
    return CompletableFuture.completedFuture(currentRevision());
  }

  /**
   * The value of {@code key} as of some revision at or after {@code minRevision} (0: any), possibly from a cache
   * that lags the store; the caller has already checked that the store reached {@code minRevision}. Backends
   * answer with a consistent {@link #get}.
   */
  default CompletionStage<StoredObject> getNotOlderThan(String key, long minRevision) {
    return get(key);
  }

  /**
   * The first {@code limit} keys under {@code prefix} (0: all) as of some revision at or after {@code minRevision}
   * (0: any), possibly from a cache; paging continues with {@link #list} at the result's revision. Backends answer
   * with a consistent {@link #list}.
   */
  default CompletionStage<ListResult> listNotOlderThan(String prefix, long minRevision, long limit) {
    return list(prefix, new ListOptions(0, limit, null));
  }

  /**
   * Whether {@link Watch#requestProgress()} is answered within milliseconds. When false (etcd 3.4 before 3.4.25,
   * whose requested progress cannot be trusted, so the backend waits for etcd's timed progress notifications), a
   * cache must not make reads wait for progress: they go to the backend instead.
   */
  default boolean answersProgressPromptly() {
    return true;
  }

  /** The revision below which history is gone (0 when nothing was compacted). */
  long compactedRevision();

  /** Forgets history older than {@code revision}; the latest value of every live key stays. */
  CompletionStage<Void> compact(long revision);

  /** Releases resources; pending operations fail with UNAVAILABLE. */
  @Override
  void close();

  /** A running watch. */
  interface Watch extends AutoCloseable {
    /** Asks for a {@link WatchListener#onProgress} call once every event up to the current revision is out. */
    void requestProgress();

    /** Stops the watch; no further listener calls after this returns (except one already in progress). */
    @Override
    void close();
  }

  /** Computes a new value from the current one (null when absent). May complete later (e.g. after admission). */
  @FunctionalInterface
  interface Mutation {
    CompletionStage<byte[]> apply(StoredObject current);
  }

  /** Accepts or refuses (by throwing) a delete of {@code current}. */
  @FunctionalInterface
  interface Precondition {
    void check(StoredObject current);
  }
}

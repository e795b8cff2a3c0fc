package dev.hostplane.apiserver.storage.cache;

import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.ListResult;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import dev.hostplane.apiserver.storage.WatchListener;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The watch cache: a {@link Storage} in front of a backend (embedded or etcd) that keeps every registered resource
 * in memory, fed by one backend watch per resource, as upstream's cacher does. It serves:
 * <ul>
 *   <li>watches, from a window of recent events ({@link Options#capacity()} per resource); a revision older than the
 *   window fails with COMPACTED (410 Gone);</li>
 *   <li>{@link #getNotOlderThan} and {@link #listNotOlderThan} (resourceVersion "0" and NotOlderThan), once the cache
 *   reached the revision asked for;</li>
 *   <li>consistent lists (no resourceVersion): the backend's current revision is read, the cache is asked to catch up
 *   to it (a progress request on its backend watch) and answers then; if it cannot within
 *   {@link Options#catchUpTimeout()}, the backend answers;</li>
 *   <li>continued pages at the cache's own revision.</li>
 * </ul>
 * Everything else (writes, consistent gets, exact-revision reads, compaction) goes to the backend, and so does every
 * read of a resource whose cache is not ready (starting, or reloading after its history was compacted away).
 *
 * <p>Threading: non-blocking, like every {@link Storage}. See {@link ResourceCache} for the locking.
 */
public final class WatchCache implements Storage {

  /**
   * @param capacity events kept per resource (upstream's {@code --default-watch-cache-size})
   * @param historyRevisions at start, how many revisions back the window reaches at most (it starts at the
   *     backend's compacted revision when that is more recent)
   * @param catchUpTimeout how long a read waits for the cache before the backend answers it
   * @param retryDelay pause before re-opening a failed backend list or watch
   */
  public record Options(int capacity, long historyRevisions, Duration catchUpTimeout, Duration retryDelay) {
    public static final Options DEFAULT = new Options(1000, 1_000_000, Duration.ofSeconds(3), Duration.ofSeconds(1));

    public Options {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be positive, got " + capacity);
      }
    }

    public Options withCapacity(int n) {
      return new Options(n, historyRevisions, catchUpTimeout, retryDelay);
    }
  }

  private final Storage backend;
  private final boolean ownsBackend;
  private final Options options;
  private final ScheduledExecutorService timer;
  private final Executor executor;
  private final ConcurrentSkipListMap<String, ResourceCache> caches = new ConcurrentSkipListMap<>();

  /**
   * @param ownsBackend close the backend on {@link #close}
   * @param timer retries and timeouts
   * @param executor where reads that waited for the cache continue
   */
  public WatchCache(Storage backend, boolean ownsBackend, Options options, ScheduledExecutorService timer,
      Executor executor) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.ownsBackend = ownsBackend;
    this.options = Objects.requireNonNull(options, "options");
    this.timer = Objects.requireNonNull(timer, "timer");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /** Caches every key under {@code root} (ending with '/'); starts loading at once. Idempotent. */
  public void cache(String root) {
    if (!root.endsWith("/")) {
      throw new IllegalArgumentException("a cached root ends with '/': " + root);
    }
    ResourceCache c = new ResourceCache(root, backend, options, timer, executor);
    if (caches.putIfAbsent(root, c) == null) {
      c.start();
    }
  }

  public Storage backend() {
    return backend;
  }

  /** True when every registered resource's cache has loaded (for readiness and tests). */
  public boolean isReady() {
    return caches.values().stream().allMatch(ResourceCache::isReady);
  }

  /** Objects cached under {@code root}, or -1 when it is not cached. */
  public int size(String root) {
    ResourceCache c = caches.get(root);
    return c == null ? -1 : c.size();
  }

  /** Live figures of one resource's cache, for metrics. */
  public interface Stats {
    /** Objects held (-1 while loading). */
    double objects();

    /** The revision the cache stands at. */
    double revision();

    /** Watches served. */
    double watchers();

    /** Events handed to watchers since start (each event once, however many watchers got it). */
    double eventsDispatched();

    /** Times the cache (re)loaded from the backend. */
    double initializations();
  }

  /** The figures of the cache of {@code root} (registered with {@link #cache}). */
  public Stats stats(String root) {
    ResourceCache c = caches.get(root);
    if (c == null) {
      throw new IllegalArgumentException("not cached: " + root);
    }
    return new Stats() {
      @Override
      public double objects() {
        return c.isReady() ? c.size() : -1;
      }

      @Override
      public double revision() {
        return c.revision();
      }

      @Override
      public double watchers() {
        return c.watcherCount();
      }

      @Override
      public double eventsDispatched() {
        return c.eventsDispatched();
      }

      @Override
      public double initializations() {
        return c.initializations();
      }
    };
  }

  /** Watches served from the cache of {@code root}. */
  public int watcherCount(String root) {
    ResourceCache c = caches.get(root);
    return c == null ? 0 : c.watcherCount();
  }

  /** The cache whose root contains {@code keyOrPrefix}, or null. */
  private ResourceCache cacheFor(String keyOrPrefix) {
    Map.Entry<String, ResourceCache> e = caches.floorEntry(keyOrPrefix);
    return e != null && keyOrPrefix.startsWith(e.getKey()) ? e.getValue() : null;
  }

  // -------------------------------------------------------------------------------------------- writes

  @Override
  public CompletionStage<StoredObject> create(String key, byte[] value) {
    return backend.create(key, value);
  }

  @Override
  public CompletionStage<StoredObject> guaranteedUpdate(String key, boolean createIfAbsent, Mutation mutation) {
    return backend.guaranteedUpdate(key, createIfAbsent, mutation);
  }

  @Override
  public CompletionStage<StoredObject> delete(String key, Precondition check) {
    return backend.delete(key, check);
  }

  @Override
  public CompletionStage<Void> compact(long revision) {
    return backend.compact(revision);
  }

  // --------------------------------------------------------------------------------------------- reads

  @Override
  public CompletionStage<StoredObject> get(String key) {
    return backend.get(key);
  }

  @Override
  public CompletionStage<StoredObject> getNotOlderThan(String key, long minRevision) {
    ResourceCache c = cacheFor(key);
    if (c == null) {
      return backend.get(key);
    }
    return c.awaitRevision(minRevision).handle((v, err) -> err).thenCompose(err -> {
      if (err != null) {
        return backend.get(key);
      }
      StoredObject so = c.get(key);
      return so != null ? CompletableFuture.completedFuture(so)
          : CompletableFuture.failedFuture(new StorageException(StorageException.Code.KEY_NOT_FOUND, key, 0,
              key + " not found"));
    });
  }

  @Override
  public CompletionStage<ListResult> list(String prefix, ListOptions options) {
    ResourceCache c = cacheFor(prefix);
    if (c == null || !c.isReady()) {
      return backend.list(prefix, options);
    }
    if (options.revision() != 0) {
      // A continued page: served when the cache still stands at that revision.
      ListResult page = c.list(prefix, options.startKey(), options.limit(), options.revision());
      return page != null ? CompletableFuture.completedFuture(page) : backend.list(prefix, options);
    }
    // A consistent list: the cache answers once it has seen everything up to the store's current revision (when the
    // backend can tell it so promptly; else the backend answers).
    if (!backend.answersProgressPromptly()) {
      return backend.list(prefix, options);
    }
    return backend.readCurrentRevision()
        .thenCompose(current -> c.awaitRevision(current).handle((v, err) -> err))
        .thenCompose(err -> {
          ListResult page = err == null ? c.list(prefix, options.startKey(), options.limit(), 0) : null;
          return page != null ? CompletableFuture.completedFuture(page) : backend.list(prefix, options);
        });
  }

  @Override
  public CompletionStage<ListResult> listNotOlderThan(String prefix, long minRevision, long limit) {
    ResourceCache c = cacheFor(prefix);
    if (c == null) {
      return backend.list(prefix, new ListOptions(0, limit, null));
    }
    return c.awaitRevision(minRevision).handle((v, err) -> err).thenCompose(err -> {
      ListResult page = err == null ? c.list(prefix, null, limit, 0) : null;
      return page != null ? CompletableFuture.completedFuture(page)
          : backend.list(prefix, new ListOptions(0, limit, null));
    });
  }

  @Override
  public Watch watch(String prefix, long fromRevision, WatchListener listener) {
    ResourceCache c = cacheFor(prefix);
    if (c != null) {
      Watch w = c.watch(prefix, fromRevision, listener);
      if (w != null) {
        return w;
      }
    }
    return backend.watch(prefix, fromRevision, listener);
  }

  @Override
  public long currentRevision() {
    return backend.currentRevision();
  }

  @Override
  public CompletionStage<Long> readCurrentRevision() {
    return backend.readCurrentRevision();
  }

  @Override
  public long compactedRevision() {
    return backend.compactedRevision();
  }

  /** Ends every cached watch with UNAVAILABLE, then closes the backend when owned. */
  @Override
  public void close() {
    caches.values().forEach(ResourceCache::close);
    if (ownsBackend) {
      backend.close();
    }
  }
}

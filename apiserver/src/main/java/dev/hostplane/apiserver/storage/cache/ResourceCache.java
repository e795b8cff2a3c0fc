package dev.hostplane.apiserver.storage.cache;

import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.ListResult;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import dev.hostplane.apiserver.storage.WatchEvent;
import dev.hostplane.apiserver.storage.WatchListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache of one resource (every key under one storage root such as {@code /registry/pods/}): the current objects
 * in key order, a bounded window of recent events, and the watchers it feeds. One backend watch keeps it current.
 *
 * <p>Start-up: a list at revision R0 fills the objects; then the backend watch starts at the oldest revision the
 * backend still holds (bounded by {@link WatchCache.Options#historyRevisions}), so the window also covers events
 * from before R0 and a client resuming a watch from before this process started is served without a relist. Events
 * at or below R0 only enter the window. The cache is ready once the watch has caught up with R0; until then, and
 * whenever it is not ready, {@link WatchCache} sends requests to the backend. A backend that cannot answer progress
 * promptly (etcd 3.4) gets no replay: the window starts at R0, and a watch from an older revision goes to the
 * backend, which still holds that history.
 *
 * <p>Threading: every field below {@code lock} is guarded by it. Backend watch callbacks apply an event and hand it to
 * every matching watcher while holding the lock, so each watcher sees events in revision order, one call at a time,
 * and a new watcher's backlog and its live events cannot interleave. Watcher listeners must not block (they buffer
 * and return), as the storage SPI requires. Futures of reads that waited for the cache to catch up complete on
 * {@code executor}, never under the lock.
 */
final class ResourceCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ResourceCache.class);
  private static final int INIT_PAGE = 10_000;

  private enum State { INITIALIZING, READY, CLOSED }

  private final String root;
  private final Storage backend;
  private final WatchCache.Options options;
  private final ScheduledExecutorService timer;
  private final Executor executor;
  private final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock:
  private State state = State.INITIALIZING;
  private int generation;
  private TreeMap<String, StoredObject> objects = new TreeMap<>();
  private final ArrayDeque<WatchEvent> window = new ArrayDeque<>();
  /** The objects are the state as of this revision. */
  private long revision;
  /** The revision of the initial list; replayed events at or below it only enter the window. */
  private long listRevision;
  /** A watch from this revision or later is served from the window (every later event is in it). */
  private long windowStart;
  /** Where the window started when the cache loaded: older revisions predate the cache, not its evictions. */
  private long loadedFrom;
  private Storage.Watch backendWatch;
  private CacheWatcher[] watchers = new CacheWatcher[0];
  private final List<Waiter> waiters = new ArrayList<>();
  private long eventsDispatched;
  private final List<ProgressWanted> progressWanted = new ArrayList<>();

  private record Waiter(long revision, CompletableFuture<Void> done) {}

  private record ProgressWanted(CacheWatcher watcher, long revision) {}

  ResourceCache(String root, Storage backend, WatchCache.Options options, ScheduledExecutorService timer,
      Executor executor) {
    this.root = root;
    this.backend = backend;
    this.options = options;
    this.timer = timer;
    this.executor = executor;
  }

  /** Starts filling the cache; returns at once. */
  void start() {
    int gen;
    lock.lock();
    try {
      if (state == State.CLOSED) {
        return;
      }
      state = State.INITIALIZING;
      gen = ++generation;
    } finally {
      lock.unlock();
    }
    // Thread hop: the list pages complete on backend threads.
    listAll(gen, 0, null, new TreeMap<>());
  }

  private void listAll(int gen, long atRevision, String startKey, TreeMap<String, StoredObject> acc) {
    backend.list(root, new ListOptions(atRevision, INIT_PAGE, startKey)).whenComplete((page, err) -> {
      if (err != null) {
        retryStart(gen, err);
        return;
      }
      for (StoredObject so : page.items()) {
        acc.put(so.key(), so);
      }
      if (page.more() && !page.items().isEmpty()) {
        String last = page.items().get(page.items().size() - 1).key();
        listAll(gen, page.revision(), last + "\u0000", acc);
      } else {
        loaded(gen, page.revision(), acc);
      }
    });
  }

  private void loaded(int gen, long r0, TreeMap<String, StoredObject> acc) {
    // The replay before R0 needs the backend's progress to tell when it is complete; without prompt progress the
    // window starts at R0 and older watches go to the backend.
    long from = backend.answersProgressPromptly()
        ? Math.max(1, Math.max(backend.compactedRevision(), r0 - options.historyRevisions()))
        : r0;
    from = Math.min(from, r0);
    lock.lock();
    try {
      if (gen != generation || state == State.CLOSED) {
        return;
      }
      objects = acc;
      revision = r0;
      listRevision = r0;
      window.clear();
      windowStart = from;
      loadedFrom = from;
      if (from >= r0) {
        state = State.READY; // nothing to replay
      }
    } finally {
      lock.unlock();
    }
    follow(gen, from);
  }

  /** Starts the backend watch after {@code from}; replayed events up to the list revision fill the window. */
  private void follow(int gen, long from) {
    Storage.Watch w = backend.watch(root, from, new WatchListener() {
      @Override
      public void onEvent(WatchEvent event) {
        apply(gen, event);
      }

      @Override
      public void onProgress(long progress) {
        progressed(gen, progress);
      }

      @Override
      public void onError(StorageException error) {
        failed(gen, error);
      }
    });
    boolean stale;
    lock.lock();
    try {
      stale = gen != generation || state == State.CLOSED;
      if (!stale) {
        backendWatch = w;
      }
    } finally {
      lock.unlock();
    }
    if (stale) {
      w.close();
    } else {
      // The backend answers once every event up to its current revision is out: the replay is then complete.
      w.requestProgress();
    }
  }

  private void apply(int gen, WatchEvent event) {
    List<Waiter> reached;
    lock.lock();
    try {
      if (gen != generation || state == State.CLOSED) {
        return;
      }
      long rev = event.revision();
      if (rev > revision) {
        String key = event.object().key();
        if (event.type() == WatchEvent.Type.DELETED) {
          objects.remove(key);
        } else {
          objects.put(key, event.object());
        }
        revision = rev;
      }
      window.addLast(event);
      while (window.size() > options.capacity()) {
        windowStart = window.removeFirst().revision();
      }
      if (state == State.INITIALIZING && rev >= listRevision) {
        state = State.READY;
        log.debug("watch cache {} ready at revision {}", root, revision);
      }
      if (state == State.READY && rev > listRevision) {
        eventsDispatched++;
        for (CacheWatcher w : watchers) {
          w.offer(event);
        }
      }
      answerProgress();
      reached = reachedWaiters();
    } finally {
      lock.unlock();
    }
    complete(reached);
  }

  private void progressed(int gen, long progress) {
    List<Waiter> reached;
    lock.lock();
    try {
      if (gen != generation || state == State.CLOSED) {
        return;
      }
      if (progress > revision) {
        revision = progress;
      }
      if (state == State.INITIALIZING && progress >= listRevision) {
        state = State.READY;
        log.debug("watch cache {} ready at revision {}", root, revision);
      }
      answerProgress();
      reached = reachedWaiters();
    } finally {
      lock.unlock();
    }
    complete(reached);
  }

  private void failed(int gen, StorageException error) {
    boolean relist;
    long resumeFrom;
    CacheWatcher[] ended = null;
    lock.lock();
    try {
      if (gen != generation || state == State.CLOSED) {
        return;
      }
      backendWatch = null;
      if (error.code() == StorageException.Code.COMPACTED && state == State.INITIALIZING) {
        // The history we asked for is gone: the window starts at the compacted revision instead.
        windowStart = Math.max(windowStart, Math.min(error.revision(), listRevision));
        resumeFrom = windowStart;
        relist = false;
      } else if (error.code() == StorageException.Code.COMPACTED) {
        // Events after our revision are gone: nothing can be resumed. Watchers end with 410 and relist.
        ended = watchers;
        watchers = new CacheWatcher[0];
        relist = true;
        resumeFrom = 0;
      } else {
        // The backend went away: resume from where the cache stands; watchers just see a pause.
        resumeFrom = revision;
        relist = false;
      }
    } finally {
      lock.unlock();
    }
    if (ended != null) {
      for (CacheWatcher w : ended) {
        w.fail(error);
      }
    }
    log.warn("watch cache {}: backend watch ended ({}); {}", root, error.getMessage(),
        relist ? "reloading" : "resuming from revision " + resumeFrom);
    // Thread hop: the retry runs on the timer thread.
    timer.schedule(() -> {
      if (relist) {
        start();
      } else {
        follow(gen, resumeFrom);
      }
    }, relist ? 0 : options.retryDelay().toMillis(), TimeUnit.MILLISECONDS);
  }

  private void retryStart(int gen, Throwable err) {
    log.warn("watch cache {}: initial list failed ({}); retrying", root, err.toString());
    timer.schedule(() -> {
      lock.lock();
      try {
        if (gen != generation || state == State.CLOSED) {
          return;
        }
      } finally {
        lock.unlock();
      }
      listAll(gen, 0, null, new TreeMap<>());
    }, options.retryDelay().toMillis(), TimeUnit.MILLISECONDS);
  }

  // ------------------------------------------------------------------------------------------------ reads

  boolean isReady() {
    lock.lock();
    try {
      return state == State.READY;
    } finally {
      lock.unlock();
    }
  }

  long revision() {
    lock.lock();
    try {
      return revision;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Completes (on the executor) once the cache reached {@code target}, asking the backend for progress when it has
   * not; fails with {@link NotCaughtUp} after the catch-up timeout or when the cache is not ready.
   */
  CompletionStage<Void> awaitRevision(long target) {
    Storage.Watch w;
    CompletableFuture<Void> done = new CompletableFuture<>();
    lock.lock();
    try {
      if (state != State.READY) {
        return CompletableFuture.failedFuture(NotCaughtUp.INSTANCE);
      }
      if (revision >= target) {
        return CompletableFuture.completedFuture(null);
      }
      if (!backend.answersProgressPromptly()) {
        return CompletableFuture.failedFuture(NotCaughtUp.INSTANCE); // waiting could take minutes
      }
      waiters.add(new Waiter(target, done));
      w = backendWatch;
    } finally {
      lock.unlock();
    }
    if (w != null) {
      w.requestProgress();
    }
    // Thread hop: the timeout fires on the timer thread.
    timer.schedule(() -> {
      boolean removed;
      lock.lock();
      try {
        removed = waiters.removeIf(x -> x.done() == done);
      } finally {
        lock.unlock();
      }
      if (removed) {
        done.completeExceptionally(NotCaughtUp.INSTANCE);
      }
    }, options.catchUpTimeout().toMillis(), TimeUnit.MILLISECONDS);
    return done;
  }

  private List<Waiter> reachedWaiters() {
    if (waiters.isEmpty()) {
      return List.of();
    }
    List<Waiter> reached = new ArrayList<>();
    Iterator<Waiter> it = waiters.iterator();
    while (it.hasNext()) {
      Waiter x = it.next();
      if (x.revision() <= revision) {
        reached.add(x);
        it.remove();
      }
    }
    return reached;
  }

  private void complete(List<Waiter> reached) {
    for (Waiter x : reached) {
      // Thread hop: the read that waited continues on the executor, not on the backend's watch thread.
      executor.execute(() -> x.done().complete(null));
    }
  }

  /** The object at {@code key} now, or null; only when ready. */
  StoredObject get(String key) {
    lock.lock();
    try {
      return objects.get(key);
    } finally {
      lock.unlock();
    }
  }

  /**
   * A page of the keys under {@code prefix} from {@code startKey} (null: the start) at the cache's revision, or null
   * when {@code atRevision} is set (non-zero) and differs from it.
   */
  ListResult list(String prefix, String startKey, long limit, long atRevision) {
    lock.lock();
    try {
      if (state != State.READY || (atRevision != 0 && atRevision != revision)) {
        return null;
      }
      String from = startKey != null && startKey.compareTo(prefix) > 0 ? startKey : prefix;
      List<StoredObject> items = new ArrayList<>();
      boolean more = false;
      long remaining = 0;
      for (Map.Entry<String, StoredObject> e : objects.tailMap(from, true).entrySet()) {
        if (!e.getKey().startsWith(prefix)) {
          break;
        }
        if (limit > 0 && items.size() >= limit) {
          more = true;
          remaining++;
        } else {
          items.add(e.getValue());
        }
      }
      return new ListResult(items, revision, more, remaining);
    } finally {
      lock.unlock();
    }
  }

  long eventsDispatched() {
    lock.lock();
    try {
      return eventsDispatched;
    } finally {
      lock.unlock();
    }
  }

  /** How many times the cache started loading (1 + reloads). */
  int initializations() {
    lock.lock();
    try {
      return generation;
    } finally {
      lock.unlock();
    }
  }

  /** Number of objects held (for metrics and tests). */
  int size() {
    lock.lock();
    try {
      return objects.size();
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------- watches

  /**
   * Starts a watch of keys under {@code prefix} (or the one key {@code prefix}) after {@code fromRevision} (0: now)
   * from the window, or returns null (the caller watches the backend) when the cache is not ready or the revision
   * predates the cache. A revision that left the window, or that the backend compacted, fails the listener with
   * COMPACTED (410 Gone for the client).
   */
  Storage.Watch watch(String prefix, long fromRevision, WatchListener listener) {
    lock.lock();
    try {
      if (state != State.READY) {
        return null;
      }
      // "Now" is the newest revision this process knows the store reached, so an acknowledged write is not replayed.
      long from = fromRevision == 0 ? Math.max(revision, backend.currentRevision()) : fromRevision;
      if (from < loadedFrom && from >= backend.compactedRevision()) {
        return null; // history from before this cache loaded: the backend still has it
      }
      long oldest = Math.max(windowStart, backend.compactedRevision());
      if (from < oldest) {
        listener.onError(new StorageException(StorageException.Code.COMPACTED, prefix, oldest,
            "revision " + from + " is older than the watch cache window (starts at " + oldest + ")"));
        return CacheWatcher.CLOSED;
      }
      CacheWatcher w = new CacheWatcher(this, prefix, from, listener);
      for (WatchEvent e : window) {
        if (e.revision() > from) {
          w.offer(e);
        }
      }
      CacheWatcher[] next = java.util.Arrays.copyOf(watchers, watchers.length + 1);
      next[watchers.length] = w;
      watchers = next;
      return w;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Answers a watcher's progress request once the cache has seen everything the backend had committed when it was
   * asked (at once when it has), so a bookmark never lags a write the client already saw acknowledged.
   */
  void progress(CacheWatcher w) {
    long target = backend.currentRevision();
    Storage.Watch bw;
    lock.lock();
    try {
      if (revision >= target) {
        w.progress(revision);
        return;
      }
      progressWanted.add(new ProgressWanted(w, target));
      bw = backendWatch;
    } finally {
      lock.unlock();
    }
    if (bw != null) {
      bw.requestProgress();
    }
  }

  /** Lock held: answers the progress requests the cache's revision now satisfies. */
  private void answerProgress() {
    if (progressWanted.isEmpty()) {
      return;
    }
    Iterator<ProgressWanted> it = progressWanted.iterator();
    while (it.hasNext()) {
      ProgressWanted p = it.next();
      if (p.revision() <= revision) {
        it.remove();
        p.watcher().progress(revision);
      }
    }
  }

  void remove(CacheWatcher w) {
    lock.lock();
    try {
      CacheWatcher[] cur = watchers;
      for (int i = 0; i < cur.length; i++) {
        if (cur[i] == w) {
          CacheWatcher[] next = new CacheWatcher[cur.length - 1];
          System.arraycopy(cur, 0, next, 0, i);
          System.arraycopy(cur, i + 1, next, i, cur.length - i - 1);
          watchers = next;
          break;
        }
      }
      progressWanted.removeIf(p -> p.watcher() == w);
    } finally {
      lock.unlock();
    }
  }

  int watcherCount() {
    lock.lock();
    try {
      return watchers.length;
    } finally {
      lock.unlock();
    }
  }

  /** Stops the backend watch and ends every watcher with UNAVAILABLE. */
  @Override
  public void close() {
    CacheWatcher[] ended;
    Storage.Watch w;
    List<Waiter> pending;
    lock.lock();
    try {
      if (state == State.CLOSED) {
        return;
      }
      state = State.CLOSED;
      generation++;
      ended = watchers;
      watchers = new CacheWatcher[0];
      w = backendWatch;
      backendWatch = null;
      pending = new ArrayList<>(waiters);
      waiters.clear();
      progressWanted.clear();
    } finally {
      lock.unlock();
    }
    if (w != null) {
      w.close();
    }
    StorageException closed = new StorageException(StorageException.Code.UNAVAILABLE, root, 0,
        "storage is shutting down");
    for (CacheWatcher x : ended) {
      x.fail(closed);
    }
    for (Waiter x : pending) {
      x.done().completeExceptionally(NotCaughtUp.INSTANCE);
    }
  }

  /** The cache could not serve a read in time: the caller reads the backend instead. */
  static final class NotCaughtUp extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final NotCaughtUp INSTANCE = new NotCaughtUp();

    private NotCaughtUp() {
      super("watch cache not caught up", null, false, false);
    }
  }
}

package dev.hostplane.apiserver.storage.embedded.internal;

import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.WatchEvent;
import dev.hostplane.apiserver.storage.WatchListener;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers watch events. Everything here runs on one dispatcher thread, fed in order by the writer (each published
 * batch) and by watch calls (register, progress, close), so each listener is called by one thread at a time, in
 * revision order. Listeners must not block; they are simply called.
 *
 * <p>No gap, no duplicate: the dispatcher has delivered every batch up to {@link #dispatchedRevision}, and those
 * versions are in the index. A new watch first gets the history in {@code (from, dispatchedRevision]} from the index,
 * then joins the live set, which only sees batches above that revision.
 */
public final class WatchDispatcher {
  private static final Logger log = LoggerFactory.getLogger(WatchDispatcher.class);

  private final MvccIndex index;
  private final ExecutorService thread;
  private volatile Thread dispatcherThread;

  // Dispatcher thread only:
  private final List<Registration> watches = new ArrayList<>();
  private final List<Registration> progressWanted = new ArrayList<>();
  private final List<Long> progressTargets = new ArrayList<>();
  private long dispatchedRevision;
  private boolean stopped;

  public WatchDispatcher(MvccIndex index, String name) {
    this.index = index;
    this.dispatchedRevision = index.committedRevision();
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      dispatcherThread = t;
      return t;
    });
  }

  /**
   * Called on the writer thread after a batch is committed, with its events in revision order; returns at once.
   * Thread hop: the events are delivered on the dispatcher thread.
   */
  public void publish(List<WatchEvent> events, long revision) {
    execute(() -> deliver(events, revision));
  }

  /**
   * Starts a watch of the changes after {@code from} (a concrete revision). Thread hop: history replay and
   * registration run on the dispatcher thread.
   */
  public Storage.Watch watch(String prefix, long from, WatchListener listener) {
    Registration watch = new Registration(prefix, listener);
    if (!execute(() -> register(watch, from))) {
      listener.onError(unavailable());
      watch.closed = true;
    }
    return watch;
  }

  /** Ends every watch with UNAVAILABLE and stops the thread, waiting briefly for deliveries in progress. */
  public void close() {
    execute(() -> {
      stopped = true;
      for (Registration w : watches) {
        fail(w, unavailable());
      }
      watches.clear();
    });
    thread.shutdown();
    if (Thread.currentThread() == dispatcherThread) {
      return; // closed from a listener: the dispatcher finishes after this call returns
    }
    try {
      if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("watch dispatcher did not stop within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean execute(Runnable task) {
    try {
      thread.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  private void deliver(List<WatchEvent> events, long revision) {
    for (WatchEvent event : events) {
      String key = event.object().key();
      for (Registration w : watches) {
        if (!w.closed && event.revision() > w.deliveredUpTo && w.matches(key)) {
          call(w, event);
        }
      }
    }
    dispatchedRevision = revision;
    watches.removeIf(w -> w.closed);
    answerProgress();
  }

  private void register(Registration w, long from) {
    if (w.closed) {
      return;
    }
    if (stopped) {
      fail(w, unavailable());
      return;
    }
    List<WatchEvent> history = from < dispatchedRevision
        ? index.history(w.prefix, w.singleKey, from, dispatchedRevision)
        : List.of();
    // Checked after reading: compaction may have cut the history while it was read.
    long compacted = index.compactedRevision();
    if (from < compacted) {
      fail(w, new StorageException(StorageException.Code.COMPACTED, w.prefix, compacted,
          "revision " + from + " is compacted (compacted revision " + compacted + ")"));
      return;
    }
    for (WatchEvent event : history) {
      if (w.closed) {
        return;
      }
      call(w, event);
    }
    w.deliveredUpTo = Math.max(from, dispatchedRevision);
    watches.add(w);
  }

  private void progress(Registration w, long target) {
    progressWanted.add(w);
    progressTargets.add(target);
    answerProgress();
  }

  private void answerProgress() {
    Iterator<Registration> ws = progressWanted.iterator();
    Iterator<Long> targets = progressTargets.iterator();
    while (ws.hasNext()) {
      Registration w = ws.next();
      long target = targets.next();
      if (w.closed) {
        ws.remove();
        targets.remove();
      } else if (target <= dispatchedRevision) {
        ws.remove();
        targets.remove();
        try {
          w.listener.onProgress(dispatchedRevision);
        } catch (RuntimeException e) {
          listenerFailed(w, e);
        }
      }
    }
  }

  private void call(Registration w, WatchEvent event) {
    try {
      w.listener.onEvent(event);
    } catch (RuntimeException e) {
      listenerFailed(w, e);
    }
  }

  private void listenerFailed(Registration w, RuntimeException e) {
    log.warn("watch listener for {} threw; ending the watch", w.prefix, e);
    fail(w, new StorageException(StorageException.Code.UNAVAILABLE, w.prefix, 0, "watch listener failed: " + e));
  }

  private static void fail(Registration w, StorageException error) {
    if (w.closed) {
      return;
    }
    w.closed = true;
    try {
      w.listener.onError(error);
    } catch (RuntimeException e) {
      log.warn("watch listener for {} threw from onError", w.prefix, e);
    }
  }

  private static StorageException unavailable() {
    return new StorageException(StorageException.Code.UNAVAILABLE, null, 0, "storage is closed");
  }

  private final class Registration implements Storage.Watch {
    final String prefix;
    final boolean singleKey;
    final WatchListener listener;
    /** Set by close() on any thread, or on the dispatcher thread when the watch fails. */
    volatile boolean closed;
    /** Dispatcher thread only: events at or below this revision are not for this watch (replayed or before it). */
    long deliveredUpTo = Long.MAX_VALUE;

    Registration(String prefix, WatchListener listener) {
      this.prefix = prefix;
      this.singleKey = !prefix.endsWith("/");
      this.listener = listener;
    }

    boolean matches(String key) {
      return singleKey ? key.equals(prefix) : key.startsWith(prefix);
    }

    @Override
    public void requestProgress() {
      long target = index.committedRevision();
      // Thread hop: answered on the dispatcher thread once it has delivered everything up to `target`.
      execute(() -> {
        if (!closed && watches.contains(this)) {
          progress(this, target);
        }
      });
    }

    @Override
    public void close() {
      closed = true;
      execute(() -> {
        watches.remove(this);
      });
    }
  }
}

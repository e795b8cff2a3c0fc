package dev.hostplane.apiserver.storage.etcd;

import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import dev.hostplane.apiserver.storage.WatchEvent;
import dev.hostplane.apiserver.storage.WatchListener;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link Storage#watch} over etcd watches. It keeps {@code delivered}, the revision up to which every event has
 * been handed to the listener, and everything else follows from it:
 *
 * <ul>
 *   <li>Re-establishment: a broken etcd watch (etcd restarting, a connection lost, no leader) is replaced by a new one
 *       starting at {@code delivered + 1}, so nothing is missed or repeated. jetcd's own resume is not used: it may
 *       restart from the revision in a "created" header and skip the history a catching-up watch had not yet
 *       delivered. Retries back off (see {@link WatchRetry}); after {@code watchReconnectTimeout} without success
 *       the listener gets UNAVAILABLE and its caller starts over.
 *   <li>Progress: etcd 3.4 before 3.4.25 answers a requested progress (WatchProgressRequest) with its current
 *       revision even while the watch still has older events to send (etcd issue 15220), so requested progress is
 *       never used. {@link #requestProgress} instead reads the current revision R with a linearizable read and answers
 *       once {@code delivered >= R}. {@code delivered} rises with every event and with etcd's timed progress
 *       notifications (progress_notify), which etcd sends through the same per-watcher channel as events, and only
 *       for a watcher that has sent everything: a quiet watch therefore answers at the next timed notification
 *       (etcd's {@code --experimental-watch-progress-notify-interval}, 10 minutes unless set shorter), a busy one
 *       at its next event.
 * </ul>
 *
 * <p>Threading: jetcd calls the feed on its event loops; state changes under {@code lock}, and listener calls are
 * queued, in order, onto the storage's single watch thread, so a listener is called by one thread at a time.
 */
final class EtcdWatch implements Storage.Watch {
  private static final Logger log = LoggerFactory.getLogger(EtcdWatch.class);

  private final EtcdConnection connection;
  private final String prefix;
  private final ByteSequence key;
  private final ByteSequence rangeEnd;
  private final WatchListener listener;
  private final Runnable onEnd;
  private final Object lock = new Object();
  private volatile boolean closedByCaller;

  // Guarded by lock:
  private final WatchRetry retry;
  private long delivered;
  private long progressTarget;
  private Watch.Watcher watcher;
  private int generation;
  private boolean ended;

  /**
   * A watch of the changes after {@code from} to keys under {@code prefix} (one key unless it ends with '/');
   * {@code onEnd} runs once when it ends (closed or failed).
   */
  EtcdWatch(EtcdConnection connection, String prefix, long from, WatchListener listener, Runnable onEnd) {
    this.connection = connection;
    this.prefix = prefix;
    this.key = Keys.bytes(prefix);
    this.rangeEnd = prefix.endsWith("/") ? Keys.prefixEnd(prefix) : null;
    this.listener = listener;
    this.onEnd = onEnd;
    this.delivered = from;
    this.retry = new WatchRetry(connection.options().watchReconnectTimeout(), System::nanoTime);
  }

  void start() {
    open();
  }

  /** Opens an etcd watch from {@code delivered + 1} on the current client. Runs on the caller or the timer. */
  private void open() {
    int gen;
    long start;
    synchronized (lock) {
      if (ended) {
        return;
      }
      gen = ++generation;
      start = delivered + 1;
    }
    WatchOption.Builder option = WatchOption.builder()
        .withRevision(start)
        .withPrevKV(true)
        .withProgressNotify(true)
        .withCreateNotify(true)
        .withRequireLeader(true);
    if (rangeEnd != null) {
      option.withRange(rangeEnd);
    }
    Watch.Watcher opened;
    try {
      opened = connection.client().getWatchClient().watch(key, option.build(), new Feed(gen));
    } catch (RuntimeException e) {
      broke(gen, e);
      return;
    }
    boolean current;
    synchronized (lock) {
      current = gen == generation && !ended;
      if (current) {
        watcher = opened;
      }
    }
    if (!current) {
      closeQuietly(opened);
    }
  }

  /** What one etcd watch reports; callbacks of a replaced watch (older generation) are ignored. */
  private final class Feed implements Watch.Listener {
    private final int gen;

    Feed(int gen) {
      this.gen = gen;
    }

    @Override
    public void onNext(WatchResponse response) {
      long header = response.getHeader().getRevision();
      connection.observe(header);
      synchronized (lock) {
        if (gen != generation || ended) {
          return;
        }
        if (response.isCreatedNotify()) {
          retry.established();
          return;
        }
        if (response.getEvents().isEmpty()) {
          if (response.isProgressNotify()) {
            delivered = Math.max(delivered, header); // timed: everything up to header was sent before it
            answerProgress();
          }
          return;
        }
        long floor = delivered;
        for (io.etcd.jetcd.watch.WatchEvent e : response.getEvents()) {
          long revision = e.getKeyValue().getModRevision();
          WatchEvent event = revision > floor ? toEvent(e) : null;
          if (event != null) {
            queue(() -> listener.onEvent(event));
            delivered = Math.max(delivered, revision);
          }
        }
        answerProgress();
      }
    }

    @Override
    public void onError(Throwable error) {
      broke(gen, error);
    }

    @Override
    public void onCompleted() {
      broke(gen, EtcdErrors.unavailable(prefix, "etcd ended the watch stream"));
    }
  }

  /** The etcd watch of generation {@code gen} failed: re-establish it after a delay, or end with an error. */
  private void broke(int gen, Throwable error) {
    Throwable mapped = EtcdErrors.toStorage(error, prefix);
    StorageException failure = mapped instanceof StorageException se ? se
        : EtcdErrors.unavailable(prefix, "etcd watch failed: " + mapped);
    Watch.Watcher old;
    Duration delay = null;
    StorageException fatal = null;
    synchronized (lock) {
      if (gen != generation || ended) {
        return;
      }
      generation++; // the broken watch's further callbacks are ignored from here on
      old = watcher;
      watcher = null;
      if (failure.code() == StorageException.Code.COMPACTED) {
        connection.learnCompacted(failure.revision());
        fatal = failure; // history after `delivered` is gone: resuming would leave a gap
      } else if (connection.closed()) {
        fatal = EtcdErrors.unavailable(prefix, "storage is closed");
      } else if (!EtcdErrors.retryable(failure)) {
        fatal = failure;
      } else {
        delay = retry.broke();
        if (delay == null) {
          fatal = EtcdErrors.unavailable(prefix, "the etcd watch of " + prefix + " could not be re-established for "
              + retry.brokenFor().toSeconds() + " s: " + failure.getMessage());
        } else {
          log.debug("etcd watch of {} broke at revision {} ({}); retrying in {}", prefix, delivered,
              failure.getMessage(), delay);
        }
      }
      if (fatal != null) {
        endWith(fatal);
      }
    }
    if (old != null) {
      // Thread hop: closed on the timer, promptly (before jetcd's own resume, 500 ms on, would start), but not
      // inline: jetcd is still inside its own error handling for this watcher.
      try {
        connection.timer().execute(() -> closeQuietly(old));
      } catch (RejectedExecutionException e) {
        closeQuietly(old);
      }
    }
    if (delay != null) {
      try {
        connection.timer().schedule(this::open, delay.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        fail(EtcdErrors.unavailable(prefix, "storage is closed"));
      }
    }
    if (fatal != null) {
      onEnd.run();
    }
  }

  @Override
  public void requestProgress() {
    synchronized (lock) {
      if (ended) {
        return;
      }
    }
    // Thread hop: the answer is handled on the storage pool.
    connection.readRevision(connection.options().requestTimeout()).whenComplete((revision, error) -> {
      if (error != null) {
        return; // no current revision to promise; the caller asks again at its next tick
      }
      synchronized (lock) {
        if (!ended) {
          progressTarget = progressTarget == 0 ? revision : Math.min(progressTarget, revision);
          answerProgress();
        }
      }
    });
  }

  /** Under lock: answers a pending progress request once everything up to its revision is out. */
  private void answerProgress() {
    if (progressTarget != 0 && delivered >= progressTarget) {
      long revision = delivered;
      progressTarget = 0;
      queue(() -> listener.onProgress(revision));
    }
  }

  @Override
  public void close() {
    Watch.Watcher w;
    synchronized (lock) {
      closedByCaller = true;
      if (ended) {
        return;
      }
      ended = true;
      generation++;
      w = watcher;
      watcher = null;
    }
    closeQuietly(w);
    onEnd.run();
  }

  /** Ends the watch with {@code error} (storage closing); nothing after it. */
  void fail(StorageException error) {
    Watch.Watcher w;
    synchronized (lock) {
      if (ended) {
        return;
      }
      generation++;
      w = watcher;
      watcher = null;
      endWith(error);
    }
    closeQuietly(w);
    onEnd.run();
  }

  /** Under lock. */
  private void endWith(StorageException error) {
    ended = true;
    queue(() -> listener.onError(error));
  }

  /** Under lock, so calls queue in the order of the state changes that made them. */
  private void queue(Runnable call) {
    execute(() -> {
      if (closedByCaller) {
        return;
      }
      try {
        call.run();
      } catch (RuntimeException e) {
        log.warn("watch listener of {} threw", prefix, e);
      }
    });
  }

  private void execute(Runnable task) {
    try {
      connection.watchThread().execute(task);
    } catch (RejectedExecutionException e) {
      // storage closed: nothing more is delivered
    }
  }

  private static void closeQuietly(Watch.Watcher w) {
    if (w != null) {
      try {
        w.close();
      } catch (RuntimeException e) {
        log.debug("closing an etcd watcher", e);
      }
    }
  }

  /** The SPI event for an etcd event; null for an event type this code does not know. */
  static WatchEvent toEvent(io.etcd.jetcd.watch.WatchEvent e) {
    KeyValue kv = e.getKeyValue();
    KeyValue prev = e.getPrevKV();
    StoredObject previous = prev != null && prev.getModRevision() != 0 ? Keys.stored(prev) : null;
    return switch (e.getEventType()) {
      case PUT -> kv.getVersion() == 1
          ? new WatchEvent(WatchEvent.Type.ADDED, Keys.stored(kv), null)
          : new WatchEvent(WatchEvent.Type.MODIFIED, Keys.stored(kv), previous);
      case DELETE -> new WatchEvent(WatchEvent.Type.DELETED, previous != null
          ? new StoredObject(previous.key(), previous.value(), previous.createRevision(), kv.getModRevision())
          : new StoredObject(Keys.string(kv.getKey()), new byte[0], 0, kv.getModRevision()), previous);
      default -> null;
    };
  }
}

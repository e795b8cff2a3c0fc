package dev.hostplane.apiserver.storage;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compacts a {@link Storage} periodically, as upstream's {@code --etcd-compaction-interval} does: every interval it
 * compacts to the revision that was current at the previous tick, so watchers always have at least one interval of
 * history to resume from. Uses only {@link Storage#currentRevision()} and {@link Storage#compact(long)}.
 *
 * <p>Several apiservers on one store coordinate as upstream's do through its {@code compact_rev_key}: with a
 * coordination key, each tick first bumps a counter stored there, on the condition that it still holds the value
 * this compactor saw at its previous tick; only the apiserver whose bump succeeds compacts, so the store is compacted
 * once per interval, not once per replica. A compactor that loses learns the new counter and tries again next tick.
 *
 * <p>Threading: a tick runs on the scheduler's thread; the next tick is scheduled when the compaction's future
 * completes (on the storage's thread), so compactions never overlap.
 */
public final class Compactor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Compactor.class);
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);

  /** Runs a task once after a delay; tests substitute a manual one. */
  @FunctionalInterface
  public interface Scheduler {
    /** Runs {@code task} once after {@code delay}; the returned future cancels it. */
    Future<?> schedule(Runnable task, Duration delay);

    static Scheduler of(ScheduledExecutorService executor) {
      return (task, delay) -> executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private final Storage storage;
  private final Duration interval;
  private final Scheduler scheduler;
  private final String coordinationKey;
  private final Object lock = new Object();
  // Guarded by lock:
  private long previousTickRevision;
  private long seenCounter;
  private Future<?> pending;
  private boolean started;
  private boolean closed;

  public Compactor(Storage storage, Duration interval, Scheduler scheduler) {
    this(storage, interval, scheduler, null);
  }

  /** @param coordinationKey the key replicas share to compact once per interval among them; null: uncoordinated */
  public Compactor(Storage storage, Duration interval, Scheduler scheduler, String coordinationKey) {
    this.coordinationKey = coordinationKey;
    this.storage = Objects.requireNonNull(storage, "storage");
    this.interval = Objects.requireNonNull(interval, "interval");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
  }

  /** Schedules the first tick one interval from now. */
  public void start() {
    synchronized (lock) {
      if (started) {
        throw new IllegalStateException("already started");
      }
      started = true;
    }
    scheduleNext();
  }

  private void scheduleNext() {
    synchronized (lock) {
      if (!closed) {
        pending = scheduler.schedule(this::tick, interval);
      }
    }
  }

  private void tick() {
    long target;
    synchronized (lock) {
      if (closed) {
        return;
      }
      target = previousTickRevision;
      previousTickRevision = storage.currentRevision();
    }
    if (coordinationKey != null) {
      coordinated(target);
      return;
    }
    compact(target);
  }

  /** Bumps the shared counter if nobody else did since our last tick; compacts only then. */
  private void coordinated(long target) {
    long expected;
    synchronized (lock) {
      expected = seenCounter;
    }
    java.util.concurrent.atomic.AtomicBoolean won = new java.util.concurrent.atomic.AtomicBoolean();
    CompletionStage<StoredObject> bumped;
    try {
      bumped = storage.guaranteedUpdate(coordinationKey, true, current -> {
        long counter = current == null ? 0 : counter(current.value());
        won.set(current == null || counter == expected);
        byte[] next = won.get() ? ("{\"counter\":" + (counter + 1) + ",\"revision\":" + target + "}")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII) : current.value();
        return java.util.concurrent.CompletableFuture.completedFuture(next);
      });
    } catch (RuntimeException e) {
      log.warn("compaction coordination failed", e);
      scheduleNext();
      return;
    }
    // Thread hop: continues on the storage's completion thread.
    bumped.whenComplete((stored, error) -> {
      if (error != null) {
        log.warn("compaction coordination failed: {}", error.toString());
        scheduleNext();
        return;
      }
      synchronized (lock) {
        seenCounter = counter(stored.value());
      }
      if (won.get()) {
        compact(target);
      } else {
        log.debug("another apiserver compacted this interval");
        scheduleNext();
      }
    });
  }

  private static long counter(byte[] value) {
    String s = new String(value, java.nio.charset.StandardCharsets.US_ASCII);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"counter\":(\\d+)").matcher(s);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private void compact(long target) {
    if (target <= storage.compactedRevision()) {
      scheduleNext();
      return;
    }
    CompletionStage<Void> done;
    try {
      done = storage.compact(target);
    } catch (RuntimeException e) {
      log.warn("compaction to revision {} failed", target, e);
      scheduleNext();
      return;
    }
    // Thread hop: the next tick is scheduled from the storage's completion thread.
    done.whenComplete((ignored, error) -> {
      if (error != null) {
        log.warn("compaction to revision {} failed: {}", target, error.toString());
      } else {
        log.debug("compacted to revision {}", target);
      }
      scheduleNext();
    });
  }

  /** Cancels the next tick; a compaction in flight finishes. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (pending != null) {
        pending.cancel(false);
      }
    }
  }
}

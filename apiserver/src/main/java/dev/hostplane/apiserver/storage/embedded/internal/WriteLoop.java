package dev.hostplane.apiserver.storage.embedded.internal;

import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import dev.hostplane.apiserver.storage.WatchEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer. Its thread takes a batch of queued writes, validates and stages each in order against the
 * latest state (the index plus what this batch staged before it), appends the batch's records to the WAL with one
 * fsync (group commit), and only then publishes: versions into the index, the committed revision, compaction, watch
 * events, and the callers' futures. A staged write that is not yet durable is thus never visible, and a batch whose
 * append fails leaves no trace (its futures fail with UNAVAILABLE).
 *
 * <p>Threading: {@link #submit} may be called from any thread and never blocks. Futures are completed on the
 * completion pool, never on the writer thread, so callers' continuations cannot stall the writer. Snapshots are
 * written on their own thread.
 */
public final class WriteLoop {
  private static final Logger log = LoggerFactory.getLogger(WriteLoop.class);
  private static final Object STOP = new Object();
  private static final int BUFFER_BYTES = 1 << 20;

  /** A request to the writer; {@link #future()} completes on the completion pool. */
  public sealed interface Op permits Create, Put, Delete, Compact, Snapshot {
    CompletableFuture<?> future();
  }

  /** Creates {@code key}; fails with KEY_EXISTS when it is live. */
  public record Create(String key, byte[] value, CompletableFuture<StoredObject> future) implements Op {}

  /**
   * Writes {@code key} if its live modRevision is still {@code expectedModRevision} (0: absent); otherwise completes
   * with null (a conflict: re-read and retry).
   */
  public record Put(String key, byte[] value, long expectedModRevision, CompletableFuture<StoredObject> future)
      implements Op {}

  /** Deletes {@code key} if its live modRevision is still {@code expectedModRevision}; otherwise completes with null. */
  public record Delete(String key, long expectedModRevision, CompletableFuture<StoredObject> future) implements Op {}

  /** Compacts to {@code revision} (a no-op at or below the compacted revision); fails beyond the latest one. */
  public record Compact(long revision, CompletableFuture<Void> future) implements Op {}

  /** Takes a snapshot now; completes with its revision once it is durable. */
  public record Snapshot(CompletableFuture<Long> future) implements Op {}

  private final Path dir;
  private final MvccIndex index;
  private final Wal wal;
  private final WatchDispatcher dispatcher;
  private final long snapshotThresholdBytes;
  private final int maxBatchOps;
  private final long maxBatchBytes;
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final ExecutorService completions;
  private final Set<Thread> completionThreads = ConcurrentHashMap.newKeySet();
  private final ExecutorService snapshots;
  private final AtomicBoolean snapshotRunning = new AtomicBoolean();
  private volatile boolean closed;

  // Writer thread only:
  private final Map<String, Version> staged = new HashMap<>();
  private ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
  private long snapshotDueAtBytes;

  public WriteLoop(Path dir, MvccIndex index, Wal wal, WatchDispatcher dispatcher, long snapshotThresholdBytes,
      int maxBatchOps, long maxBatchBytes, String name) {
    this.dir = dir;
    this.index = index;
    this.wal = wal;
    this.dispatcher = dispatcher;
    this.snapshotThresholdBytes = snapshotThresholdBytes;
    this.maxBatchOps = maxBatchOps;
    this.maxBatchBytes = maxBatchBytes;
    this.snapshotDueAtBytes = snapshotThresholdBytes;
    this.thread = new Thread(this::run, name + "-writer");
    this.thread.setDaemon(true);
    AtomicInteger n = new AtomicInteger();
    this.completions = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
      Thread t = new Thread(r, name + "-complete-" + n.incrementAndGet());
      t.setDaemon(true);
      completionThreads.add(t);
      return t;
    });
    this.snapshots = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name + "-snapshot");
      t.setDaemon(true);
      return t;
    });
  }

  public void start() {
    thread.start();
  }

  /** Queues {@code op}; fails it with UNAVAILABLE once closed. Any thread; never blocks. */
  public void submit(Op op) {
    if (closed) {
      op.future().completeExceptionally(unavailable());
      return;
    }
    queue.add(op);
    // close() may have drained the queue between the check and the add: then nobody else will see `op`.
    if (closed && queue.remove(op)) {
      op.future().completeExceptionally(unavailable());
    }
  }

  /**
   * Stops the writer after the batch in progress, fails what is still queued with UNAVAILABLE, waits for a snapshot
   * in progress and for pending completions.
   */
  public void close() {
    closed = true;
    queue.add(STOP);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
      if (thread.isAlive()) {
        log.warn("writer thread did not stop within 30 s");
      }
      failQueued();
      snapshots.shutdown();
      if (!snapshots.awaitTermination(60, TimeUnit.SECONDS)) {
        log.warn("snapshot did not finish within 60 s");
      }
      completions.shutdown();
      // Closed from a caller's continuation: that thread is one of the pool's, so do not wait for it.
      if (!completionThreads.contains(Thread.currentThread())
          && !completions.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("completions did not finish within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void failQueued() {
    for (Object o = queue.poll(); o != null; o = queue.poll()) {
      if (o instanceof Op op) {
        op.future().completeExceptionally(unavailable());
      }
    }
  }

  private void run() {
    List<Op> batch = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      Object next;
      try {
        next = queue.take();
      } catch (InterruptedException e) {
        continue; // nobody interrupts the writer; close() queues STOP
      }
      long bytes = 0;
      while (next != null) {
        if (next == STOP) {
          stop = true;
          break;
        }
        Op op = (Op) next;
        batch.add(op);
        bytes += weight(op);
        if (batch.size() >= maxBatchOps || bytes >= maxBatchBytes) {
          break;
        }
        next = queue.poll();
      }
      if (!batch.isEmpty()) {
        try {
          process(batch);
        } catch (RuntimeException | Error e) {
          log.error("writer failed on a batch of {}", batch.size(), e);
          StorageException error = new StorageException(StorageException.Code.UNAVAILABLE, null, 0,
              "storage writer failed: " + e);
          for (Op op : batch) {
            op.future().completeExceptionally(error);
          }
        }
        batch.clear();
      }
    }
    failQueued();
  }

  private static long weight(Op op) {
    if (op instanceof Create c) {
      return 32 + c.key().length() + c.value().length;
    }
    if (op instanceof Put p) {
      return 32 + p.key().length() + p.value().length;
    }
    return 32;
  }

  private void process(List<Op> batch) {
    buffer.clear();
    staged.clear();
    List<Version> versions = new ArrayList<>();
    List<Runnable> outcomes = new ArrayList<>(batch.size());
    List<CompletableFuture<Long>> snapshotWaiters = new ArrayList<>();
    long revision = index.committedRevision();
    long compactTo = index.compactedRevision();
    for (Op op : batch) {
      if (op instanceof Create c) {
        Version current = latest(c.key());
        if (Version.live(current)) {
          outcomes.add(() -> c.future().completeExceptionally(new StorageException(StorageException.Code.KEY_EXISTS,
              c.key(), current.modRevision(), c.key() + " already exists")));
          continue;
        }
        revision++;
        StoredObject created = new StoredObject(c.key(), c.value(), revision, revision);
        stage(new Version(created, false, current), WalRecord.put(created), versions);
        outcomes.add(() -> c.future().complete(created));
      } else if (op instanceof Put p) {
        Version current = latest(p.key());
        long currentModRevision = Version.live(current) ? current.modRevision() : 0;
        if (currentModRevision != p.expectedModRevision()) {
          outcomes.add(() -> p.future().complete(null));
          continue;
        }
        revision++;
        long createRevision = Version.live(current) ? current.object().createRevision() : revision;
        StoredObject written = new StoredObject(p.key(), p.value(), createRevision, revision);
        stage(new Version(written, false, current), WalRecord.put(written), versions);
        outcomes.add(() -> p.future().complete(written));
      } else if (op instanceof Delete d) {
        Version current = latest(d.key());
        if (!Version.live(current) || current.modRevision() != d.expectedModRevision()) {
          outcomes.add(() -> d.future().complete(null));
          continue;
        }
        revision++;
        StoredObject last = current.object();
        StoredObject deleted = new StoredObject(d.key(), last.value(), last.createRevision(), revision);
        stage(new Version(deleted, true, current), WalRecord.delete(d.key(), revision), versions);
        outcomes.add(() -> d.future().complete(deleted));
      } else if (op instanceof Compact k) {
        if (k.revision() > revision) {
          long latest = revision;
          outcomes.add(() -> k.future().completeExceptionally(new StorageException(
              StorageException.Code.FUTURE_REVISION, null, latest,
              "cannot compact to " + k.revision() + ", beyond the current revision " + latest)));
          continue;
        }
        if (k.revision() > compactTo) {
          compactTo = k.revision();
          buffer = WalRecord.compact(compactTo).encodeTo(buffer);
        }
        outcomes.add(() -> k.future().complete(null));
      } else if (op instanceof Snapshot s) {
        snapshotWaiters.add(s.future());
      }
    }
    if (buffer.position() > 0) {
      buffer.flip();
      try {
        wal.append(buffer);
      } catch (IOException e) {
        log.error("write-ahead log append failed; failing a batch of {} writes", batch.size(), e);
        StorageException error = new StorageException(StorageException.Code.UNAVAILABLE, null, 0,
            "write-ahead log append failed: " + e);
        for (Op op : batch) {
          // Thread hop: callers' continuations run on the completion pool.
          completions.execute(() -> op.future().completeExceptionally(error));
        }
        return;
      } finally {
        if (buffer.capacity() > 16 * BUFFER_BYTES) {
          buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
        }
      }
    }
    // The batch is durable. Publish the versions, then make them visible, then tell watchers and callers. The
    // events are built here, before compaction can cut the previous versions they refer to.
    List<WatchEvent> events = new ArrayList<>(versions.size());
    for (Version v : versions) {
      index.publish(v);
      events.add(v.toEvent());
    }
    staged.clear();
    if (revision != index.committedRevision()) {
      index.commit(revision);
    }
    if (compactTo > index.compactedRevision()) {
      index.compact(compactTo);
    }
    if (!events.isEmpty()) {
      dispatcher.publish(events, revision);
    }
    for (Runnable outcome : outcomes) {
      // Thread hop: callers' continuations (including guaranteedUpdate retries) run on the completion pool.
      completions.execute(outcome);
    }
    maybeSnapshot(snapshotWaiters);
  }

  private Version latest(String key) {
    Version v = staged.get(key);
    return v != null ? v : index.head(key);
  }

  private void stage(Version version, WalRecord record, List<Version> versions) {
    buffer = record.encodeTo(buffer);
    staged.put(version.object().key(), version);
    versions.add(version);
  }

  /**
   * Writer thread, between batches: when the WAL segment is over the threshold (or a snapshot was asked for), starts
   * a new segment and writes a snapshot of the state at the current revision on the snapshot thread; once that is
   * durable, the segments it covers are deleted.
   */
  private void maybeSnapshot(List<CompletableFuture<Long>> waiters) {
    boolean due = wal.size() >= snapshotDueAtBytes && !snapshotRunning.get();
    if (!due && waiters.isEmpty()) {
      return;
    }
    SnapshotFile.Header header;
    try {
      long firstSegment = wal.size() > 0 ? wal.rotate() : wal.seq();
      header = new SnapshotFile.Header(index.committedRevision(), index.compactedRevision(), firstSegment);
      snapshotDueAtBytes = snapshotThresholdBytes;
    } catch (IOException e) {
      // Try again once the segment has grown by another threshold, not after every batch.
      snapshotDueAtBytes = wal.size() + snapshotThresholdBytes;
      log.warn("cannot start a new WAL segment; snapshot postponed", e);
      failAll(waiters, e);
      return;
    }
    snapshotRunning.set(true);
    Runnable task = () -> {
      try {
        SnapshotFile.write(dir, header, index);
        Wal.deleteBefore(dir, header.firstSegment());
        SnapshotFile.deleteOlderThan(dir, header.revision());
        log.debug("snapshot at revision {} written", header.revision());
        waiters.forEach(w -> w.complete(header.revision()));
      } catch (IOException | RuntimeException e) {
        log.warn("snapshot at revision {} failed; the WAL is kept", header.revision(), e);
        failAll(waiters, e);
      } finally {
        snapshotRunning.set(false);
      }
    };
    try {
      // Thread hop: the snapshot is written on the snapshot thread, from the MVCC index; the writer goes on.
      snapshots.execute(task);
    } catch (RejectedExecutionException e) {
      snapshotRunning.set(false);
      failAll(waiters, e);
    }
  }

  private static void failAll(List<CompletableFuture<Long>> waiters, Exception cause) {
    StorageException error = new StorageException(StorageException.Code.UNAVAILABLE, null, 0,
        "snapshot failed: " + cause);
    waiters.forEach(w -> w.completeExceptionally(error));
  }

  private static StorageException unavailable() {
    return new StorageException(StorageException.Code.UNAVAILABLE, null, 0, "storage is closed");
  }
}

package dev.hostplane.apiserver.storage.embedded;

import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.ListResult;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import dev.hostplane.apiserver.storage.WatchListener;
import dev.hostplane.apiserver.storage.embedded.internal.FileOpener;
import dev.hostplane.apiserver.storage.embedded.internal.MvccIndex;
import dev.hostplane.apiserver.storage.embedded.internal.SnapshotFile;
import dev.hostplane.apiserver.storage.embedded.internal.Wal;
import dev.hostplane.apiserver.storage.embedded.internal.WalRecord;
import dev.hostplane.apiserver.storage.embedded.internal.WatchDispatcher;
import dev.hostplane.apiserver.storage.embedded.internal.WriteLoop;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default storage backend: an in-process MVCC key-value store made durable by a write-ahead log and snapshots in
 * one directory. Revisions: a fresh store is at revision 1 (as etcd is) and its first write gets revision 2, so no
 * revision it hands out is ever 0, which callers use to mean "latest" and "from now". Compaction to revision C keeps
 * the state at C: reads and lists at C still work, those below C fail with COMPACTED, and a watch may start from C
 * but not below it.
 *
 * <p>Threading: reads ({@link #get}, {@link #list}) run on the calling thread without locks or I/O and return
 * completed futures. Writes go to the single writer thread (see {@link WriteLoop}) and their futures complete on the
 * store's completion pool once durable. The first attempt of a {@link #guaranteedUpdate} or {@link #delete} runs its
 * mutation or precondition on the calling thread; a retry runs it on a completion-pool thread. Watch listeners are
 * called on the store's dispatcher thread (see {@link WatchDispatcher}).
 */
public final class EmbeddedStorage implements Storage {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedStorage.class);
  /** Largest accepted value. */
  public static final int MAX_VALUE_BYTES = 256 << 20;

  /**
   * @param snapshotThresholdBytes a WAL segment that grows past this is closed and a snapshot taken
   * @param maxBatchOps at most this many writes share one fsync
   * @param maxBatchBytes a batch stops growing once its writes hold this many bytes
   */
  public record Options(long snapshotThresholdBytes, int maxBatchOps, long maxBatchBytes) {
    public static final Options DEFAULT = new Options(64L << 20, 4096, 8L << 20);

    public Options {
      if (snapshotThresholdBytes <= 0 || maxBatchOps <= 0 || maxBatchBytes <= 0) {
        throw new IllegalArgumentException("options must be positive, got " + snapshotThresholdBytes + ", "
            + maxBatchOps + ", " + maxBatchBytes);
      }
    }

    public Options withSnapshotThresholdBytes(long bytes) {
      return new Options(bytes, maxBatchOps, maxBatchBytes);
    }
  }

  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final MvccIndex index;
  private final Wal wal;
  private final WatchDispatcher dispatcher;
  private final WriteLoop writer;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedStorage(Path dir, FileChannel lockChannel, FileLock lock, MvccIndex index, Wal wal,
      Options options) {
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.index = index;
    this.wal = wal;
    String name = "embedded-storage";
    this.dispatcher = new WatchDispatcher(index, name + "-watch");
    this.writer = new WriteLoop(dir, index, wal, dispatcher, options.snapshotThresholdBytes(), options.maxBatchOps(),
        options.maxBatchBytes(), name);
    writer.start();
  }

  /**
   * Opens (creating if needed) the store in {@code dataDir}: loads the newest snapshot, replays the WAL after it and
   * cuts off a torn tail. Blocks for the I/O. Fails with CORRUPT when the data cannot be read, with UNAVAILABLE when
   * another store has the directory open.
   */
  public static EmbeddedStorage open(Path dataDir, Options options) throws IOException {
    return open(dataDir, options, FileOpener.DEFAULT);
  }

  /** As {@link #open(Path, Options)}, opening WAL files through {@code opener} (tests inject I/O failures). */
  static EmbeddedStorage open(Path dataDir, Options options, FileOpener opener) throws IOException {
    Objects.requireNonNull(options, "options");
    Path dir = dataDir.toAbsolutePath();
    Files.createDirectories(dir);
    FileChannel lockChannel = FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock = null;
    try {
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new StorageException(StorageException.Code.UNAVAILABLE, null, 0, dir + " is in use by another store");
      }
      MvccIndex index = new MvccIndex(1, 0);
      SnapshotFile.Header snapshot = SnapshotFile.loadNewest(dir, index);
      long firstSegment = snapshot == null ? 0 : snapshot.firstSegment();
      if (snapshot != null) {
        Wal.deleteBefore(dir, firstSegment);
      }
      Wal wal = Wal.open(dir, firstSegment, opener, record -> replay(index, record));
      log.info("opened {} at revision {} (compacted {})", dir, index.committedRevision(), index.compactedRevision());
      return new EmbeddedStorage(dir, lockChannel, lock, index, wal, options);
    } catch (IOException | RuntimeException e) {
      try {
        lockChannel.close(); // releases the lock too
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  private static void replay(MvccIndex index, WalRecord record) {
    switch (record.type()) {
      case PUT, DELETE -> {
        long expected = index.committedRevision() + 1;
        if (record.revision() != expected) {
          throw new StorageException(StorageException.Code.CORRUPT, record.key(), record.revision(),
              "WAL record at revision " + record.revision() + " where " + expected + " was expected");
        }
        index.replay(record);
        index.commit(record.revision());
      }
      case COMPACT -> index.compact(record.revision());
      default -> throw new StorageException(StorageException.Code.CORRUPT, null, record.revision(),
          "unexpected " + record.type() + " record in the WAL");
    }
  }

  /** The directory this store lives in. */
  public Path directory() {
    return dir;
  }

  @Override
  public CompletionStage<StoredObject> create(String key, byte[] value) {
    checkWrite(key, value);
    CompletableFuture<StoredObject> result = new CompletableFuture<>();
    // Thread hop: staged, logged and published on the writer thread; `result` completes on the completion pool.
    writer.submit(new WriteLoop.Create(key, value, result));
    return result;
  }

  @Override
  public CompletionStage<StoredObject> get(String key) {
    Objects.requireNonNull(key, "key");
    if (closed.get()) {
      return CompletableFuture.failedFuture(unavailable());
    }
    StoredObject current = latest(key);
    return current != null
        ? CompletableFuture.completedFuture(current)
        : CompletableFuture.failedFuture(notFound(key));
  }

  /** The live value of {@code key} at the committed revision, or null. */
  private StoredObject latest(String key) {
    while (true) {
      long revision = index.committedRevision();
      StoredObject current = index.get(key, revision);
      if (revision >= index.compactedRevision()) {
        return current;
      }
      // A compaction beyond `revision` may have cut the chain we walked; the committed revision is past it now.
    }
  }

  @Override
  public CompletionStage<ListResult> list(String prefix, ListOptions options) {
    Objects.requireNonNull(options, "options");
    if (prefix == null || !prefix.endsWith("/")) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("a list prefix must end with '/', got " + prefix));
    }
    if (closed.get()) {
      return CompletableFuture.failedFuture(unavailable());
    }
    while (true) {
      long committed = index.committedRevision();
      long revision = options.revision() == 0 ? committed : options.revision();
      if (revision > committed) {
        return CompletableFuture.failedFuture(new StorageException(StorageException.Code.FUTURE_REVISION, prefix,
            committed, "revision " + revision + " is newer than the current revision " + committed));
      }
      if (revision >= index.compactedRevision()) {
        MvccIndex.Page page = index.list(prefix, options.startKey(), options.limit(), revision);
        // Checked after reading: a compaction may have cut history while we read it.
        if (revision >= index.compactedRevision()) {
          return CompletableFuture.completedFuture(
              new ListResult(page.items(), revision, page.remaining() > 0, page.remaining()));
        }
      }
      if (options.revision() != 0) {
        long compacted = index.compactedRevision();
        return CompletableFuture.failedFuture(new StorageException(StorageException.Code.COMPACTED, prefix,
            compacted, "revision " + revision + " is compacted (compacted revision " + compacted + ")"));
      }
      // A latest read overtaken by compaction: read again at the newer committed revision.
    }
  }

  @Override
  public CompletionStage<StoredObject> guaranteedUpdate(String key, boolean createIfAbsent, Mutation mutation) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(mutation, "mutation");
    CompletableFuture<StoredObject> result = new CompletableFuture<>();
    attemptUpdate(key, createIfAbsent, mutation, result);
    return result;
  }

  /**
   * One compare-and-swap attempt. Threading: the first runs on the caller's thread, a retry on the completion-pool
   * thread that reported the conflict; the mutation's stage may complete on any thread, which then submits the write.
   */
  private void attemptUpdate(String key, boolean createIfAbsent, Mutation mutation,
      CompletableFuture<StoredObject> result) {
    if (closed.get()) {
      result.completeExceptionally(unavailable());
      return;
    }
    StoredObject current = latest(key);
    if (current == null && !createIfAbsent) {
      result.completeExceptionally(notFound(key));
      return;
    }
    CompletionStage<byte[]> next;
    try {
      next = Objects.requireNonNull(mutation.apply(current), "mutation returned a null stage");
    } catch (Throwable t) {
      result.completeExceptionally(t);
      return;
    }
    next.whenComplete((value, error) -> {
      if (error != null) {
        result.completeExceptionally(unwrap(error));
        return;
      }
      if (value == null) {
        result.completeExceptionally(new NullPointerException("mutation of " + key + " returned null"));
        return;
      }
      if (current != null && Arrays.equals(value, current.value())) {
        result.complete(current);
        return;
      }
      if (value.length > MAX_VALUE_BYTES) {
        result.completeExceptionally(tooLarge(value));
        return;
      }
      CompletableFuture<StoredObject> written = new CompletableFuture<>();
      // Thread hop: the compare-and-swap runs on the writer thread; `written` completes on the completion pool.
      writer.submit(new WriteLoop.Put(key, value, current == null ? 0 : current.modRevision(), written));
      written.whenComplete((object, writeError) -> {
        if (writeError != null) {
          result.completeExceptionally(writeError);
        } else if (object == null) {
          attemptUpdate(key, createIfAbsent, mutation, result); // somebody wrote the key in between
        } else {
          result.complete(object);
        }
      });
    });
  }

  @Override
  public CompletionStage<StoredObject> delete(String key, Precondition check) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(check, "check");
    CompletableFuture<StoredObject> result = new CompletableFuture<>();
    attemptDelete(key, check, result);
    return result;
  }

  /** One compare-and-delete attempt; threading as for {@link #attemptUpdate}. */
  private void attemptDelete(String key, Precondition check, CompletableFuture<StoredObject> result) {
    if (closed.get()) {
      result.completeExceptionally(unavailable());
      return;
    }
    StoredObject current = latest(key);
    if (current == null) {
      result.completeExceptionally(notFound(key));
      return;
    }
    try {
      check.check(current);
    } catch (Throwable t) {
      result.completeExceptionally(t);
      return;
    }
    CompletableFuture<StoredObject> deleted = new CompletableFuture<>();
    // Thread hop: the compare-and-delete runs on the writer thread; `deleted` completes on the completion pool.
    writer.submit(new WriteLoop.Delete(key, current.modRevision(), deleted));
    deleted.whenComplete((object, error) -> {
      if (error != null) {
        result.completeExceptionally(error);
      } else if (object == null) {
        attemptDelete(key, check, result); // changed or deleted in between: check the new state
      } else {
        result.complete(object);
      }
    });
  }

  @Override
  public Watch watch(String prefix, long fromRevision, WatchListener listener) {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(listener, "listener");
    if (fromRevision < 0) {
      throw new IllegalArgumentException("fromRevision must be >= 0, got " + fromRevision);
    }
    // "From now" is pinned here, on the caller's thread, not when the dispatcher gets to it.
    long from = fromRevision == 0 ? index.committedRevision() : fromRevision;
    if (closed.get()) {
      listener.onError(unavailable());
      return new ClosedWatch();
    }
    return dispatcher.watch(prefix, from, listener);
  }

  @Override
  public long currentRevision() {
    return index.committedRevision();
  }

  @Override
  public long compactedRevision() {
    return index.compactedRevision();
  }

  /**
   * Compacts to {@code revision}, durably: the compacted revision survives a restart. At or below the compacted
   * revision this does nothing; beyond the current revision it fails with FUTURE_REVISION.
   */
  @Override
  public CompletionStage<Void> compact(long revision) {
    if (revision < 0) {
      throw new IllegalArgumentException("revision must be >= 0, got " + revision);
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    // Thread hop: logged and applied on the writer thread; `result` completes on the completion pool.
    writer.submit(new WriteLoop.Compact(revision, result));
    return result;
  }

  /**
   * Takes a snapshot now (beside the automatic ones when the WAL passes its threshold) and drops the WAL it covers;
   * completes with the snapshot's revision once it is durable.
   */
  public CompletionStage<Long> snapshot() {
    CompletableFuture<Long> result = new CompletableFuture<>();
    // Thread hop: the writer rotates the WAL; the snapshot thread writes the file and completes `result`.
    writer.submit(new WriteLoop.Snapshot(result));
    return result;
  }

  /**
   * Stops accepting calls, lets the batch being written finish, fails queued writes with UNAVAILABLE, ends every
   * watch with UNAVAILABLE, waits for a snapshot in progress, and releases the directory. Blocks for that.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    writer.close();
    dispatcher.close();
    try {
      wal.close();
    } catch (IOException e) {
      log.warn("closing the WAL of {}", dir, e);
    }
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      log.warn("releasing the lock of {}", dir, e);
    }
  }

  private void checkWrite(String key, byte[] value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (value.length > MAX_VALUE_BYTES) {
      throw tooLarge(value);
    }
  }

  private static IllegalArgumentException tooLarge(byte[] value) {
    return new IllegalArgumentException("value of " + value.length + " bytes exceeds " + MAX_VALUE_BYTES);
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  private static StorageException notFound(String key) {
    return new StorageException(StorageException.Code.KEY_NOT_FOUND, key, 0, key + " not found");
  }

  private static StorageException unavailable() {
    return new StorageException(StorageException.Code.UNAVAILABLE, null, 0, "storage is closed");
  }

  private static final class ClosedWatch implements Watch {
    @Override
    public void requestProgress() {}

    @Override
    public void close() {}
  }
}

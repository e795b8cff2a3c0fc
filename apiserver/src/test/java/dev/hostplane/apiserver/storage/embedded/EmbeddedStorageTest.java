package dev.hostplane.apiserver.storage.embedded;

import static dev.hostplane.apiserver.storage.StorageContractTest.assertFails;
import static dev.hostplane.apiserver.storage.StorageContractTest.await;
import static dev.hostplane.apiserver.storage.StorageContractTest.bytes;
import static dev.hostplane.apiserver.storage.StorageContractTest.done;
import static dev.hostplane.apiserver.storage.StorageContractTest.string;
import static dev.hostplane.apiserver.storage.StorageContractTest.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageContractTest.Recorder;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import dev.hostplane.apiserver.storage.WatchEvent;
import dev.hostplane.apiserver.storage.WatchListener;
import dev.hostplane.apiserver.storage.embedded.internal.WalRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the embedded backend promises beyond the SPI contract: its files, crashes, snapshots, I/O failures. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedStorageTest {
  private static final String P = "/registry/things/";

  @TempDir
  Path dir;
  private EmbeddedStorage storage;

  @AfterEach
  void close() {
    if (storage != null) {
      storage.close();
    }
  }

  private EmbeddedStorage open() throws IOException {
    return open(EmbeddedStorage.Options.DEFAULT);
  }

  private EmbeddedStorage open(EmbeddedStorage.Options options) throws IOException {
    if (storage != null) {
      storage.close();
    }
    storage = EmbeddedStorage.open(dir, options);
    return storage;
  }

  @Test
  void aFreshStoreIsAtRevisionOneAndItsFirstWriteGetsTwo() throws Exception {
    open();
    assertEquals(1, storage.currentRevision());
    assertEquals(0, storage.compactedRevision());
    assertEquals(2, await(storage.create(P + "a", bytes("1"))).modRevision());
  }

  @Test
  void aRestartRecoversValuesRevisionsAndHistory() throws Exception {
    open();
    long from = writeMixedHistory(40);
    Map<String, String> latest = list(0);
    Map<String, String> old = list(from);
    List<String> history = replay(from);
    long current = storage.currentRevision();

    open();
    assertEquals(current, storage.currentRevision());
    assertEquals(latest, list(0));
    assertEquals(old, list(from));
    assertEquals(history, replay(from));
    assertEquals(current + 1, await(storage.create(P + "after", bytes("x"))).modRevision());
  }

  @Test
  void garbageAfterTheLastRecordIsCutOff() throws Exception {
    open();
    for (int i = 0; i < 5; i++) {
      await(storage.create(P + i, bytes("v" + i)));
    }
    long current = storage.currentRevision();
    storage.close();
    ByteBuffer garbage = ByteBuffer.allocate(64);
    garbage.putInt(40).putInt(0xdeadbeef); // a plausible frame header with a wrong CRC
    while (garbage.hasRemaining()) {
      garbage.put((byte) 0xab);
    }
    appendTo(lastSegment(), garbage.flip());

    open();
    assertEquals(current, storage.currentRevision());
    assertEquals(5, list(0).size());
    // New records go where the garbage was, so they survive the next open.
    await(storage.create(P + "new", bytes("n")));
    open();
    assertEquals(6, list(0).size());
    assertTrue(segmentIsClean(lastSegment()));
  }

  @Test
  void aHalfWrittenLastRecordIsDroppedWhole() throws Exception {
    open();
    List<Long> revisions = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      revisions.add(await(storage.create(P + i, bytes("value-" + i))).modRevision());
    }
    storage.close();
    Path wal = lastSegment();
    try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 7);
    }

    open();
    assertEquals(revisions.get(3), storage.currentRevision());
    assertEquals(Map.of(P + 0, "value-0", P + 1, "value-1", P + 2, "value-2", P + 3, "value-3"), list(0));
    assertEquals(revisions.get(3) + 1, await(storage.create(P + "x", bytes("x"))).modRevision());
    open();
    assertEquals(5, list(0).size());
  }

  @Test
  void aCorruptRecordCutsTheLogAtTheFirstBadRecord() throws Exception {
    open();
    for (int i = 0; i < 5; i++) {
      await(storage.create(P + i, bytes("value-" + i + "-payload")));
    }
    storage.close();
    flipByteOf(lastSegment(), "value-2-payload");

    open();
    assertEquals(Map.of(P + 0, "value-0-payload", P + 1, "value-1-payload"), list(0));
  }

  @Test
  void aBadRecordInASegmentThatIsNotTheLastFailsTheOpen() throws Exception {
    open();
    for (int i = 0; i < 3; i++) {
      await(storage.create(P + i, bytes("value-" + i + "-payload")));
    }
    storage.close();
    storage = null;
    Path wal = lastSegment();
    flipByteOf(wal, "value-1-payload");
    Files.createFile(dir.resolve("wal-0000000000000001.log"));
    StorageException e = assertThrows(StorageException.class,
        () -> EmbeddedStorage.open(dir, EmbeddedStorage.Options.DEFAULT));
    assertEquals(StorageException.Code.CORRUPT, e.code());
    // The failed open released the directory.
    Files.delete(dir.resolve("wal-0000000000000001.log"));
    open();
    assertEquals(1, list(0).size());
  }

  @Test
  void snapshotsRotateTheLogAndARestartLosesNothing() throws Exception {
    open(EmbeddedStorage.Options.DEFAULT.withSnapshotThresholdBytes(8 << 10));
    long compactTo = writeMixedHistory(150);
    await(storage.compact(compactTo));
    long from = writeMixedHistory(150);
    Map<String, String> latest = list(0);
    Map<String, String> old = list(from);
    Map<String, String> atCompacted = list(compactTo);
    List<String> history = replay(from);
    long current = storage.currentRevision();
    assertEquals(current, await(storage.snapshot()));

    List<String> files = files();
    assertEquals(1, files.stream().filter(f -> f.startsWith("snapshot-")).count(), files.toString());
    List<String> segments = files.stream().filter(f -> f.startsWith("wal-")).toList();
    assertEquals(1, segments.size(), files.toString());
    assertTrue(segments.get(0).compareTo("wal-0000000000000002.log") > 0, "the log never rotated: " + files);

    open();
    assertEquals(current, storage.currentRevision());
    assertEquals(compactTo, storage.compactedRevision());
    assertEquals(latest, list(0));
    assertEquals(old, list(from));
    assertEquals(atCompacted, list(compactTo));
    assertEquals(history, replay(from));

    // Writes after the snapshot land in the new segment and survive too.
    await(storage.create(P + "after-snapshot", bytes("x")));
    await(storage.delete(P + "k0", c -> {}));
    latest = list(0);
    open();
    assertEquals(latest, list(0));
  }

  @Test
  void aTruncatedSnapshotFailsTheOpen() throws Exception {
    open();
    writeMixedHistory(10);
    await(storage.snapshot());
    storage.close();
    storage = null;
    Path snapshot = dir.resolve(files().stream().filter(f -> f.startsWith("snapshot-")).findFirst().orElseThrow());
    try (FileChannel ch = FileChannel.open(snapshot, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 3);
    }
    StorageException e = assertThrows(StorageException.class,
        () -> EmbeddedStorage.open(dir, EmbeddedStorage.Options.DEFAULT));
    assertEquals(StorageException.Code.CORRUPT, e.code());
  }

  @Test
  void theCompactedRevisionSurvivesRestartsWithAndWithoutASnapshot() throws Exception {
    open();
    long old = writeMixedHistory(20);
    long compactTo = storage.currentRevision();
    writeMixedHistory(5);
    await(storage.compact(compactTo));

    for (boolean snapshot : new boolean[] {false, true}) {
      if (snapshot) {
        await(storage.snapshot());
      }
      open();
      assertEquals(compactTo, storage.compactedRevision(), "snapshot " + snapshot);
      assertFails(StorageException.Code.COMPACTED, storage.list(P, new ListOptions(old, 0, null)));
      Recorder watch = new Recorder();
      storage.watch(P, old, watch);
      assertEquals(StorageException.Code.COMPACTED, watch.awaitError().code());
      assertEquals(storage.currentRevision() - compactTo, replay(compactTo).size(), "one event per revision");
    }
  }

  @Test
  void aFailedAppendFailsItsBatchAndLeavesNoTrace() throws Exception {
    FaultyChannel.Faults faults = new FaultyChannel.Faults();
    storage = EmbeddedStorage.open(dir, EmbeddedStorage.Options.DEFAULT,
        (path, options) -> new FaultyChannel(FileChannel.open(path, options), faults));
    long good = await(storage.create(P + "a", bytes("a1"))).modRevision();
    Recorder watch = new Recorder();
    Storage.Watch w = storage.watch(P, good, watch);

    faults.failWrites = true;
    assertFails(StorageException.Code.UNAVAILABLE, storage.create(P + "b", bytes("b1")));
    assertFails(StorageException.Code.UNAVAILABLE, storage.guaranteedUpdate(P + "a", false, c -> done(bytes("a2"))));
    faults.failWrites = false;
    faults.failForce = true;
    assertFails(StorageException.Code.UNAVAILABLE, storage.create(P + "c", bytes("c1")));
    faults.failForce = false;

    assertEquals(good, storage.currentRevision());
    assertFails(StorageException.Code.KEY_NOT_FOUND, storage.get(P + "b"));
    assertFails(StorageException.Code.KEY_NOT_FOUND, storage.get(P + "c"));
    assertArrayEquals(bytes("a1"), await(storage.get(P + "a")).value());

    long next = await(storage.create(P + "d", bytes("d1"))).modRevision();
    assertEquals(good + 1, next);
    w.requestProgress();
    watch.awaitProgress(next);
    assertEquals(List.of(P + "d"), watch.events().stream().map(e -> e.object().key()).toList());

    storage.close();
    assertTrue(segmentIsClean(lastSegment()), "a failed batch left bytes behind");
    open();
    assertEquals(Map.of(P + "a", "a1", P + "d", "d1"), list(0));
    assertEquals(next, storage.currentRevision());
  }

  @Test
  void aDirectoryServesOneStoreAtATime() throws Exception {
    open();
    StorageException e = assertThrows(StorageException.class,
        () -> EmbeddedStorage.open(dir, EmbeddedStorage.Options.DEFAULT));
    assertEquals(StorageException.Code.UNAVAILABLE, e.code());
    await(storage.create(P + "still-works", bytes("x")));
  }

  @Test
  void compactionBeyondTheCurrentRevisionFails() throws Exception {
    open();
    await(storage.create(P + "a", bytes("x")));
    assertFails(StorageException.Code.FUTURE_REVISION, storage.compact(storage.currentRevision() + 1));
    assertEquals(0, storage.compactedRevision());
  }

  @Test
  void guaranteedUpdatesOfManyKeysShareBatchesWithoutMixingThemUp() throws Exception {
    open();
    int keys = 50;
    for (int i = 0; i < keys; i++) {
      await(storage.create(P + i, bytes("0")));
    }
    List<CompletionStage<?>> all = new ArrayList<>();
    for (int round = 0; round < 10; round++) {
      for (int i = 0; i < keys; i++) {
        all.add(storage.guaranteedUpdate(P + i, false,
            c -> done(bytes(Integer.toString(Integer.parseInt(string(c.value())) + 1)))));
      }
    }
    CompletableFuture.allOf(all.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new))
        .get(30, TimeUnit.SECONDS);
    Map<String, String> values = list(0);
    for (int i = 0; i < keys; i++) {
      assertEquals("10", values.get(P + i), "key " + i);
    }
    assertEquals(1 + keys + keys * 10, storage.currentRevision());
  }

  @Test
  void eventsKeepTheirPreviousValueWhenCompactionOvertakesTheDispatcher() throws Exception {
    open();
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    long start = storage.currentRevision();
    // A listener that holds the dispatcher thread (which listeners must never do) makes delivery lag behind.
    storage.watch(P, start, new WatchListener() {
      @Override
      public void onEvent(WatchEvent event) {
        blocked.countDown();
        try {
          release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public void onError(StorageException error) {}
    });
    Recorder watch = new Recorder();
    storage.watch(P, start, watch);
    await(storage.create(P + "a", bytes("v1")));
    assertTrue(blocked.await(20, TimeUnit.SECONDS));
    long updated = await(storage.guaranteedUpdate(P + "a", false, c -> done(bytes("v2")))).modRevision();
    await(storage.compact(updated));
    release.countDown();
    WatchEvent modified = watch.awaitEvents(2).get(1);
    assertEquals(WatchEvent.Type.MODIFIED, modified.type());
    assertEquals("v1", string(modified.previous().value()));
  }

  // ---- helpers ----

  /** Creates, updates and deletes keys; returns the revision in the middle of it. */
  private long writeMixedHistory(int n) throws Exception {
    long middle = 0;
    for (int i = 0; i < n; i++) {
      String key = P + "k" + (i % 17);
      try {
        await(storage.create(key, bytes("c" + i + "-" + "x".repeat(100))));
      } catch (StorageException e) {
        await(storage.guaranteedUpdate(key, false, c -> done(bytes(string(c.value()) + "u"))));
      }
      if (i % 5 == 4) {
        await(storage.delete(P + "k" + ((i + 3) % 17), c -> {})
            .exceptionally(t -> null));
      }
      if (i == n / 2) {
        middle = storage.currentRevision();
      }
    }
    // Exactly three writes per key in the tail so callers can count: create, update, delete.
    for (int i = 0; i < 5; i++) {
      String key = P + "tail-" + storage.currentRevision() + "-" + i;
      await(storage.create(key, bytes("t")));
      await(storage.guaranteedUpdate(key, false, c -> done(bytes("tt"))));
      await(storage.delete(key, c -> {}));
    }
    return middle;
  }

  private Map<String, String> list(long revision) throws Exception {
    return values(await(storage.list(P, new ListOptions(revision, 0, null))).items());
  }

  /** The events after {@code from}, described by value (a StoredObject's byte[] compares by identity). */
  private List<String> replay(long from) throws Exception {
    Recorder watch = new Recorder();
    Storage.Watch w = storage.watch(P, from, watch);
    w.requestProgress();
    watch.awaitProgress(storage.currentRevision());
    w.close();
    return watch.events().stream().map(e -> e.type() + " " + describe(e.object()) + " <- " + describe(e.previous()))
        .toList();
  }

  private static String describe(StoredObject o) {
    return o == null ? "null" : o.key() + "=" + string(o.value()) + "@" + o.createRevision() + "/" + o.modRevision();
  }

  private Path lastSegment() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("wal-")).sorted()
          .reduce((a, b) -> b).orElseThrow();
    }
  }

  private List<String> files() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void appendTo(Path file, ByteBuffer bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ch.write(bytes);
    }
  }

  private static void flipByteOf(Path file, String marker) throws IOException {
    byte[] content = Files.readAllBytes(file);
    byte[] m = marker.getBytes(StandardCharsets.UTF_8);
    int at = indexOf(content, m);
    assertTrue(at >= 0, marker + " not in " + file);
    content[at + 3] ^= 0x40;
    Files.write(file, content);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static boolean segmentIsClean(Path segment) throws IOException {
    try (InputStream in = Files.newInputStream(segment)) {
      WalRecord.Reader reader = new WalRecord.Reader(in, Files.size(segment), 0);
      while (reader.next() != null) {
        // read all
      }
      return reader.clean();
    }
  }
}

package dev.hostplane.apiserver.storage.cache;

import static dev.hostplane.apiserver.storage.StorageContractTest.await;
import static dev.hostplane.apiserver.storage.StorageContractTest.bytes;
import static dev.hostplane.apiserver.storage.StorageContractTest.done;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.ListResult;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageContractTest.Recorder;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import dev.hostplane.apiserver.storage.WatchEvent;
import dev.hostplane.apiserver.storage.WatchListener;
import dev.hostplane.apiserver.storage.embedded.EmbeddedStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the watch cache serves itself, what it leaves to the backend, and its window. */
class WatchCacheTest {
  private static final String ROOT = "/registry/configmaps/";

  @TempDir
  Path dir;

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private EmbeddedStorage embedded;
  private Counting backend;
  private final List<WatchCache> caches = new ArrayList<>();

  @BeforeEach
  void open() throws Exception {
    embedded = EmbeddedStorage.open(dir, EmbeddedStorage.Options.DEFAULT);
    backend = new Counting(embedded);
  }

  @AfterEach
  void close() {
    caches.forEach(WatchCache::close);
    embedded.close();
    timer.shutdownNow();
  }

  private WatchCache cache(int capacity) throws InterruptedException {
    WatchCache c = new WatchCache(backend, false, WatchCache.Options.DEFAULT.withCapacity(capacity), timer,
        Runnable::run);
    caches.add(c);
    c.cache(ROOT);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!c.isReady()) {
      assertTrue(System.nanoTime() < deadline, "cache ready");
      Thread.sleep(5);
    }
    return c;
  }

  private static String key(String ns, String name) {
    return ROOT + ns + "/" + name;
  }

  @Test
  void manyWatchersShareOneBackendWatch() throws Exception {
    WatchCache c = cache(100);
    int before = backend.watches.get();
    List<Recorder> recorders = new ArrayList<>();
    List<Storage.Watch> watches = new ArrayList<>();
    long from = c.currentRevision();
    for (int i = 0; i < 50; i++) {
      Recorder r = new Recorder();
      recorders.add(r);
      watches.add(c.watch(i % 2 == 0 ? ROOT : ROOT + "a/", from, r));
    }
    assertEquals(before, backend.watches.get(), "no backend watch per client watch");
    assertEquals(50, c.watcherCount(ROOT));
    await(c.create(key("a", "x"), bytes("1")));
    await(c.create(key("b", "y"), bytes("1")));
    long last = await(c.guaranteedUpdate(key("a", "x"), false, cur -> done(bytes("2")))).modRevision();
    for (int i = 0; i < 50; i++) {
      Recorder r = recorders.get(i);
      watches.get(i).requestProgress();
      r.awaitProgress(last);
      List<String> seen = r.events().stream().map(e -> e.type() + " " + e.object().key()).toList();
      List<String> want = i % 2 == 0
          ? List.of("ADDED " + key("a", "x"), "ADDED " + key("b", "y"), "MODIFIED " + key("a", "x"))
          : List.of("ADDED " + key("a", "x"), "MODIFIED " + key("a", "x"));
      assertEquals(want, seen, "watcher " + i);
    }
    WatchCache.Stats stats = c.stats(ROOT);
    assertEquals(50, stats.watchers());
    assertEquals(2, stats.objects());
    assertEquals(3, stats.eventsDispatched());
    assertEquals(1, stats.initializations());
    watches.forEach(Storage.Watch::close);
    assertEquals(0, c.watcherCount(ROOT));
  }

  @Test
  void aRevisionThatLeftTheWindowIsGone() throws Exception {
    WatchCache c = cache(5);
    long start = await(c.create(key("a", "0"), bytes("x"))).modRevision();
    for (int i = 1; i <= 10; i++) {
      await(c.create(key("a", Integer.toString(i)), bytes("x")));
    }
    waitFor(c, embedded.currentRevision());
    Recorder old = new Recorder();
    c.watch(ROOT, start, old);
    StorageException e = old.awaitError();
    assertEquals(StorageException.Code.COMPACTED, e.code());
    assertTrue(e.revision() > start, "reports where the window starts: " + e.revision());

    // Inside the window: served, in order, no gap.
    Recorder recent = new Recorder();
    long from = e.revision();
    c.watch(ROOT, from, recent);
    List<WatchEvent> events = recent.awaitEvents((int) (embedded.currentRevision() - from));
    for (int i = 0; i < events.size(); i++) {
      assertEquals(from + 1 + i, events.get(i).revision());
    }
  }

  @Test
  void aNewCacheServesWatchesFromBeforeItStarted() throws Exception {
    // History written before this process (cache) started: a client resuming from it needs no relist.
    long resumeFrom = await(embedded.create(key("a", "first"), bytes("1"))).modRevision();
    await(embedded.create(key("a", "second"), bytes("1")));
    await(embedded.delete(key("a", "first"), cur -> {}));
    WatchCache c = cache(100);
    await(c.create(key("a", "third"), bytes("1")));
    Recorder r = new Recorder();
    c.watch(ROOT, resumeFrom, r);
    List<String> seen = r.awaitEvents(3).stream().map(e -> e.type() + " " + e.object().key()).toList();
    assertEquals(List.of("ADDED " + key("a", "second"), "DELETED " + key("a", "first"),
        "ADDED " + key("a", "third")), seen);
    assertNull(r.error());
  }

  @Test
  void readsAcceptingAnyStateComeFromTheCacheAndConsistentListsSeeEveryAcknowledgedWrite() throws Exception {
    WatchCache c = cache(100);
    for (int i = 0; i < 20; i++) {
      await(c.create(key("a", String.format("%02d", i)), bytes("v" + i)));
    }
    int backendLists = backend.lists.get();
    ListResult any = await(c.listNotOlderThan(ROOT, 0, 0));
    ListResult consistent = await(c.list(ROOT, ListOptions.DEFAULT));
    assertEquals(20, consistent.items().size(), "a consistent list reflects every acknowledged write");
    assertTrue(any.items().size() <= 20);
    StoredObject got = await(c.getNotOlderThan(key("a", "07"), embedded.currentRevision()));
    assertEquals("v7", new String(got.value()));
    assertEquals(backendLists, backend.lists.get(), "served without listing the backend");

    // Paging: continued at the cache's revision, then at a revision the cache left (the backend answers).
    ListResult first = await(c.list(ROOT, new ListOptions(0, 8, null)));
    assertEquals(8, first.items().size());
    assertTrue(first.more());
    assertEquals(12, first.remaining());
    String next = first.items().get(7).key() + "\u0000";
    ListResult second = await(c.list(ROOT, new ListOptions(first.revision(), 8, next)));
    assertEquals(key("a", "08"), second.items().get(0).key());
    assertEquals(backendLists, backend.lists.get());
    await(c.create(key("a", "99"), bytes("late")));
    waitFor(c, embedded.currentRevision());
    ListResult third = await(c.list(ROOT, new ListOptions(first.revision(), 100, second.items().get(7).key()
        + "\u0000")));
    assertEquals(4, third.items().size(), "the page at the old revision does not show the later write");
    assertEquals(backendLists + 1, backend.lists.get(), "an old revision is read from the backend");
  }

  @Test
  void theBackendAnswersWhileTheCacheIsNotReady() throws Exception {
    await(embedded.create(key("a", "x"), bytes("1")));
    WatchCache c = new WatchCache(backend, false, WatchCache.Options.DEFAULT, timer, Runnable::run);
    caches.add(c);
    // Nothing registered for this root yet: every read and watch goes to the backend.
    int lists = backend.lists.get();
    assertEquals(1, await(c.list(ROOT, ListOptions.DEFAULT)).items().size());
    assertEquals(lists + 1, backend.lists.get());
    int watches = backend.watches.get();
    c.watch(ROOT, 0, new Recorder()).close();
    assertEquals(watches + 1, backend.watches.get());
  }

  private static void waitFor(WatchCache c, long revision) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (await(c.listNotOlderThan(ROOT, 0, 1)).revision() < revision) {
      assertTrue(System.nanoTime() < deadline, "cache reaches revision " + revision);
      Thread.sleep(5);
    }
  }

  /** Counts the backend's list and watch calls; everything else passes through. */
  private static final class Counting implements Storage {
    final Storage inner;
    final AtomicInteger lists = new AtomicInteger();
    final AtomicInteger watches = new AtomicInteger();

    Counting(Storage inner) {
      this.inner = inner;
    }

    @Override
    public CompletionStage<StoredObject> create(String key, byte[] value) {
      return inner.create(key, value);
    }

    @Override
    public CompletionStage<StoredObject> get(String key) {
      return inner.get(key);
    }

    @Override
    public CompletionStage<ListResult> list(String prefix, ListOptions options) {
      lists.incrementAndGet();
      return inner.list(prefix, options);
    }

    @Override
    public CompletionStage<StoredObject> guaranteedUpdate(String key, boolean createIfAbsent, Mutation mutation) {
      return inner.guaranteedUpdate(key, createIfAbsent, mutation);
    }

    @Override
    public CompletionStage<StoredObject> delete(String key, Precondition check) {
      return inner.delete(key, check);
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
      watches.incrementAndGet();
      return inner.watch(prefix, fromRevision, listener);
    }

    @Override
    public long currentRevision() {
      return inner.currentRevision();
    }

    @Override
    public long compactedRevision() {
      return inner.compactedRevision();
    }

    @Override
    public CompletionStage<Void> compact(long revision) {
      return inner.compact(revision);
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}

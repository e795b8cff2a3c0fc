package dev.hostplane.apiserver.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Storage} contract, for every backend: a backend is done when its subclass passes all of this. Tests
 * use only the SPI, and only keys under a prefix unique to each test, so a backend may share one server between
 * tests. Revisions are compared, never assumed to have particular values.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class StorageContractTest {
  /** How long any single wait in these tests may take. */
  protected static final long WAIT_SECONDS = 20;

  /** The store under test, opened before each test and closed after it. */
  protected Storage storage;
  /** A prefix (ending with '/') no other test uses. */
  protected String prefix;

  /** Opens a fresh store (or a fresh view on a shared one). */
  protected abstract Storage newStorage() throws Exception;

  /**
   * Closes {@code storage} and opens the same data again, as a process restart would; null when the backend
   * cannot, which skips the durability checks.
   */
  protected Storage restart(Storage storage) throws Exception {
    return null;
  }

  @BeforeEach
  void openStorage() throws Exception {
    storage = newStorage();
    prefix = "/registry/contract-" + UUID.randomUUID() + "/";
  }

  @AfterEach
  void closeStorage() {
    if (storage != null) {
      storage.close();
    }
  }

  // ---- create, get ----

  @Test
  void createReturnsTheObjectAtANewRevisionAndGetReadsIt() throws Exception {
    long before = storage.currentRevision();
    assertTrue(before > 0, "a revision is never 0 (0 means latest), got " + before);
    StoredObject created = await(storage.create(key("a"), bytes("v1")));
    assertEquals(key("a"), created.key());
    assertArrayEquals(bytes("v1"), created.value());
    assertEquals(created.createRevision(), created.modRevision());
    assertTrue(created.modRevision() > before);
    assertTrue(storage.currentRevision() >= created.modRevision());

    StoredObject got = await(storage.get(key("a")));
    assertEquals(created.key(), got.key());
    assertArrayEquals(created.value(), got.value());
    assertEquals(created.createRevision(), got.createRevision());
    assertEquals(created.modRevision(), got.modRevision());
  }

  @Test
  void createOfAnExistingKeyFailsWithKeyExistsAndKeepsTheValue() throws Exception {
    StoredObject created = await(storage.create(key("a"), bytes("v1")));
    assertFails(StorageException.Code.KEY_EXISTS, storage.create(key("a"), bytes("v2")));
    StoredObject got = await(storage.get(key("a")));
    assertArrayEquals(bytes("v1"), got.value());
    assertEquals(created.modRevision(), got.modRevision());
  }

  @Test
  void concurrentCreatesOfOneKeyLetExactlyOneWin() throws Exception {
    int n = 16;
    List<CompletionStage<StoredObject>> attempts = runConcurrently(n, i -> storage.create(key("race"), bytes("" + i)));
    int won = 0;
    for (CompletionStage<StoredObject> attempt : attempts) {
      try {
        await(attempt);
        won++;
      } catch (StorageException e) {
        assertEquals(StorageException.Code.KEY_EXISTS, e.code());
      }
    }
    assertEquals(1, won);
  }

  @Test
  void getOfAMissingOrDeletedKeyFailsWithKeyNotFound() throws Exception {
    assertFails(StorageException.Code.KEY_NOT_FOUND, storage.get(key("missing")));
    await(storage.create(key("a"), bytes("v1")));
    await(storage.delete(key("a"), current -> {}));
    assertFails(StorageException.Code.KEY_NOT_FOUND, storage.get(key("a")));
  }

  @Test
  void everyWriteGetsAGreaterRevision() throws Exception {
    long last = storage.currentRevision();
    for (int i = 0; i < 5; i++) {
      long created = await(storage.create(key("k" + i), bytes("v"))).modRevision();
      long updated = await(storage.guaranteedUpdate(key("k" + i), false, c -> done(bytes("w")))).modRevision();
      long deleted = await(storage.delete(key("k" + i), c -> {})).modRevision();
      assertTrue(last < created && created < updated && updated < deleted, last + " " + created + " " + updated
          + " " + deleted);
      last = deleted;
    }
    assertTrue(storage.currentRevision() >= last);
  }

  // ---- list ----

  @Test
  void listReturnsExactlyTheKeysUnderThePrefixInKeyOrder() throws Exception {
    String bare = prefix.substring(0, prefix.length() - 1);
    List<String> inside = List.of(key("a"), key("b"), key("b/nested"), key("c"));
    List<String> outside = List.of(bare, bare + "x/a", bare + "x", bare + ".a/b");
    List<String> all = new ArrayList<>(inside);
    all.addAll(outside);
    Collections.shuffle(all);
    for (String k : all) {
      await(storage.create(k, bytes(k)));
    }
    ListResult result = await(storage.list(prefix, ListOptions.DEFAULT));
    assertEquals(inside, keys(result.items()));
    for (StoredObject o : result.items()) {
      assertArrayEquals(bytes(o.key()), o.value());
    }
    assertFalse(result.more());
    assertEquals(0, result.remaining());
    assertTrue(result.revision() >= storage.compactedRevision() && result.revision() <= storage.currentRevision());
    assertTrue(result.revision() > 0);
  }

  @Test
  void pagesReadAtTheFirstPagesRevisionWhileWritesGoOn() throws Exception {
    Map<String, String> original = new TreeMap<>();
    for (int i = 0; i < 25; i++) {
      original.put(key(String.format("k%02d", i)), "v" + i);
    }
    for (Map.Entry<String, String> e : original.entrySet()) {
      await(storage.create(e.getKey(), bytes(e.getValue())));
    }
    ListResult first = await(storage.list(prefix, new ListOptions(0, 10, null)));
    assertEquals(10, first.items().size());
    assertTrue(first.more());
    assertEquals(15, first.remaining());
    long revision = first.revision();

    // Writes between pages, in the range of later pages, must not show in them.
    await(storage.guaranteedUpdate(key("k12"), false, c -> done(bytes("changed"))));
    await(storage.delete(key("k15"), c -> {}));
    await(storage.create(key("k12a"), bytes("new")));
    await(storage.create(key("k30"), bytes("new")));
    await(storage.delete(key("k02"), c -> {}));

    ListResult second = await(storage.list(prefix, new ListOptions(revision, 10, next(first))));
    assertEquals(revision, second.revision());
    assertEquals(10, second.items().size());
    assertTrue(second.more());
    assertEquals(5, second.remaining());
    ListResult third = await(storage.list(prefix, new ListOptions(revision, 10, next(second))));
    assertEquals(5, third.items().size());
    assertFalse(third.more());
    assertEquals(0, third.remaining());

    Map<String, String> seen = new TreeMap<>();
    for (ListResult page : List.of(first, second, third)) {
      for (StoredObject o : page.items()) {
        assertNull(seen.put(o.key(), string(o.value())), "duplicate " + o.key());
      }
    }
    assertEquals(original, seen);

    ListResult latest = await(storage.list(prefix, ListOptions.DEFAULT));
    assertEquals(25, latest.items().size()); // 25 - k15 - k02 + k12a + k30
    assertTrue(latest.revision() > revision);
  }

  @Test
  void remainingCountsTheLiveKeysAfterThePage() throws Exception {
    for (String k : List.of("a", "b", "c", "d")) {
      await(storage.create(key(k), bytes(k)));
    }
    await(storage.delete(key("c"), x -> {}));
    ListResult two = await(storage.list(prefix, new ListOptions(0, 2, null)));
    assertEquals(List.of(key("a"), key("b")), keys(two.items()));
    assertTrue(two.more());
    assertEquals(1, two.remaining());
    for (long limit : new long[] {3, 4, 100}) {
      ListResult all = await(storage.list(prefix, new ListOptions(0, limit, null)));
      assertEquals(List.of(key("a"), key("b"), key("d")), keys(all.items()), "limit " + limit);
      assertFalse(all.more());
      assertEquals(0, all.remaining());
    }
    ListResult fromB = await(storage.list(prefix, new ListOptions(0, 1, key("b"))));
    assertEquals(List.of(key("b")), keys(fromB.items()));
    assertEquals(1, fromB.remaining());
  }

  @Test
  void listAtAnOlderRevisionReturnsThatRevisionsState() throws Exception {
    await(storage.create(key("a"), bytes("a1")));
    long old = await(storage.create(key("b"), bytes("b1"))).modRevision();
    await(storage.guaranteedUpdate(key("a"), false, c -> done(bytes("a2"))));
    await(storage.delete(key("b"), c -> {}));
    await(storage.create(key("c"), bytes("c1")));
    await(storage.create(key("b"), bytes("b2")));

    ListResult then = await(storage.list(prefix, new ListOptions(old, 0, null)));
    assertEquals(old, then.revision());
    assertEquals(Map.of(key("a"), "a1", key("b"), "b1"), values(then.items()));
    ListResult now = await(storage.list(prefix, ListOptions.DEFAULT));
    assertEquals(Map.of(key("a"), "a2", key("b"), "b2", key("c"), "c1"), values(now.items()));
    StoredObject b = now.items().get(1);
    assertEquals(b.createRevision(), b.modRevision(), "a re-created key starts a new life");
  }

  @Test
  void listAtAFutureRevisionFailsWithFutureRevision() throws Exception {
    await(storage.create(key("a"), bytes("a1")));
    long current = storage.currentRevision();
    StorageException e = assertFails(StorageException.Code.FUTURE_REVISION,
        storage.list(prefix, new ListOptions(current + 1000, 0, null)));
    assertTrue(e.revision() >= current);
  }

  // ---- guaranteedUpdate ----

  @Test
  void guaranteedUpdateUnderContentionLosesNoIncrement() throws Exception {
    await(storage.create(key("counter"), bytes("0")));
    int threads = 8;
    int perThread = 25;
    Set<Integer> results = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < perThread; i++) {
            StoredObject o = await(storage.guaranteedUpdate(key("counter"), false,
                c -> done(bytes(Integer.toString(Integer.parseInt(string(c.value())) + 1)))));
            assertTrue(results.add(Integer.parseInt(string(o.value()))), "two updates returned the same count");
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> w : workers) {
        w.get(WAIT_SECONDS * 2, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(Integer.toString(threads * perThread), string(await(storage.get(key("counter"))).value()));
    assertEquals(threads * perThread, results.size());
  }

  @Test
  void guaranteedUpdateReturningEqualBytesWritesNothing() throws Exception {
    StoredObject created = await(storage.create(key("a"), bytes("same")));
    long revision = storage.currentRevision();
    Recorder watch = new Recorder();
    storage.watch(prefix, revision, watch);
    StoredObject result = await(storage.guaranteedUpdate(key("a"), false, c -> done(bytes("same"))));
    assertEquals(created.modRevision(), result.modRevision());
    assertArrayEquals(bytes("same"), result.value());
    assertEquals(revision, storage.currentRevision());
    await(storage.create(key("marker"), bytes("m")));
    List<WatchEvent> events = watch.awaitEvents(1);
    assertEquals(key("marker"), events.get(0).object().key(), "the no-op update produced an event");
  }

  @Test
  void guaranteedUpdateOfAMissingKey() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    assertFails(StorageException.Code.KEY_NOT_FOUND, storage.guaranteedUpdate(key("a"), false, c -> {
      calls.incrementAndGet();
      return done(bytes("x"));
    }));
    assertEquals(0, calls.get(), "mutation called for a missing key without createIfAbsent");

    List<StoredObject> seen = new CopyOnWriteArrayList<>();
    StoredObject created = await(storage.guaranteedUpdate(key("a"), true, c -> {
      seen.add(c == null ? new StoredObject("null", new byte[0], 0, 0) : c);
      return done(bytes("created"));
    }));
    assertEquals("null", seen.get(0).key(), "the mutation must see null for an absent key");
    assertEquals(created.createRevision(), created.modRevision());
    assertArrayEquals(bytes("created"), await(storage.get(key("a"))).value());

    StoredObject updated = await(storage.guaranteedUpdate(key("a"), true, c -> done(bytes(string(c.value()) + "+"))));
    assertEquals(created.createRevision(), updated.createRevision());
    assertArrayEquals(bytes("created+"), updated.value());
  }

  @Test
  void guaranteedUpdateWaitsForAMutationCompletingOnAnotherThread() throws Exception {
    await(storage.create(key("a"), bytes("v1")));
    CompletableFuture<byte[]> later = new CompletableFuture<>();
    CompletionStage<StoredObject> update = storage.guaranteedUpdate(key("a"), false, c -> later);
    assertFalse(update.toCompletableFuture().isDone());
    Thread completer = new Thread(() -> later.complete(bytes("v2")));
    completer.start();
    assertArrayEquals(bytes("v2"), await(update).value());
    completer.join();
  }

  @Test
  void guaranteedUpdateFailsWithTheMutationsOwnException() throws Exception {
    await(storage.create(key("a"), bytes("v1")));
    IllegalStateException thrown = new IllegalStateException("refused");
    assertSame(thrown, failure(storage.guaranteedUpdate(key("a"), false, c -> {
      throw thrown;
    })));
    IllegalArgumentException failed = new IllegalArgumentException("invalid");
    assertSame(failed, failure(storage.guaranteedUpdate(key("a"), false, c -> CompletableFuture.failedFuture(failed))));
    assertSame(failed, failure(storage.guaranteedUpdate(key("a"), false,
        c -> CompletableFuture.completedFuture(1).thenApply(x -> {
          throw failed;
        }))));
    assertArrayEquals(bytes("v1"), await(storage.get(key("a"))).value());
  }

  @Test
  void guaranteedUpdateRetriesWithTheNewValueWhenTheKeyChangesUnderIt() throws Exception {
    await(storage.create(key("a"), bytes("v1")));
    List<String> seen = new CopyOnWriteArrayList<>();
    StoredObject result = await(storage.guaranteedUpdate(key("a"), false, c -> {
      seen.add(string(c.value()));
      if (seen.size() == 1) {
        // Somebody else writes the key while this mutation is still "thinking".
        return storage.guaranteedUpdate(key("a"), false, x -> done(bytes("other")))
            .thenApply(other -> bytes(string(c.value()) + "-mine"));
      }
      return done(bytes(string(c.value()) + "-mine"));
    }));
    assertEquals(List.of("v1", "other"), seen);
    assertArrayEquals(bytes("other-mine"), result.value());
    assertArrayEquals(bytes("other-mine"), await(storage.get(key("a"))).value());
  }

  // ---- delete ----

  @Test
  void deleteRefusedByItsPreconditionKeepsTheKey() throws Exception {
    StoredObject created = await(storage.create(key("a"), bytes("v1")));
    IllegalStateException refusal = new IllegalStateException("uid mismatch");
    assertSame(refusal, failure(storage.delete(key("a"), c -> {
      throw refusal;
    })));
    StoredObject got = await(storage.get(key("a")));
    assertEquals(created.modRevision(), got.modRevision());
  }

  @Test
  void deleteReturnsTheLastValueAtTheDeletionsRevision() throws Exception {
    StoredObject created = await(storage.create(key("a"), bytes("v1")));
    StoredObject updated = await(storage.guaranteedUpdate(key("a"), false, c -> done(bytes("v2"))));
    List<StoredObject> checked = new CopyOnWriteArrayList<>();
    StoredObject deleted = await(storage.delete(key("a"), checked::add));
    assertEquals(1, checked.size());
    assertEquals(updated.modRevision(), checked.get(0).modRevision());
    assertArrayEquals(bytes("v2"), deleted.value());
    assertEquals(created.createRevision(), deleted.createRevision());
    assertTrue(deleted.modRevision() > updated.modRevision());
    assertTrue(storage.currentRevision() >= deleted.modRevision());
    assertFails(StorageException.Code.KEY_NOT_FOUND, storage.get(key("a")));
    assertFails(StorageException.Code.KEY_NOT_FOUND, storage.delete(key("a"), c -> fail("checked a missing key")));
  }

  @Test
  void deleteChecksAgainWhenTheKeyChangesUnderIt() throws Exception {
    await(storage.create(key("a"), bytes("v1")));
    List<String> checked = new CopyOnWriteArrayList<>();
    StoredObject deleted = await(storage.delete(key("a"), c -> {
      checked.add(string(c.value()));
      if (checked.size() == 1) {
        try {
          // Blocks this (calling) thread only; the backend must run a first check on the caller's thread or on
          // one it does not need for completing writes.
          await(storage.guaranteedUpdate(key("a"), false, x -> done(bytes("v2"))));
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }
    }));
    assertEquals(List.of("v1", "v2"), checked);
    assertArrayEquals(bytes("v2"), deleted.value());
    assertFails(StorageException.Code.KEY_NOT_FOUND, storage.get(key("a")));
  }

  // ---- watch ----

  @Test
  void watchDeliversEveryChangeInOrderUnderConcurrentWrites() throws Exception {
    Recorder watch = new Recorder();
    storage.watch(prefix, storage.currentRevision(), watch);
    int writers = 6;
    int rounds = 15;
    Map<Long, WatchEvent.Type> written = new ConcurrentHashMap<>();
    List<CompletionStage<Void>> done = runConcurrently(writers, w -> CompletableFuture.runAsync(() -> {
      try {
        for (int r = 0; r < rounds; r++) {
          String k = key("w" + w + "-" + r);
          written.put(await(storage.create(k, bytes("1"))).modRevision(), WatchEvent.Type.ADDED);
          written.put(await(storage.guaranteedUpdate(k, false, c -> done(bytes("2")))).modRevision(),
              WatchEvent.Type.MODIFIED);
          if (r % 2 == 0) {
            written.put(await(storage.delete(k, c -> {})).modRevision(), WatchEvent.Type.DELETED);
          }
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }));
    for (CompletionStage<Void> d : done) {
      await(d);
    }
    List<WatchEvent> events = watch.awaitEvents(written.size());
    assertEquals(written.size(), events.size());
    long last = 0;
    Map<String, String> state = new TreeMap<>();
    for (WatchEvent e : events) {
      assertTrue(e.revision() > last, "out of order: " + e.revision() + " after " + last);
      last = e.revision();
      assertEquals(written.get(e.revision()), e.type(), "event at " + e.revision());
      if (e.type() == WatchEvent.Type.DELETED) {
        state.remove(e.object().key());
      } else {
        state.put(e.object().key(), string(e.object().value()));
      }
    }
    assertEquals(state, values(await(storage.list(prefix, ListOptions.DEFAULT)).items()));
  }

  @Test
  void watchFromAnOldRevisionReplaysHistoryThenGoesLive() throws Exception {
    long from = await(storage.create(key("a"), bytes("a1"))).modRevision();
    long r2 = await(storage.guaranteedUpdate(key("a"), false, c -> done(bytes("a2")))).modRevision();
    long r3 = await(storage.create(key("b"), bytes("b1"))).modRevision();
    long r4 = await(storage.delete(key("b"), c -> {})).modRevision();
    long r5 = await(storage.create(key("c"), bytes("c1"))).modRevision();
    Recorder watch = new Recorder();
    Storage.Watch w = storage.watch(prefix, from, watch);
    List<WatchEvent> replayed = watch.awaitEvents(4);
    long r6 = await(storage.create(key("d"), bytes("d1"))).modRevision();
    watch.awaitEvents(5);
    w.requestProgress();
    assertTrue(watch.awaitProgress(r6) >= r6);
    List<WatchEvent> events = watch.events();
    assertEquals(5, events.size(), "duplicates or extra events: " + events);
    assertEquals(replayed, events.subList(0, 4));

    assertEvent(events.get(0), WatchEvent.Type.MODIFIED, key("a"), "a2", r2, "a1");
    assertEvent(events.get(1), WatchEvent.Type.ADDED, key("b"), "b1", r3, null);
    assertEvent(events.get(2), WatchEvent.Type.DELETED, key("b"), "b1", r4, "b1");
    assertEvent(events.get(3), WatchEvent.Type.ADDED, key("c"), "c1", r5, null);
    assertEvent(events.get(4), WatchEvent.Type.ADDED, key("d"), "d1", r6, null);
    assertEquals(r3, events.get(2).object().createRevision());
  }

  @Test
  void watchFromAnOldRevisionDuringWritesHasNoGapAndNoDuplicate() throws Exception {
    int total = 200;
    List<Long> revisions = new CopyOnWriteArrayList<>();
    CountDownLatch halfway = new CountDownLatch(1);
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      try {
        for (int i = 0; i < total; i++) {
          revisions.add(await(storage.create(key(String.format("k%04d", i)), bytes("v" + i))).modRevision());
          if (i == total / 2) {
            halfway.countDown();
          }
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    assertTrue(halfway.await(WAIT_SECONDS, TimeUnit.SECONDS));
    long from = revisions.get(total / 4);
    Recorder watch = new Recorder();
    storage.watch(prefix, from, watch);
    await(writer);
    List<Long> expected = revisions.stream().filter(r -> r > from).toList();
    List<WatchEvent> events = watch.awaitEvents(expected.size());
    assertEquals(expected, events.stream().map(WatchEvent::revision).toList());
  }

  @Test
  void watchFromZeroStartsAtTheCurrentRevision() throws Exception {
    await(storage.create(key("before"), bytes("x")));
    Recorder watch = new Recorder();
    Storage.Watch w = storage.watch(prefix, 0, watch);
    long after = await(storage.create(key("after"), bytes("y"))).modRevision();
    w.requestProgress();
    watch.awaitProgress(after);
    assertEquals(List.of(key("after")), watch.events().stream().map(e -> e.object().key()).toList());
  }

  @Test
  void watchOfASingleKeySeesOnlyThatKey() throws Exception {
    long from = storage.currentRevision();
    String single = key("a");
    Recorder live = new Recorder();
    Storage.Watch w = storage.watch(single, from, live);
    await(storage.create(single, bytes("1")));
    await(storage.create(key("ab"), bytes("x")));
    await(storage.create(single + "/child", bytes("x")));
    await(storage.create(key("b"), bytes("x")));
    await(storage.guaranteedUpdate(single, false, c -> done(bytes("2"))));
    long last = await(storage.delete(single, c -> {})).modRevision();
    w.requestProgress();
    live.awaitProgress(last);
    assertEquals(List.of(WatchEvent.Type.ADDED, WatchEvent.Type.MODIFIED, WatchEvent.Type.DELETED),
        live.events().stream().map(WatchEvent::type).toList());
    assertTrue(live.events().stream().allMatch(e -> e.object().key().equals(single)));

    Recorder replay = new Recorder();
    Storage.Watch r = storage.watch(single, from, replay);
    assertEquals(3, replay.awaitEvents(3).size());
    r.requestProgress();
    replay.awaitProgress(last);
    assertEquals(describe(live.events()), describe(replay.events()));
  }

  @Test
  void watchBelowTheCompactedRevisionFailsWithCompacted() throws Exception {
    long first = await(storage.create(key("a"), bytes("1"))).modRevision();
    await(storage.guaranteedUpdate(key("a"), false, c -> done(bytes("2"))));
    long compactTo = await(storage.guaranteedUpdate(key("a"), false, c -> done(bytes("3")))).modRevision();
    await(storage.compact(compactTo));
    assertTrue(storage.compactedRevision() >= compactTo);

    Recorder old = new Recorder();
    storage.watch(prefix, first, old);
    StorageException error = old.awaitError();
    assertEquals(StorageException.Code.COMPACTED, error.code());
    assertTrue(error.revision() >= compactTo, "COMPACTED carries the compacted revision, got " + error.revision());
    assertEquals(List.of(), old.events());

    // The compacted revision itself is still a valid starting point (a list at it works too).
    Recorder atCompacted = new Recorder();
    storage.watch(prefix, compactTo, atCompacted);
    long next = await(storage.guaranteedUpdate(key("a"), false, c -> done(bytes("4")))).modRevision();
    WatchEvent event = atCompacted.awaitEvents(1).get(0);
    assertEquals(next, event.revision());
    assertArrayEquals(bytes("3"), event.previous().value());
    assertNull(atCompacted.error());
  }

  @Test
  void readsBelowTheCompactedRevisionFailAndTheLatestValuesSurvive() throws Exception {
    long old = await(storage.create(key("a"), bytes("a1"))).modRevision();
    await(storage.create(key("b"), bytes("b1")));
    await(storage.create(key("c"), bytes("c1")));
    await(storage.guaranteedUpdate(key("b"), false, c -> done(bytes("b2"))));
    long compactTo = await(storage.delete(key("c"), c -> {})).modRevision();
    await(storage.create(key("d"), bytes("d1")));
    await(storage.compact(compactTo));

    StorageException e = assertFails(StorageException.Code.COMPACTED,
        storage.list(prefix, new ListOptions(old, 0, null)));
    assertTrue(e.revision() >= compactTo);
    ListResult atCompacted = await(storage.list(prefix, new ListOptions(compactTo, 0, null)));
    assertEquals(Map.of(key("a"), "a1", key("b"), "b2"), values(atCompacted.items()));
    assertEquals(Map.of(key("a"), "a1", key("b"), "b2", key("d"), "d1"),
        values(await(storage.list(prefix, ListOptions.DEFAULT)).items()));
    assertEquals(old, await(storage.get(key("a"))).modRevision());
    assertFails(StorageException.Code.KEY_NOT_FOUND, storage.get(key("c")));

    // Compaction is idempotent and the store keeps working after it.
    await(storage.compact(compactTo));
    StoredObject b = await(storage.guaranteedUpdate(key("b"), false, c -> done(bytes("b3"))));
    assertArrayEquals(bytes("b3"), b.value());
  }

  @Test
  void progressFollowsEveryEventUpToItsRevision() throws Exception {
    long start = storage.currentRevision();
    Recorder watch = new Recorder();
    Storage.Watch w = storage.watch(prefix, start, watch);
    w.requestProgress();
    assertTrue(watch.awaitProgress(start) >= start, "an idle watch reports progress too");

    long last = 0;
    for (int i = 0; i < 3; i++) {
      last = await(storage.create(key("k" + i), bytes("v"))).modRevision();
    }
    w.requestProgress();
    long reported = watch.awaitProgress(last);
    assertTrue(reported >= last);
    assertEquals(3, watch.eventsAtProgress(reported), "progress reported before the events it covers");
  }

  @Test
  void aClosedWatchGetsNothingMore() throws Exception {
    Recorder closing = new Recorder();
    Recorder staying = new Recorder();
    Storage.Watch toClose = storage.watch(prefix, storage.currentRevision(), closing);
    Storage.Watch other = storage.watch(prefix, storage.currentRevision(), staying);
    await(storage.create(key("a"), bytes("1")));
    closing.awaitEvents(1);
    toClose.close();
    long last = await(storage.create(key("b"), bytes("1"))).modRevision();
    staying.awaitEvents(2);
    other.requestProgress();
    staying.awaitProgress(last);
    assertEquals(1, closing.events().size());
    assertNull(closing.error());
  }

  @Test
  void closeEndsWatchesAndFailsLaterCallsWithUnavailable() throws Exception {
    await(storage.create(key("a"), bytes("1")));
    Recorder watch = new Recorder();
    storage.watch(prefix, storage.currentRevision(), watch);
    storage.close();
    assertEquals(StorageException.Code.UNAVAILABLE, watch.awaitError().code());
    assertFails(StorageException.Code.UNAVAILABLE, storage.create(key("b"), bytes("1")));
    assertFails(StorageException.Code.UNAVAILABLE, storage.get(key("a")));
    assertFails(StorageException.Code.UNAVAILABLE, storage.list(prefix, ListOptions.DEFAULT));
    assertFails(StorageException.Code.UNAVAILABLE, storage.guaranteedUpdate(key("a"), false, c -> done(bytes("2"))));
    assertFails(StorageException.Code.UNAVAILABLE, storage.delete(key("a"), c -> {}));
    storage.close(); // twice is fine
  }

  // ---- durability ----

  @Test
  void everythingSurvivesARestart() throws Exception {
    await(storage.create(key("a"), bytes("a1")));
    long old = await(storage.create(key("b"), bytes("b1"))).modRevision();
    await(storage.guaranteedUpdate(key("a"), false, c -> done(bytes("a2"))));
    await(storage.create(key("c"), bytes("c1")));
    long compactTo = await(storage.delete(key("c"), c -> {})).modRevision();
    await(storage.compact(old));
    long current = storage.currentRevision();
    long compacted = storage.compactedRevision();
    Map<String, String> before = values(await(storage.list(prefix, ListOptions.DEFAULT)).items());

    Storage restarted = restart(storage);
    Assumptions.assumeTrue(restarted != null, "backend cannot restart");
    storage = restarted;
    assertEquals(current, storage.currentRevision());
    assertEquals(compacted, storage.compactedRevision());
    assertEquals(before, values(await(storage.list(prefix, ListOptions.DEFAULT)).items()));
    assertEquals(Map.of(key("a"), "a1", key("b"), "b1"),
        values(await(storage.list(prefix, new ListOptions(old, 0, null))).items()));
    Recorder watch = new Recorder();
    storage.watch(prefix, old, watch);
    List<WatchEvent> history = watch.awaitEvents(3);
    assertEquals(compactTo, history.get(2).revision());
    assertTrue(await(storage.create(key("d"), bytes("d1"))).modRevision() > current);
  }

  // ---- helpers ----

  protected String key(String name) {
    return prefix + name;
  }

  public static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  public static String string(byte[] b) {
    return new String(b, UTF_8);
  }

  public static CompletionStage<byte[]> done(byte[] value) {
    return CompletableFuture.completedFuture(value);
  }

  /** The stage's value, or its failure rethrown as is. */
  public static <T> T await(CompletionStage<T> stage) throws Exception {
    try {
      return stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + WAIT_SECONDS + " s", e);
    }
  }

  /** How the stage failed; fails the test if it succeeded. */
  public static Throwable failure(CompletionStage<?> stage) throws Exception {
    try {
      Object value = stage.toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  public static StorageException assertFails(StorageException.Code code, CompletionStage<?> stage)
      throws Exception {
    Throwable t = failure(stage);
    if (!(t instanceof StorageException e)) {
      throw new AssertionError("expected " + code + ", got " + t, t);
    }
    assertEquals(code, e.code(), e.getMessage());
    return e;
  }

  private static void assertEvent(WatchEvent e, WatchEvent.Type type, String key, String value, long revision,
      String previous) {
    assertEquals(type, e.type(), e.toString());
    assertEquals(key, e.object().key());
    assertEquals(value, string(e.object().value()));
    assertEquals(revision, e.revision());
    if (previous == null) {
      assertNull(e.previous(), "previous of " + e);
    } else {
      assertNotNull(e.previous(), "previous of " + e);
      assertEquals(previous, string(e.previous().value()));
    }
  }

  /**
   * Events by content (values as strings): two watches of one history must agree on it, while a backend may hand
   * each watch its own copies of the bytes.
   */
  protected static List<String> describe(List<WatchEvent> events) {
    return events.stream().map(e -> e.type() + " " + describe(e.object()) + " previous " + describe(e.previous()))
        .toList();
  }

  private static String describe(StoredObject o) {
    return o == null ? "none" : o.key() + "=" + string(o.value()) + "@" + o.createRevision() + "/" + o.modRevision();
  }

  private static String next(ListResult page) {
    return page.items().get(page.items().size() - 1).key() + "\0";
  }

  protected static List<String> keys(List<StoredObject> items) {
    return items.stream().map(StoredObject::key).toList();
  }

  public static Map<String, String> values(List<StoredObject> items) {
    Map<String, String> m = new TreeMap<>();
    for (StoredObject o : items) {
      m.put(o.key(), string(o.value()));
    }
    return m;
  }

  /** Starts {@code n} calls at once from {@code n} threads; returns their stages in order. */
  protected static <T> List<CompletionStage<T>> runConcurrently(int n, java.util.function.IntFunction<
      CompletionStage<T>> call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<CompletionStage<T>>> started = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        started.add(pool.submit(() -> {
          go.await();
          return call.apply(index);
        }));
      }
      go.countDown();
      List<CompletionStage<T>> stages = new ArrayList<>();
      for (Future<CompletionStage<T>> f : started) {
        stages.add(f.get(WAIT_SECONDS, TimeUnit.SECONDS));
      }
      return stages;
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Records a watch's calls and checks the listener contract as it goes: one call at a time, nothing after
   * onError. Waits use a monitor, never sleeps.
   */
  public static final class Recorder implements WatchListener {
    private final AtomicInteger inCall = new AtomicInteger();
    private final List<WatchEvent> events = new ArrayList<>();
    private final Map<Long, Integer> eventsAtProgress = new HashMap<>();
    private final List<Long> progress = new ArrayList<>();
    private StorageException error;
    private String violation;

    @Override
    public void onEvent(WatchEvent event) {
      enter();
      synchronized (this) {
        if (error != null) {
          violation = "event after onError: " + event;
        }
        events.add(event);
        notifyAll();
      }
      inCall.decrementAndGet();
    }

    @Override
    public void onProgress(long revision) {
      enter();
      synchronized (this) {
        if (error != null) {
          violation = "progress after onError";
        }
        progress.add(revision);
        eventsAtProgress.put(revision, events.size());
        notifyAll();
      }
      inCall.decrementAndGet();
    }

    @Override
    public void onError(StorageException e) {
      enter();
      synchronized (this) {
        if (error != null) {
          violation = "second onError: " + e;
        }
        error = e;
        notifyAll();
      }
      inCall.decrementAndGet();
    }

    private void enter() {
      if (inCall.incrementAndGet() != 1) {
        synchronized (this) {
          violation = "overlapping listener calls";
        }
      }
    }

    public synchronized List<WatchEvent> events() {
      checkContract();
      return List.copyOf(events);
    }

    public synchronized StorageException error() {
      return error;
    }

    /** Waits for at least {@code n} events (failing on an error or a timeout); returns all so far. */
    public List<WatchEvent> awaitEvents(int n) throws InterruptedException {
      await(() -> events.size() >= n, n + " events");
      return events();
    }

    /** Waits for a progress report at or above {@code revision}; returns it. */
    public long awaitProgress(long revision) throws InterruptedException {
      await(() -> progress.stream().anyMatch(p -> p >= revision), "progress to " + revision);
      synchronized (this) {
        return progress.stream().filter(p -> p >= revision).findFirst().orElseThrow();
      }
    }

    /** How many events had arrived when progress {@code revision} was reported. */
    public synchronized int eventsAtProgress(long revision) {
      return eventsAtProgress.get(revision);
    }

    public StorageException awaitError() throws InterruptedException {
      synchronized (this) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (error == null) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new AssertionError("no onError within " + WAIT_SECONDS + " s; events " + events);
          }
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        checkContract();
        return error;
      }
    }

    private synchronized void await(java.util.function.BooleanSupplier done, String what)
        throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (!done.getAsBoolean()) {
        if (error != null) {
          throw new AssertionError("watch failed while waiting for " + what, error);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no " + what + " within " + WAIT_SECONDS + " s; got " + events.size()
              + " events, progress " + progress);
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      checkContract();
    }

    private synchronized void checkContract() {
      if (violation != null) {
        throw new AssertionError("listener contract broken: " + violation);
      }
    }
  }
}

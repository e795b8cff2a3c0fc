package dev.hostplane.apiserver.storage;

import static dev.hostplane.apiserver.storage.StorageContractTest.await;
import static dev.hostplane.apiserver.storage.StorageContractTest.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.storage.embedded.EmbeddedStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The compactor against the embedded store, with a scheduler the test drives by hand. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CompactorTest {
  private static final Duration INTERVAL = Duration.ofMinutes(5);

  @TempDir
  Path dir;
  private EmbeddedStorage storage;
  private final ManualScheduler scheduler = new ManualScheduler();

  @BeforeEach
  void open() throws Exception {
    storage = EmbeddedStorage.open(dir, EmbeddedStorage.Options.DEFAULT);
  }

  @AfterEach
  void close() {
    storage.close();
  }

  @Test
  void eachTickCompactsToTheRevisionCurrentAtThePreviousTick() throws Exception {
    try (Compactor compactor = new Compactor(storage, INTERVAL, scheduler)) {
      compactor.start();
      long atTick1 = await(storage.create("/r/a", bytes("1"))).modRevision();
      scheduler.runNext(INTERVAL); // tick 1: remembers atTick1, compacts nothing
      assertEquals(0, storage.compactedRevision());

      long atTick2 = await(storage.create("/r/b", bytes("1"))).modRevision();
      scheduler.runNext(INTERVAL); // tick 2: compacts to atTick1
      assertEquals(atTick1, storage.compactedRevision());

      await(storage.create("/r/c", bytes("1")));
      scheduler.runNext(INTERVAL); // tick 3: compacts to atTick2, though the store has moved on since
      assertEquals(atTick2, storage.compactedRevision());
      assertTrue(storage.currentRevision() > atTick2);

      long idle = storage.currentRevision();
      scheduler.runNext(INTERVAL); // tick 4: compacts to what was current at tick 3
      assertEquals(idle, storage.compactedRevision());
      scheduler.runNext(INTERVAL); // tick 5: nothing new; stays, and keeps ticking
      assertEquals(idle, storage.compactedRevision());
      assertNotNull(scheduler.peek());
    }
  }

  @Test
  void closeCancelsTheNextTick() throws Exception {
    Compactor compactor = new Compactor(storage, INTERVAL, scheduler);
    compactor.start();
    await(storage.create("/r/a", bytes("1")));
    scheduler.runNext(INTERVAL);
    ManualScheduler.Scheduled next = scheduler.poll();
    assertNotNull(next);
    compactor.close();
    assertTrue(next.handle.isCancelled());
    await(storage.create("/r/b", bytes("1")));
    next.task.run(); // a tick that fires anyway after close does nothing
    assertEquals(0, storage.compactedRevision());
    assertNull(scheduler.poll());
  }

  @Test
  void replicasSharingACoordinationKeyCompactOncePerInterval() throws Exception {
    java.util.concurrent.atomic.AtomicInteger compactions = new java.util.concurrent.atomic.AtomicInteger();
    Storage counted = (Storage) java.lang.reflect.Proxy.newProxyInstance(Storage.class.getClassLoader(),
        new Class<?>[] {Storage.class}, (proxy, method, args) -> {
          if (method.getName().equals("compact")) {
            compactions.incrementAndGet();
          }
          try {
            return method.invoke(storage, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
    ManualScheduler other = new ManualScheduler();
    try (Compactor a = new Compactor(counted, INTERVAL, scheduler, "compact_rev_key");
        Compactor b = new Compactor(counted, INTERVAL, other, "compact_rev_key")) {
      a.start();
      b.start();
      long atTick1 = await(storage.create("/r/a", bytes("1"))).modRevision();
      scheduler.runNext(INTERVAL);
      other.runNext(INTERVAL); // round 1: a bumps the counter; b learns it
      await(storage.create("/r/b", bytes("1")));
      for (int round = 2; round <= 5; round++) {
        other.runNext(INTERVAL);
        scheduler.runNext(INTERVAL);
        await(storage.create("/r/round-" + round, bytes("1")));
      }
      assertEquals(4, compactions.get(), "one compaction per interval among the replicas, not one per replica");
      assertTrue(storage.compactedRevision() > atTick1);
    }
  }

  @Test
  void theDefaultIntervalIsUpstreams() {
    assertEquals(Duration.ofMinutes(5), Compactor.DEFAULT_INTERVAL);
  }

  /** Records scheduled tasks; the test runs them. */
  private static final class ManualScheduler implements Compactor.Scheduler {
    record Scheduled(Runnable task, Duration delay, CompletableFuture<Void> handle) {}

    private final BlockingQueue<Scheduled> queue = new LinkedBlockingQueue<>();

    @Override
    public Future<?> schedule(Runnable task, Duration delay) {
      Scheduled s = new Scheduled(task, delay, new CompletableFuture<>());
      queue.add(s);
      return s.handle;
    }

    /**
     * Runs the next scheduled tick (which must be due after {@code delay}) and waits until it has scheduled the
     * one after it, which the compactor does once its compaction completed.
     */
    void runNext(Duration delay) throws InterruptedException {
      Scheduled s = queue.poll(10, TimeUnit.SECONDS);
      assertNotNull(s, "nothing scheduled");
      assertEquals(delay, s.delay);
      s.task.run();
      Scheduled following = queue.poll(10, TimeUnit.SECONDS);
      assertNotNull(following, "the tick did not schedule the next one");
      queue.add(following);
    }

    Scheduled peek() throws InterruptedException {
      Scheduled s = queue.poll(10, TimeUnit.SECONDS);
      assertNotNull(s);
      queue.add(s);
      return s;
    }

    Scheduled poll() {
      return queue.poll();
    }
  }
}

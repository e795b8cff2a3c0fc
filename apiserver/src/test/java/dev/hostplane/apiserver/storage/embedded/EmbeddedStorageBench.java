package dev.hostplane.apiserver.storage.embedded;

import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.ListResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A micro-benchmark, not a test: creates/s of 1 KiB values from 64 concurrent callers for 5 s (after 1 s of
 * warm-up), then the time to list 10,000 keys and to get one key. Prints a table. Run with the test classpath:
 * {@code java -cp <classes>:<test-classes>:<slf4j> dev.hostplane.apiserver.storage.embedded.EmbeddedStorageBench
 * [dataDir]}.
 */
public final class EmbeddedStorageBench {
  private static final int CALLERS = 64;
  private static final byte[] VALUE = new byte[1024];

  private EmbeddedStorageBench() {}

  public static void main(String[] args) throws Exception {
    Arrays.fill(VALUE, (byte) 'x');
    Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("embedded-storage-bench");
    try (EmbeddedStorage storage = EmbeddedStorage.open(dir, EmbeddedStorage.Options.DEFAULT)) {
      runCreates(storage, 1, "warm-up");
      double creates = runCreates(storage, 5, "measure");
      double listMillis = timeList(storage);
      double getMicros = timeGet(storage);
      System.out.printf("%n| measurement | value |%n|---|---|%n");
      System.out.printf("| creates/s (64 callers, 1 KiB, 5 s) | %.0f |%n", creates);
      System.out.printf("| list of 10,000 keys (median) | %.2f ms |%n", listMillis);
      System.out.printf("| get of one key (mean) | %.3f us |%n", getMicros);
    } finally {
      if (args.length == 0) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private static double runCreates(EmbeddedStorage storage, int seconds, String phase) throws InterruptedException {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    CountDownLatch stopped = new CountDownLatch(CALLERS);
    String prefix = "/bench/" + phase + "/";
    AtomicLong next = new AtomicLong();
    long start = System.nanoTime();
    for (int i = 0; i < CALLERS; i++) {
      create(storage, prefix, next, running, done, failed, stopped);
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    running.set(false);
    long count = done.get();
    double elapsed = (System.nanoTime() - start) / 1e9;
    stopped.await(30, TimeUnit.SECONDS);
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " creates failed");
    }
    return count / elapsed;
  }

  private static void create(EmbeddedStorage storage, String prefix, AtomicLong next, AtomicBoolean running,
      AtomicLong done, AtomicLong failed, CountDownLatch stopped) {
    if (!running.get()) {
      stopped.countDown();
      return;
    }
    // Thread hop: each caller issues its next create from the store's completion thread.
    storage.create(prefix + next.incrementAndGet(), VALUE).whenComplete((o, e) -> {
      if (e != null) {
        failed.incrementAndGet();
      } else {
        done.incrementAndGet();
      }
      create(storage, prefix, next, running, done, failed, stopped);
    });
  }

  private static double timeList(EmbeddedStorage storage) throws Exception {
    for (int i = 0; i < 10_000; i++) {
      storage.create(String.format("/bench/list/%05d", i), VALUE);
    }
    storage.create("/bench/list/~last", VALUE).toCompletableFuture().get(30, TimeUnit.SECONDS);
    double[] millis = new double[30];
    for (int i = 0; i < millis.length; i++) {
      long start = System.nanoTime();
      ListResult result = storage.list("/bench/list/", ListOptions.DEFAULT).toCompletableFuture().get();
      millis[i] = (System.nanoTime() - start) / 1e6;
      if (result.items().size() != 10_001) {
        throw new IllegalStateException("listed " + result.items().size());
      }
    }
    Arrays.sort(millis);
    return millis[millis.length / 2];
  }

  private static double timeGet(EmbeddedStorage storage) throws Exception {
    int n = 1_000_000;
    long sink = 0;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      sink += storage.get("/bench/list/05000").toCompletableFuture().get().modRevision();
    }
    double micros = (System.nanoTime() - start) / 1e3 / n;
    if (sink == 0) {
      throw new IllegalStateException();
    }
    return micros;
  }
}

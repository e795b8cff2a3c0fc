package dev.hostplane.ops.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The live heap of this process: garbage is collected ({@link System#gc()} and a short pause) and the heap in use
 * read, again and again until two readings in a row are within {@link #TOLERANCE_BYTES} of each other (at least
 * {@link #MIN_ROUNDS}, at most {@link #MAX_ROUNDS} rounds). The reading and the collection are injected, so that
 * tests drive them. Blocking; not thread-safe (one reading at a time).
 */
final class HeapGauge {
  static final long TOLERANCE_BYTES = 256 * 1024;
  static final int MIN_ROUNDS = 3;
  static final int MAX_ROUNDS = 10;
  private static final Duration PAUSE = Duration.ofMillis(200);

  /**
   * A settled reading.
   *
   * @param bytes the last heap-in-use reading
   * @param stable whether it was within the tolerance of the one before (false: the rounds ran out)
   */
  record Reading(long bytes, boolean stable) {}

  private final LongSupplier used;
  private final Runnable collect;

  HeapGauge(LongSupplier used, Runnable collect) {
    this.used = used;
    this.collect = collect;
  }

  /** This process's heap, as the memory MXBean reports it, after full collections. */
  static HeapGauge ofThisProcess() {
    return new HeapGauge(() -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), () -> {
      System.gc();
      Namespaces.sleep(PAUSE);
    });
  }

  Reading settle() {
    long previous = -1;
    for (int round = 1; ; round++) {
      collect.run();
      long now = used.getAsLong();
      boolean stable = previous >= 0 && Math.abs(now - previous) <= TOLERANCE_BYTES;
      if ((stable && round >= MIN_ROUNDS) || round >= MAX_ROUNDS) {
        return new Reading(now, stable);
      }
      previous = now;
    }
  }

  /** The growth from {@code before} to {@code after} scaled to 10,000 objects; NaN without objects. */
  static double perTenThousand(long before, long after, long objects) {
    return objects <= 0 ? Double.NaN : (after - before) * 10_000.0 / objects;
  }
}

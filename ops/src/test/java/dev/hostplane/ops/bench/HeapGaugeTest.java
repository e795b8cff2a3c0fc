package dev.hostplane.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HeapGaugeTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void settlesOnceTwoReadingsAgreeAfterTheMinimumRounds() {
    Script s = new Script(100 * MIB, 60 * MIB, 50 * MIB, 50 * MIB + 1000, 40 * MIB);
    HeapGauge.Reading r = s.gauge().settle();
    assertEquals(new HeapGauge.Reading(50 * MIB + 1000, true), r);
    assertEquals(4, s.collections.get());
  }

  @Test
  void agreeingEarlyStillRunsTheMinimumRounds() {
    Script s = new Script(50 * MIB, 50 * MIB, 50 * MIB, 10 * MIB);
    assertEquals(new HeapGauge.Reading(50 * MIB, true), s.gauge().settle());
    assertEquals(HeapGauge.MIN_ROUNDS, s.collections.get());
  }

  @Test
  void aHeapThatKeepsMovingIsReportedAsUnsettled() {
    long[] moving = new long[HeapGauge.MAX_ROUNDS + 5];
    for (int i = 0; i < moving.length; i++) {
      moving[i] = (10 + i) * MIB;
    }
    Script s = new Script(moving);
    HeapGauge.Reading r = s.gauge().settle();
    assertFalse(r.stable());
    assertEquals(moving[HeapGauge.MAX_ROUNDS - 1], r.bytes());
    assertEquals(HeapGauge.MAX_ROUNDS, s.collections.get());
  }

  @Test
  void growthIsScaledToTenThousandObjects() {
    assertEquals(20 * MIB, HeapGauge.perTenThousand(100 * MIB, 140 * MIB, 20_000), 1e-6);
    assertEquals(15_000.0, HeapGauge.perTenThousand(0, 1_500, 1_000), 1e-9);
    assertEquals(-1_000.0, HeapGauge.perTenThousand(2_000, 1_000, 10_000), 1e-9);
    assertTrue(Double.isNaN(HeapGauge.perTenThousand(0, 1, 0)));
  }

  /** Heap readings in order, one per collection; the collections are counted. */
  private static final class Script {
    final long[] readings;
    final AtomicInteger collections = new AtomicInteger();

    Script(long... readings) {
      this.readings = readings;
    }

    HeapGauge gauge() {
      return new HeapGauge(() -> readings[collections.get() - 1], collections::incrementAndGet);
    }
  }
}

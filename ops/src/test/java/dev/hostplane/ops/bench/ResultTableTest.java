package dev.hostplane.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResultTableTest {
  @Test
  void percentilesOfUniformSamples() {
    Latencies l = new Latencies();
    for (int ms = 100; ms >= 1; ms--) {
      l.record(TimeUnit.MILLISECONDS.toNanos(ms));
    }
    Latencies.Summary s = l.summary();
    assertEquals(100, s.count());
    assertEquals(50, s.p50Millis(), 0.1);
    assertEquals(99, s.p99Millis(), 0.1);
    assertEquals(100, s.maxMillis(), 0.1);
    assertEquals("50 / 99", s.p50p99());
  }

  @Test
  void percentilesAreConcurrencySafeAndCumulative() throws Exception {
    Latencies l = new Latencies();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < 10_000; i++) {
          l.record(1_000_000);
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(40_000, l.summary().count());
    l.record(5_000_000);
    assertEquals(40_001, l.summary().count()); // a second summary keeps the earlier samples
  }

  @Test
  void noSamplesIsNotANumber() {
    Latencies.Summary s = new Latencies().summary();
    assertEquals(0, s.count());
    assertEquals("n/a / n/a", s.p50p99());
  }

  @ParameterizedTest
  @CsvSource({"0.04, 0.0", "3.24, 3.2", "9.96, 10.0", "12.4, 12", "1234.7, 1235", "NaN, n/a"})
  void millisecondsKeepOneDecimalBelowTen(double ms, String text) {
    assertEquals(text, ResultTable.millis(ms));
  }

  @Test
  void tableAlignsColumnsAndListsFailuresLast() {
    ResultTable t = new ResultTable();
    t.add("create", "creates/s", "4123", ">= 3000", true);
    t.add("list", "p50 / p99 (10000 obj)", "80 / 420 ms", "p99 < 300 ms", false);
    t.add("memory", "heap used", "60 MiB");
    t.failure("watch", "3 of 100 watchers missed 7 events");

    String[] lines = t.render().split("\n");

    assertEquals(5, lines.length);
    assertEquals("phase   metric                 value        target", lines[0]);
    assertEquals("create  creates/s              4123         >= 3000       ok", lines[1]);
    assertEquals("list    p50 / p99 (10000 obj)  80 / 420 ms  p99 < 300 ms  MISSED", lines[2]);
    assertEquals("memory  heap used              60 MiB", lines[3]);
    assertEquals("FAILURE: watch: 3 of 100 watchers missed 7 events", lines[4]);
    assertEquals(ResultTable.Verdict.MISSED, t.rows().get(1).verdict());
  }

  @Test
  void mebibytesAndRates() {
    assertEquals("150", ResultTable.mebibytes(150 * 1024 * 1024 + 1000));
    assertEquals("12346", ResultTable.rate(12345.6));
    assertTrue(ResultTable.rate(0).equals("0"));
  }
}

package dev.hostplane.ops.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency samples in nanoseconds with three significant digits (HdrHistogram). Recording is wait-free and may
 * happen on any number of threads at once; {@link #summary()} is read after recording has stopped.
 */
public final class Latencies {
  private final Recorder recorder = new Recorder(3);
  private final Histogram total = new Histogram(3);

  /** Records one sample; negative values (clock misuse) are recorded as zero. */
  public void record(long nanos) {
    recorder.recordValue(Math.max(0, nanos));
  }

  /** Everything recorded so far. Call from one thread at a time, after the recording threads are done. */
  public synchronized Summary summary() {
    total.add(recorder.getIntervalHistogram());
    return new Summary(total.getTotalCount(), millis(total, 50), millis(total, 99), total.getMaxValue() / 1e6);
  }

  private static double millis(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
  }

  /** Percentiles in milliseconds; NaN when there was no sample. */
  public record Summary(long count, double p50Millis, double p99Millis, double maxMillis) {
    /** "p50 / p99" for a table cell, e.g. {@code 3.2 / 20}. */
    public String p50p99() {
      return ResultTable.millis(p50Millis) + " / " + ResultTable.millis(p99Millis);
    }
  }
}

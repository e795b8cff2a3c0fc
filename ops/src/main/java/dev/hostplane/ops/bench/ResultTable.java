package dev.hostplane.ops.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of a run, one row per metric, and the failures seen. Rows keep the order they were added in.
 * Thread-safe (phases add from the main thread, but a summary may be printed from a shutdown path).
 */
public final class ResultTable {
  /** Whether a row's figure meets its target; {@link #NONE} for rows without a target. */
  public enum Verdict {
    OK("ok"), MISSED("MISSED"), NONE("");

    private final String text;

    Verdict(String text) {
      this.text = text;
    }

    public static Verdict of(boolean met) {
      return met ? OK : MISSED;
    }
  }

  /** One line of the table. */
  public record Row(String phase, String metric, String value, String target, Verdict verdict) {}

  private final List<Row> rows = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();

  public synchronized void add(String phase, String metric, String value) {
    rows.add(new Row(phase, metric, value, "", Verdict.NONE));
  }

  public synchronized void add(String phase, String metric, String value, String target, boolean met) {
    rows.add(new Row(phase, metric, value, target, Verdict.of(met)));
  }

  /** A correctness failure (lost events, failed requests): printed as a {@code FAILURE:} line after the table. */
  public synchronized void failure(String phase, String message) {
    failures.add(phase + ": " + message);
  }

  public synchronized List<Row> rows() {
    return List.copyOf(rows);
  }

  public synchronized List<String> failures() {
    return List.copyOf(failures);
  }

  /** The table, columns padded to their widest cell, then one {@code FAILURE:} line per failure. */
  public synchronized String render() {
    String[] header = {"phase", "metric", "value", "target", ""};
    int[] width = new int[header.length];
    List<String[]> lines = new ArrayList<>();
    lines.add(header);
    for (Row r : rows) {
      lines.add(new String[] {r.phase(), r.metric(), r.value(), r.target(), r.verdict().text});
    }
    for (String[] l : lines) {
      for (int i = 0; i < l.length; i++) {
        width[i] = Math.max(width[i], l[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] l : lines) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < l.length; i++) {
        line.append(l[i]);
        if (i < l.length - 1) {
          line.append(" ".repeat(width[i] - l[i].length() + 2));
        }
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    for (String f : failures) {
      sb.append("FAILURE: ").append(f).append('\n');
    }
    return sb.toString();
  }

  /** Milliseconds for a cell: one decimal below 10 ms, whole numbers above; "n/a" for NaN. */
  public static String millis(double ms) {
    if (Double.isNaN(ms)) {
      return "n/a";
    }
    return ms < 10 ? String.format(Locale.ROOT, "%.1f", ms) : String.format(Locale.ROOT, "%.0f", ms);
  }

  /** Bytes as MiB, whole numbers. */
  public static String mebibytes(double bytes) {
    return String.format(Locale.ROOT, "%.0f", bytes / (1024.0 * 1024.0));
  }

  /** A rate per second, whole numbers. */
  public static String rate(double perSecond) {
    return String.format(Locale.ROOT, "%.0f", perSecond);
  }
}

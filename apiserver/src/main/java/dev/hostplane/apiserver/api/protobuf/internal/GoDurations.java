package dev.hostplane.apiserver.api.protobuf.internal;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * Go's {@code time.Duration} text ({@code metav1.Duration} in JSON): {@link #format} is {@code Duration.String()},
 * {@link #parse} is {@code time.ParseDuration}.
 */
final class GoDurations {
  private GoDurations() {}

  private static final long MICRO = 1_000L;
  private static final long MILLI = 1_000_000L;
  private static final long SECOND = 1_000_000_000L;

  /** {@code 1h2m3.5s}, {@code 1m30s}, {@code 1.5ms}, {@code 2µs}, {@code 0s}. */
  static String format(long nanos) {
    if (nanos == 0) {
      return "0s";
    }
    boolean neg = nanos < 0;
    // Long.MIN_VALUE has no positive counterpart; unsigned arithmetic as Go does.
    long u = neg ? -nanos : nanos;
    StringBuilder out = new StringBuilder();
    if (Long.compareUnsigned(u, SECOND) < 0) {
      String unit;
      int prec;
      if (u < MICRO) {
        unit = "ns";
        prec = 0;
      } else if (u < MILLI) {
        unit = "\u00b5s";
        prec = 3;
      } else {
        unit = "ms";
        prec = 6;
      }
      out.append(fraction(u, prec)).append(unit);
    } else {
      String seconds = fraction(u, 9);
      long whole = Long.divideUnsigned(u, SECOND);
      long minutes = whole / 60;
      // fraction() printed whole seconds too; keep only seconds within the minute.
      String frac = seconds.contains(".") ? seconds.substring(seconds.indexOf('.')) : "";
      String secs = (whole % 60) + frac + "s";
      if (minutes > 0) {
        long hours = minutes / 60;
        secs = (minutes % 60) + "m" + secs;
        if (hours > 0) {
          secs = hours + "h" + secs;
        }
      }
      out.append(secs);
    }
    return (neg ? "-" : "") + out;
  }

  /** {@code v / 10^prec} with trailing zeros (and a bare point) removed; v is unsigned. */
  private static String fraction(long v, int prec) {
    BigDecimal d = new BigDecimal(Long.toUnsignedString(v)).movePointLeft(prec).stripTrailingZeros();
    return d.toPlainString();
  }

  /**
   * Parses Go duration text: an optional sign, then one or more decimal numbers each with a unit ({@code ns},
   * {@code us}, {@code µs}, {@code μs}, {@code ms}, {@code s}, {@code m}, {@code h}); {@code 0} alone is allowed.
   * Empty when malformed or out of int64 nanoseconds.
   */
  static Optional<Long> parse(String s) {
    if (s == null || s.isEmpty()) {
      return Optional.empty();
    }
    int i = 0;
    boolean neg = false;
    if (s.charAt(0) == '-' || s.charAt(0) == '+') {
      neg = s.charAt(0) == '-';
      i++;
    }
    if (s.substring(i).equals("0")) {
      return Optional.of(0L);
    }
    if (i == s.length()) {
      return Optional.empty();
    }
    BigDecimal total = BigDecimal.ZERO;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      String number = s.substring(start, i);
      if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
        return Optional.empty();
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      long scale = switch (s.substring(unitStart, i)) {
        case "ns" -> 1L;
        case "us", "\u00b5s", "\u03bcs" -> MICRO;
        case "ms" -> MILLI;
        case "s" -> SECOND;
        case "m" -> 60 * SECOND;
        case "h" -> 3600 * SECOND;
        default -> -1L;
      };
      if (scale < 0) {
        return Optional.empty();
      }
      String n = number.startsWith(".") ? "0" + number : number.endsWith(".") ? number + "0" : number;
      total = total.add(new BigDecimal(n).multiply(BigDecimal.valueOf(scale)));
    }
    // Go truncates fractional nanoseconds.
    BigDecimal nanos = new BigDecimal(total.toBigInteger());
    if (neg) {
      nanos = nanos.negate();
    }
    if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0
        || nanos.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0) {
      return Optional.empty();
    }
    return Optional.of(nanos.longValueExact());
  }
}

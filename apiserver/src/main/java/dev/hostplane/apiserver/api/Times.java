package dev.hostplane.apiserver.api;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Timestamps as Kubernetes writes them. {@code metav1.Time} is RFC 3339 in UTC with whole seconds
 * ({@code 2024-05-01T12:00:00Z}; finer precision is truncated, as upstream's marshalling drops it);
 * {@code metav1.MicroTime}, used by events and leases, has exactly six fractional digits
 * ({@code 2024-05-01T12:00:00.123456Z}). "Now" always comes from a {@link Clock} the caller passes, so tests
 * control time.
 */
public final class Times {
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'");
  private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'");
  /** Go's RFC 3339 layout: seconds required, any fraction, {@code Z} or a numeric offset. */
  private static final Pattern RFC3339 = Pattern.compile(
      "(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})(\\.\\d+)?(Z|([+-])(\\d{2}):(\\d{2}))");

  private Times() {}

  /** {@code metav1.Time} text for {@code t}: UTC, whole seconds. Years outside 0000-9999 are not representable. */
  public static String formatTime(Instant t) {
    return SECONDS.format(t.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC));
  }

  /** {@code metav1.MicroTime} text for {@code t}: UTC, six fractional digits. */
  public static String formatMicroTime(Instant t) {
    return MICROS.format(t.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC));
  }

  /** The current time as {@code metav1.Time} text. */
  public static String now(Clock clock) {
    return formatTime(clock.instant());
  }

  /** The current time as {@code metav1.MicroTime} text. */
  public static String nowMicro(Clock clock) {
    return formatMicroTime(clock.instant());
  }

  /** The current instant truncated to what {@code metav1.Time} keeps, for comparisons with stored timestamps. */
  public static Instant nowSeconds(Clock clock) {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS);
  }

  /**
   * Parses RFC 3339 as Go's {@code time.Parse(time.RFC3339, s)} accepts it: upper-case {@code T}, seconds
   * required, an optional fraction (digits past nanoseconds are dropped), {@code Z} or {@code ±hh:mm}. Empty for
   * anything else, including out-of-range fields.
   */
  public static Optional<Instant> tryParse(String s) {
    if (s == null) {
      return Optional.empty();
    }
    Matcher m = RFC3339.matcher(s);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      int nanos = 0;
      if (m.group(7) != null) {
        String digits = m.group(7).substring(1);
        String frac = (digits.length() >= 9 ? digits : digits + "000000000").substring(0, 9);
        nanos = Integer.parseInt(frac);
      }
      LocalDateTime local = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
          Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
          Integer.parseInt(m.group(6)), nanos);
      ZoneOffset offset = ZoneOffset.UTC;
      if (m.group(9) != null) {
        int hours = Integer.parseInt(m.group(10));
        int minutes = Integer.parseInt(m.group(11));
        if (hours > 23 || minutes > 59) {
          return Optional.empty();
        }
        int seconds = (hours * 60 + minutes) * 60;
        offset = ZoneOffset.ofTotalSeconds(m.group(9).equals("-") ? -seconds : seconds);
      }
      return Optional.of(local.toInstant(offset));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Parses like {@link #tryParse}; for anything else throws 400 BadRequest with Go's wording:
   * {@code parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as RFC 3339}.
   */
  public static Instant parse(String s) {
    return tryParse(s).orElseThrow(() -> ApiException.badRequest("parsing time \"" + s
        + "\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"" + s + "\" as RFC 3339"));
  }
}

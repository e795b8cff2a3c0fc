package dev.hostplane.apiserver.printers.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.api.Times;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Durations relative to "now" from an injected {@link Clock}, as upstream's {@code translateTimestampSince}. A
 * timestamp that is absent, null, unparseable or Go's zero time ({@code 0001-01-01T00:00:00Z}) is "zero" and
 * prints {@code <unknown>}. Thread-safe when the clock is. Not API.
 */
public final class Ages {
  private static final Instant GO_ZERO = Instant.parse("0001-01-01T00:00:00Z");
  private final Clock clock;

  public Ages(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public Instant now() {
    return clock.instant();
  }

  /** The instant of a {@code metav1.Time} or {@code metav1.MicroTime} field; empty for a zero timestamp. */
  public static Optional<Instant> instant(JsonNode timestamp) {
    if (timestamp == null || !timestamp.isTextual()) {
      return Optional.empty();
    }
    return Times.tryParse(timestamp.textValue()).filter(t -> !t.equals(GO_ZERO));
  }

  /** Human duration from {@code timestamp} to now, or {@code <unknown>} for a zero timestamp. */
  public String since(JsonNode timestamp) {
    return instant(timestamp).map(this::since).orElse("<unknown>");
  }

  public String since(Instant t) {
    return HumanDuration.format(Duration.between(t, now()));
  }
}

package dev.hostplane.apiserver.printers.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HumanDurationTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      // clock skew: up to a second in the future is now, more is invalid (Go truncates toward zero)
      "PT-5S, <invalid>", "PT-2S, <invalid>", "PT-1.5S, 0s", "PT-1S, 0s", "PT-0.5S, 0s",
      // seconds up to two minutes
      "PT0S, 0s", "PT1.9S, 1s", "PT59S, 59s", "PT119.9S, 119s",
      // minutes and seconds below ten minutes, then minutes up to three hours
      "PT2M, 2m", "PT2M30S, 2m30s", "PT9M59S, 9m59s", "PT10M, 10m", "PT10M30S, 10m", "PT2H59M59S, 179m",
      // hours and minutes below eight hours, then hours up to two days
      "PT3H, 3h", "PT3H30M, 3h30m", "PT7H59M59S, 7h59m", "PT8H, 8h", "PT47H59M, 47h",
      // days and hours below eight days, then days up to two years
      "PT48H, 2d", "PT50H, 2d2h", "PT191H, 7d23h", "PT192H, 8d", "P729D, 729d",
      // years and days below eight years, then years
      "P730D, 2y", "P800D, 2y70d", "P2919D, 7y364d", "P2920D, 8y", "P3000D, 8y", "P36500D, 100y"})
  void formatsLikeUpstream(String duration, String expected) {
    assertEquals(expected, HumanDuration.format(Duration.parse(duration)));
  }

  @Test
  void agesMeasureFromTheClockAndTreatZeroTimesAsUnknown() {
    Ages ages = new Ages(Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC));
    JsonNodeFactory f = JsonNodeFactory.instance;
    assertEquals("5m10s", ages.since(f.textNode("2024-05-01T11:54:50Z")));
    assertEquals("90s", ages.since(f.textNode("2024-05-01T11:58:29.500000Z")), "micro time, truncated");
    assertEquals("3h", ages.since(f.textNode("2024-05-01T11:00:00+02:00")), "offsets are honoured");
    assertEquals("<invalid>", ages.since(f.textNode("2024-05-01T12:00:05Z")));
    assertEquals("<unknown>", ages.since(MissingNode.getInstance()));
    assertEquals("<unknown>", ages.since(f.nullNode()));
    assertEquals("<unknown>", ages.since(f.textNode("0001-01-01T00:00:00Z")));
    assertEquals("<unknown>", ages.since(f.textNode("yesterday")));
  }
}

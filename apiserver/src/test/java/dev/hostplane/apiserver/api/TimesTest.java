package dev.hostplane.apiserver.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimesTest {
  private static final Instant T = Instant.parse("2024-05-01T12:00:00.123456789Z");
  private static final Clock CLOCK = Clock.fixed(T, ZoneId.of("Europe/Paris"));

  @Test
  void formatsSecondsAndMicrosInUtc() {
    assertEquals("2024-05-01T12:00:00Z", Times.now(CLOCK));
    assertEquals("2024-05-01T12:00:00.123456Z", Times.nowMicro(CLOCK));
    assertEquals(Instant.parse("2024-05-01T12:00:00Z"), Times.nowSeconds(CLOCK));
    assertEquals("1970-01-01T00:00:00Z", Times.formatTime(Instant.EPOCH));
    assertEquals("1970-01-01T00:00:00.000000Z", Times.formatMicroTime(Instant.EPOCH));
    assertEquals("1969-12-31T23:59:59Z", Times.formatTime(Instant.ofEpochMilli(-1)), "truncation, not rounding");
  }

  @ParameterizedTest
  @CsvSource({
      "2024-05-01T12:00:00Z, 2024-05-01T12:00:00Z",
      "2024-05-01T14:00:00+02:00, 2024-05-01T12:00:00Z",
      "2024-05-01T11:30:00-00:30, 2024-05-01T12:00:00Z",
      "2024-05-01T12:00:00.5Z, 2024-05-01T12:00:00.500Z",
      "2024-05-01T12:00:00.123456Z, 2024-05-01T12:00:00.123456Z",
      "2024-05-01T12:00:00.1234567891Z, 2024-05-01T12:00:00.123456789Z",
      "2024-02-29T00:00:00Z, 2024-02-29T00:00:00Z"})
  void parsesRfc3339LikeGo(String text, String instant) {
    assertEquals(Optional.of(Instant.parse(instant)), Times.tryParse(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "2024-05-01", "2024-05-01 12:00:00Z", "2024-05-01T12:00Z", "2024-05-01t12:00:00Z",
      "2024-05-01T12:00:00z", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-05-01T24:00:00Z",
      "2024-05-01T12:00:60Z", "2024-05-01T12:00:00", "2024-05-01T12:00:00+0200", "2024-05-01T12:00:00+24:00",
      "2024-05-01T12:00:00.Z", " 2024-05-01T12:00:00Z"})
  void rejectsWhatGoRejects(String text) {
    assertEquals(Optional.empty(), Times.tryParse(text));
  }

  @Test
  void parseFailureIsBadRequest() {
    ApiException e = assertThrows(ApiException.class, () -> Times.parse("yesterday"));
    assertEquals(400, e.code());
    assertEquals("parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"yesterday\" as "
        + "RFC 3339", e.getMessage());
    assertEquals(Optional.empty(), Times.tryParse(null));
  }

  @Test
  void roundTrips() {
    assertEquals("2024-05-01T12:00:00.123456Z", Times.formatMicroTime(Times.parse("2024-05-01T12:00:00.123456Z")));
    assertEquals("2024-05-01T10:00:00Z", Times.formatTime(Times.parse("2024-05-01T12:00:00.9+02:00")));
  }
}

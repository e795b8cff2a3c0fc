package dev.hostplane.apiserver.api.protobuf.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Go's time.Duration String() and ParseDuration, the JSON form of metav1.Duration. */
class GoDurationsTest {
  @ParameterizedTest
  @CsvSource({"0,0s", "1,1ns", "1500,1.5µs", "1100000,1.1ms", "1000000000,1s", "90000000000,1m30s",
      "3600000000000,1h0m0s", "3723500000000,1h2m3.5s", "-90000000000,-1m30s", "999999999,999.999999ms"})
  void formatsAsGo(long nanos, String text) {
    assertEquals(text, GoDurations.format(nanos));
    assertEquals(Optional.of(nanos), GoDurations.parse(text));
  }

  @ParameterizedTest
  @CsvSource({"0,0", "1.5h,5400000000000", "300ms,300000000", "2h45m,9900000000000", "1us,1000", "+5s,5000000000",
      ".5s,500000000", "1.s,1000000000"})
  void parsesAsGo(String text, long nanos) {
    assertEquals(Optional.of(nanos), GoDurations.parse(text));
  }

  @ParameterizedTest
  @CsvSource({"''", "1", "s", "1x", "1..5s", "-", "9999999999h"})
  void rejectsWhatGoRejects(String text) {
    assertEquals(Optional.empty(), GoDurations.parse(text));
  }
}

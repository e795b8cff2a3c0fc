package dev.hostplane.apiserver.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class GoawayChanceTest {
  @ParameterizedTest
  @CsvSource({
      "0.3, 0.29, HTTP/2.0, false, true",
      "0.3, 0.3, HTTP/2.0, false, false",
      "0.3, 0.0, HTTP/1.1, false, false",
      "0.3, 0.0, HTTP/2.0, true, false",
      "0.0, 0.0, HTTP/2.0, false, false",
      "1.0, 0.999, HTTP/2.0, false, true"})
  void decidesByTheRandomDrawForShortHttp2RequestsOnly(double chance, double draw, String protocol,
      boolean longRunning, boolean goAway) {
    assertEquals(goAway, new GoawayChance(chance, () -> draw).decide(protocol, longRunning));
  }

  @Test
  void offNeverDecides() {
    assertFalse(GoawayChance.OFF.decide("HTTP/2.0", false));
    assertThrows(IllegalArgumentException.class, () -> new GoawayChance(1.5, () -> 0));
  }
}

package dev.hostplane.apiserver.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuditTimestampTest {
  @ParameterizedTest
  @ValueSource(strings = {"2026-11-21T09:17:20.000000Z", "2026-11-21T09:17:20.000001Z",
      "2026-11-21T09:17:20.999999Z", "2026-11-21T09:17:21.123456Z", "1999-12-31T23:59:59.500000Z",
      "2026-11-21T09:17:20.100000Z"})
  void microsecondTimestampsMatchTheFormatterAcrossSeconds(String text) {
    Instant t = Instant.parse(text);
    assertEquals(AuditContext.MICROS.format(t), AuditContext.micros(t));
    assertEquals(text, AuditContext.micros(t));
    // Nanoseconds below a microsecond are cut, as the formatter does.
    Instant finer = t.plusNanos(999);
    assertEquals(AuditContext.MICROS.format(finer), AuditContext.micros(finer));
  }
}

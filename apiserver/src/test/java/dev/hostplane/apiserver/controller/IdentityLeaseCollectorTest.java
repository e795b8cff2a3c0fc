package dev.hostplane.apiserver.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IdentityLeaseCollectorTest {
  static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"renewTime\":\"2025-01-01T11:59:30.000000Z\",\"leaseDurationSeconds\":60} | false",
      "{\"renewTime\":\"2025-01-01T11:58:59.999999Z\",\"leaseDurationSeconds\":60} | true",
      "{\"renewTime\":\"2025-01-01T11:00:00.000000Z\",\"leaseDurationSeconds\":3600} | false",
      "{\"leaseDurationSeconds\":60} | true",
      "{\"renewTime\":\"2025-01-01T11:59:30.000000Z\"} | true",
      "{\"renewTime\":\"yesterday\",\"leaseDurationSeconds\":60} | true"})
  void expiredAsUpstreamJudges(String spec, boolean expired) throws Exception {
    ObjectNode lease = new ObjectMapper().createObjectNode();
    lease.set("spec", new ObjectMapper().readTree(spec));
    assertEquals(expired, IdentityLeaseCollector.isExpired(lease, NOW));
  }
}

package dev.hostplane.konnectivity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DialerOptionsTest {
  @Test
  void defaultsKeepIdleConnectionsAliveBehindA60SecondReset() {
    assertEquals(Duration.ofSeconds(30), DialerOptions.DEFAULT.dialTimeout());
    assertEquals(Duration.ofSeconds(10), DialerOptions.DEFAULT.closeTimeout());
    assertEquals(Duration.ofSeconds(30), DialerOptions.DEFAULT.keepAliveTime());
  }

  @Test
  void rejectsNonPositiveValuesByName() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> DialerOptions.DEFAULT.withDialTimeout(Duration.ZERO));
    assertEquals("dialTimeout must be positive, got PT0S", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> DialerOptions.DEFAULT.withReceiveWindowBytes(0));
    assertEquals("receiveWindowBytes must be positive, got 0", e.getMessage());
  }

  @Test
  void countsFailuresByUpstreamReasonLabel() {
    DialerMetrics m = new DialerMetrics();
    m.dialFailed(TunnelException.Reason.ENDPOINT);
    m.dialFailed(TunnelException.Reason.TIMEOUT);
    m.dialFailed(TunnelException.Reason.TIMEOUT);
    assertEquals(java.util.Map.of("endpoint", 1L, "timeout", 2L), m.dialFailures());
    m.connectionStatus(null, DialerMetrics.DIALING);
    m.connectionStatus(DialerMetrics.DIALING, DialerMetrics.OK);
    assertEquals(0, m.connections(DialerMetrics.DIALING));
    assertEquals(1, m.connections(DialerMetrics.OK));
  }
}

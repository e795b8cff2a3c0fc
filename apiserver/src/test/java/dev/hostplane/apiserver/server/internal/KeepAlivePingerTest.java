package dev.hostplane.apiserver.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class KeepAlivePingerTest {
  private static final Duration INTERVAL = Duration.ofSeconds(30);
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final FakeClock clock = new FakeClock();
  private int pings;
  private int closes;
  private KeepAlivePinger pinger;

  @BeforeEach
  void setUp() {
    pinger = new KeepAlivePinger(new KeepAlivePinger.Transport() {
      @Override
      public void sendPing() {
        pings++;
      }

      @Override
      public void closeUnresponsive(String reason) {
        closes++;
      }
    }, clock, clock, INTERVAL, TIMEOUT);
    pinger.start();
  }

  @Test
  void sendsPingAfterIntervalOfSilence() {
    clock.advance(INTERVAL.minusMillis(1));
    assertEquals(0, pings);
    assertEquals(KeepAlivePinger.State.PING_SCHEDULED, pinger.state());

    clock.advance(Duration.ofMillis(1));
    assertEquals(1, pings);
    assertEquals(KeepAlivePinger.State.PING_SENT, pinger.state());
  }

  @Test
  void closesWhenPingIsNotAcknowledged() {
    clock.advance(INTERVAL);
    clock.advance(TIMEOUT.minusMillis(1));
    assertEquals(0, closes);

    clock.advance(Duration.ofMillis(1));
    assertEquals(1, closes);
    assertEquals(KeepAlivePinger.State.DISCONNECTED, pinger.state());
    assertEquals(0, clock.pendingTasks());

    clock.advance(INTERVAL.multipliedBy(10));
    assertEquals(1, pings, "no pings after disconnecting");
  }

  @Test
  void ackResetsTheCycle() {
    clock.advance(INTERVAL);
    assertEquals(1, pings);
    clock.advance(Duration.ofSeconds(1));
    pinger.onDataReceived(); // the PING ACK
    assertEquals(KeepAlivePinger.State.PING_SCHEDULED, pinger.state());

    clock.advance(TIMEOUT.multipliedBy(2).minusSeconds(1)); // well past the old timeout, short of the interval
    assertEquals(0, closes);
    assertEquals(1, pings);

    clock.advance(INTERVAL.minus(TIMEOUT.multipliedBy(2).minusSeconds(1)));
    assertEquals(2, pings, "next ping one interval after the ACK");
  }

  @Test
  void readsPostponeThePing() {
    clock.advance(Duration.ofSeconds(20));
    pinger.onDataReceived();
    assertEquals(KeepAlivePinger.State.PING_DELAYED, pinger.state());

    clock.advance(Duration.ofSeconds(10)); // the original timer fires and re-arms for the remaining 20 s
    assertEquals(0, pings);
    assertEquals(KeepAlivePinger.State.PING_SCHEDULED, pinger.state());

    clock.advance(Duration.ofSeconds(20).minusMillis(1));
    assertEquals(0, pings);
    clock.advance(Duration.ofMillis(1));
    assertEquals(1, pings, "ping exactly one interval after the last read");
  }

  @Test
  void steadyTrafficNeverPings() {
    for (int i = 0; i < 100; i++) {
      clock.advance(Duration.ofSeconds(5));
      pinger.onDataReceived();
    }
    assertEquals(0, pings);
    assertEquals(0, closes);
  }

  @Test
  void stopCancelsTimers() {
    clock.advance(INTERVAL);
    pinger.stop();
    assertEquals(0, clock.pendingTasks());
    clock.advance(TIMEOUT.multipliedBy(3));
    assertEquals(0, closes);
    assertEquals(KeepAlivePinger.State.DISCONNECTED, pinger.state());
  }

  @Test
  void idleConnectionIsPingedEveryIntervalWhileItAnswers() {
    for (int i = 1; i <= 5; i++) {
      clock.advance(INTERVAL);
      assertEquals(i, pings);
      clock.advance(Duration.ofMillis(50));
      pinger.onDataReceived();
    }
    assertEquals(0, closes);
  }
}

package dev.hostplane.apiserver.storage.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatchRetryTest {
  private long now;
  private final WatchRetry retry = new WatchRetry(Duration.ofSeconds(10), () -> now);

  @Test
  void delaysDoubleUpToTheMaximumThenTheWatchGivesUp() {
    List<Duration> delays = new ArrayList<>();
    Duration d;
    while ((d = retry.broke()) != null) {
      delays.add(d);
      now += d.toNanos();
    }
    assertEquals(List.of(ms(100), ms(200), ms(400), ms(800), ms(1600), ms(2000), ms(2000), ms(2000)),
        delays.subList(0, 8));
    assertEquals(WatchRetry.State.GAVE_UP, retry.state());
    assertNull(retry.broke(), "gave up for good");
    retry.established();
    assertEquals(WatchRetry.State.GAVE_UP, retry.state());
  }

  @Test
  void anEstablishedWatchStartsAFreshSequence() {
    retry.broke();
    now += Duration.ofSeconds(9).toNanos();
    retry.broke();
    retry.established();
    assertEquals(WatchRetry.State.ESTABLISHED, retry.state());
    now += Duration.ofSeconds(60).toNanos();
    assertEquals(ms(100), retry.broke(), "the time before being established does not count");
    assertEquals(WatchRetry.State.RETRYING, retry.state());
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }
}

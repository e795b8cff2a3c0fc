package dev.hostplane.apiserver.storage.etcd;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * When a broken etcd watch tries to re-establish itself, and when it gives up: retries start after
 * {@link #INITIAL}, double up to {@link #MAX}, and stop once the watch has been broken for {@code giveUpAfter}
 * without a successful re-establishment. Not thread-safe (its watch guards it); time from an injected clock.
 */
final class WatchRetry {
  static final Duration INITIAL = Duration.ofMillis(100);
  static final Duration MAX = Duration.ofSeconds(2);

  enum State { ESTABLISHED, RETRYING, GAVE_UP }

  private final LongSupplier nanoClock;
  private final Duration giveUpAfter;
  private State state = State.ESTABLISHED;
  private long brokenSince;
  private Duration next = INITIAL;

  WatchRetry(Duration giveUpAfter, LongSupplier nanoClock) {
    this.giveUpAfter = giveUpAfter;
    this.nanoClock = nanoClock;
  }

  State state() {
    return state;
  }

  /** etcd confirmed the watch (created): the next break starts a fresh retry sequence. */
  void established() {
    if (state != State.GAVE_UP) {
      state = State.ESTABLISHED;
      next = INITIAL;
    }
  }

  /** The watch broke: the delay before the next attempt, or null to give up (state GAVE_UP). */
  Duration broke() {
    long now = nanoClock.getAsLong();
    switch (state) {
      case GAVE_UP -> {
        return null;
      }
      case ESTABLISHED -> {
        state = State.RETRYING;
        brokenSince = now;
        next = INITIAL;
      }
      case RETRYING -> {
        if (now - brokenSince >= giveUpAfter.toNanos()) {
          state = State.GAVE_UP;
          return null;
        }
      }
    }
    Duration delay = next;
    next = next.multipliedBy(2).compareTo(MAX) > 0 ? MAX : next.multipliedBy(2);
    return delay;
  }

  /** How long the watch has been broken, for messages. */
  Duration brokenFor() {
    return state == State.ESTABLISHED ? Duration.ZERO : Duration.ofNanos(nanoClock.getAsLong() - brokenSince);
  }
}

package dev.hostplane.apiserver.server.internal;

import java.time.Duration;

/**
 * Server-side HTTP/2 keepalive policy, after grpc-java's {@code KeepAliveManager}: when nothing has been read
 * from the connection for {@code interval}, send a PING; when nothing (the ACK or anything else) is read within
 * {@code timeout} after that, close the connection. Reads are cheap to report: they only stamp a time; the
 * pending timer notices them when it fires ({@link State#PING_DELAYED}).
 *
 * <p>Threading: confined to one thread, the connection's event loop, which also runs the scheduled tasks; no
 * locking. Time comes from the injected {@link Ticker} and {@link Scheduler}, so tests run on a fake clock.
 */
final class KeepAlivePinger {

  enum State {
    /** Created, {@link #start()} not yet called. */
    NEW,
    /** The ping timer is pending and nothing has been read since it was set. */
    PING_SCHEDULED,
    /** The ping timer is pending but something was read since: when it fires, it re-arms instead of pinging. */
    PING_DELAYED,
    /** A PING is outstanding and the timeout timer is pending. */
    PING_SENT,
    /** Stopped, or timed out (and the transport told to close). Terminal. */
    DISCONNECTED
  }

  /** The monotonic clock, in nanoseconds. */
  interface Ticker {
    long nanoTime();
  }

  /** Runs a task after a delay on the pinger's thread. */
  interface Scheduler {
    Cancellable schedule(Runnable task, long delayNanos);
  }

  interface Cancellable {
    void cancel();
  }

  /** What the pinger drives. Called on the pinger's thread. */
  interface Transport {
    void sendPing();

    /** No sign of life within the timeout: close the connection. */
    void closeUnresponsive(String reason);
  }

  private final Transport transport;
  private final Scheduler scheduler;
  private final Ticker ticker;
  private final long intervalNanos;
  private final long timeoutNanos;

  private State state = State.NEW;
  private long lastReadNanos;
  private Cancellable pingTimer;
  private Cancellable timeoutTimer;

  KeepAlivePinger(Transport transport, Scheduler scheduler, Ticker ticker, Duration interval, Duration timeout) {
    if (interval.isZero() || interval.isNegative() || timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("keepalive interval and timeout must be positive, got "
          + interval + " and " + timeout);
    }
    this.transport = transport;
    this.scheduler = scheduler;
    this.ticker = ticker;
    this.intervalNanos = interval.toNanos();
    this.timeoutNanos = timeout.toNanos();
  }

  State state() {
    return state;
  }

  /** Arms the first ping timer. Call once the connection is up. */
  void start() {
    if (state != State.NEW) {
      return;
    }
    lastReadNanos = ticker.nanoTime();
    state = State.PING_SCHEDULED;
    pingTimer = scheduler.schedule(this::pingTimerFired, intervalNanos);
  }

  /** Anything was read from the connection (a frame, a PING ACK, any bytes). */
  void onDataReceived() {
    lastReadNanos = ticker.nanoTime();
    switch (state) {
      case PING_SCHEDULED -> state = State.PING_DELAYED;
      case PING_SENT -> {
        timeoutTimer.cancel();
        timeoutTimer = null;
        state = State.PING_SCHEDULED;
        pingTimer = scheduler.schedule(this::pingTimerFired, intervalNanos);
      }
      default -> {
        // NEW, PING_DELAYED, DISCONNECTED: nothing to change
      }
    }
  }

  /** The connection closed: cancel timers. Idempotent. */
  void stop() {
    state = State.DISCONNECTED;
    if (pingTimer != null) {
      pingTimer.cancel();
      pingTimer = null;
    }
    if (timeoutTimer != null) {
      timeoutTimer.cancel();
      timeoutTimer = null;
    }
  }

  private void pingTimerFired() {
    pingTimer = null;
    if (state == State.PING_SCHEDULED) {
      state = State.PING_SENT;
      timeoutTimer = scheduler.schedule(this::timeoutFired, timeoutNanos);
      transport.sendPing();
    } else if (state == State.PING_DELAYED) {
      long idle = ticker.nanoTime() - lastReadNanos;
      state = State.PING_SCHEDULED;
      pingTimer = scheduler.schedule(this::pingTimerFired, Math.max(0, intervalNanos - idle));
    }
  }

  private void timeoutFired() {
    timeoutTimer = null;
    if (state == State.PING_SENT) {
      state = State.DISCONNECTED;
      transport.closeUnresponsive("no HTTP/2 PING acknowledgement within " + Duration.ofNanos(timeoutNanos));
    }
  }
}

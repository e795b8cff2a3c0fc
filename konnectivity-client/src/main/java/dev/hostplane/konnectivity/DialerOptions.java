package dev.hostplane.konnectivity;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Dialer} behaves.
 *
 * @param dialTimeout backstop for a dial: no {@code DIAL_RSP} (or TCP connect) within it fails the dial
 * @param closeTimeout how long a closed connection waits for {@code CLOSE_RSP} before the stream is cancelled
 * @param keepAliveTime gRPC ping interval on the connection to the proxy, idle or not; below the 60 s after which
 *     NATs and SDNs commonly drop idle flows
 * @param keepAliveTimeout how long a ping may stay unanswered before the connection to the proxy is dropped
 * @param receiveWindowBytes bytes received from the tunnel and handed to the local channel but not yet read by its
 *     pipeline, beyond which no further {@code DATA} is requested from the proxy
 */
public record DialerOptions(Duration dialTimeout, Duration closeTimeout, Duration keepAliveTime,
    Duration keepAliveTimeout, int receiveWindowBytes) {
  public static final DialerOptions DEFAULT = new DialerOptions(Duration.ofSeconds(30), Duration.ofSeconds(10),
      Duration.ofSeconds(30), Duration.ofSeconds(20), 256 * 1024);

  public DialerOptions {
    positive(dialTimeout, "dialTimeout");
    positive(closeTimeout, "closeTimeout");
    positive(keepAliveTime, "keepAliveTime");
    positive(keepAliveTimeout, "keepAliveTimeout");
    if (receiveWindowBytes < 1) {
      throw new IllegalArgumentException("receiveWindowBytes must be positive, got " + receiveWindowBytes);
    }
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }

  public DialerOptions withDialTimeout(Duration d) {
    return new DialerOptions(d, closeTimeout, keepAliveTime, keepAliveTimeout, receiveWindowBytes);
  }

  public DialerOptions withCloseTimeout(Duration d) {
    return new DialerOptions(dialTimeout, d, keepAliveTime, keepAliveTimeout, receiveWindowBytes);
  }

  public DialerOptions withKeepAlive(Duration time, Duration timeout) {
    return new DialerOptions(dialTimeout, closeTimeout, time, timeout, receiveWindowBytes);
  }

  public DialerOptions withReceiveWindowBytes(int bytes) {
    return new DialerOptions(dialTimeout, closeTimeout, keepAliveTime, keepAliveTimeout, bytes);
  }
}

package dev.hostplane.konnectivity;

import java.io.IOException;
import java.util.Objects;

/**
 * A dial through the tunnel failed, or an established tunnel connection was reset. The message carries upstream's
 * wording ({@code No agent available}, {@code dial timeout, backstop}, ...); {@link #reason()} is the value of the
 * {@code reason} label of {@code konnectivity_network_proxy_client_dial_failure_total}.
 */
public final class TunnelException extends IOException {
  /** Why a dial failed or a connection ended; {@link #label()} is upstream's metric label. */
  public enum Reason {
    /** The proxy or the agent refused the dial (e.g. {@code No agent available}). */
    ENDPOINT("endpoint"),
    /** No {@code DIAL_RSP} within the backstop timeout. */
    TIMEOUT("timeout"),
    /** The caller abandoned the dial. */
    CONTEXT("context"),
    /** The proxy closed the pending dial ({@code DIAL_CLS}). */
    DIAL_CLOSED("dialclosed"),
    /** The tunnel stream ended, before the dial completed or under an established connection. */
    TUNNEL_CLOSED("tunnelclosed"),
    /** The proxy could not be reached at all. */
    PROXY_UNREACHABLE("unknown");

    private final String label;

    Reason(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  private final Reason reason;

  public TunnelException(Reason reason, String message) {
    this(reason, message, null);
  }

  public TunnelException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}

package dev.hostplane.apiserver.registry.types;

/**
 * An allocator could not hand out an address or port. {@link #getMessage()} is upstream's allocator error text
 * ("provided IP is already allocated", "range is full", ...), which strategies wrap into a field cause.
 */
public final class AllocationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why allocation failed. */
  public enum Reason {
    /** The requested value is held by someone else. */
    ALREADY_ALLOCATED,
    /** No free value is left. */
    FULL,
    /** The requested value lies outside the range. */
    NOT_IN_RANGE,
    /** The requested value is not an address or port at all. */
    INVALID
  }

  private final Reason reason;

  public AllocationException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}

package dev.hostplane.apiserver.registry;

import java.util.List;

/**
 * A claim lost to another object (usually written through another apiserver): the values are taken. Signals the
 * store to prepare the object again; see {@link HoldsAllocations#claim}. No stack trace is captured.
 */
public final class AllocationConflict extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AllocationConflict(List<String> taken) {
    super("already allocated elsewhere: " + String.join(", ", taken), null, false, false);
  }
}

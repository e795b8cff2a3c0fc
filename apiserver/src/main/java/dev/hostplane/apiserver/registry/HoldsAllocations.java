package dev.hostplane.apiserver.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A strategy ability: objects of this type hold values from a shared pool (a Service's cluster IPs and node
 * ports), taken in prepareForCreate/prepareForUpdate. The store gives them back when the write that took them does
 * not happen (failed validation, admission or storage, a dry run, a compare-and-swap retry) and when the object is
 * deleted.
 */
public interface HoldsAllocations {
  /** Gives back everything {@code obj} holds. */
  void release(ObjectNode obj);

  /** Gives back what {@code holder} holds and {@code keep} does not. */
  void releaseUnshared(ObjectNode holder, ObjectNode keep);

  /** Marks everything {@code obj} holds as taken (objects written elsewhere, or found at start-up). */
  void markUsed(ObjectNode obj);
}

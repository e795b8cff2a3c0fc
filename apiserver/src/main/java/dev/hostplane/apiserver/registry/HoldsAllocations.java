package dev.hostplane.apiserver.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletionStage;

/**
 * A strategy ability: objects of this type hold values from a pool shared by every apiserver on one storage (a
 * Service's cluster IPs and node ports). prepareForCreate/prepareForUpdate take them from this apiserver's view of
 * the pool; {@link #claim} then makes them the object's own in storage, where another apiserver may have been
 * first. The store gives values back when the write that took them does not happen (failed validation, admission
 * or storage, a dry run, a compare-and-swap retry) and when the object is deleted, and waits for the give-back
 * before it answers, so that a client's next request finds the values free.
 *
 * <p>Every returned stage completes on a storage thread, never fails (a value that could not be given back in
 * storage is left for the repair loop) except {@link #claim}, and never blocks.
 */
public interface HoldsAllocations {
  /**
   * Claims in shared storage what {@code obj} holds and {@code old} (null on create) does not, for {@code obj}'s
   * uid. Fails with {@link AllocationConflict} when another object holds one of the values: everything {@code obj}
   * took beyond {@code old} has then been given back, and the values found taken are marked as such in this
   * apiserver's view, so that preparing a fresh copy again picks other values (or reports a requested value as
   * allocated). Other failures leave the caller's duty to give back unchanged.
   */
  CompletionStage<Void> claim(ObjectNode obj, ObjectNode old);

  /** Gives back everything {@code obj} holds. */
  CompletionStage<Void> release(ObjectNode obj);

  /** Gives back what {@code holder} holds and {@code keep} (may be null) does not. */
  CompletionStage<Void> releaseUnshared(ObjectNode holder, ObjectNode keep);

  /** Marks everything {@code obj} holds as taken in this apiserver's view (objects found at start-up). */
  void markUsed(ObjectNode obj);
}

package dev.hostplane.apiserver.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A strategy ability: something besides {@code metadata.finalizers} holds an object after deletion was asked for
 * (a namespace's {@code spec.finalizers}). The store deletes the object once neither holds it.
 */
public interface DeletionGate {
  /** True while {@code obj} must stay. */
  boolean holdsDeletion(ObjectNode obj);

  /** Marks {@code obj} (in place) as being deleted, e.g. {@code status.phase: Terminating}. */
  void markDeleting(ObjectNode obj);
}

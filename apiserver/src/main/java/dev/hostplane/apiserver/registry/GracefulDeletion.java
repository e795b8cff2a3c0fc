package dev.hostplane.apiserver.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A strategy ability: deletions wait a grace period (pods running on a node). The object stays with a
 * deletionTimestamp until something (the kubelet) deletes it again with grace 0.
 */
public interface GracefulDeletion {
  /**
   * The grace period in seconds for deleting {@code obj}, given the client's {@code requested} one (null when
   * unset); null or 0 deletes at once.
   */
  Long gracePeriod(ObjectNode obj, Long requested);
}

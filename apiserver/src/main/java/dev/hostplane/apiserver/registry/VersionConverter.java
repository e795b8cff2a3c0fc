package dev.hostplane.apiserver.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Converts between a served version and the storage version of one resource. Both methods may mutate and return
 * their argument; {@code apiVersion} is set by the caller.
 */
public interface VersionConverter {
  ObjectNode toStorage(ObjectNode external);

  ObjectNode fromStorage(ObjectNode stored);

  VersionConverter IDENTITY = new VersionConverter() {
    @Override
    public ObjectNode toStorage(ObjectNode external) {
      return external;
    }

    @Override
    public ObjectNode fromStorage(ObjectNode stored) {
      return stored;
    }
  };
}

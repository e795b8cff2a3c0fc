package dev.hostplane.apiserver.registry.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.ResourceType;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import java.io.IOException;

/**
 * Objects at rest: JSON of the storage version without {@code metadata.resourceVersion} (the storage revision is
 * the resourceVersion, set on every read). Thread-safe.
 */
public final class StoredCodec {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final ResourceType type;

  public StoredCodec(ResourceType type) {
    this.type = type;
  }

  /** Serializes a storage-version object; removes its resourceVersion in place. */
  public byte[] encode(ObjectNode storageObj) {
    ObjectMeta.meta(storageObj).remove("resourceVersion");
    try {
      return MAPPER.writeValueAsBytes(storageObj);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a JSON tree", e);
    }
  }

  /** The stored object in the storage version, with resourceVersion set. */
  public ObjectNode decodeStorage(StoredObject stored) {
    try {
      ObjectNode obj = (ObjectNode) MAPPER.readTree(stored.value());
      ObjectMeta.meta(obj).put("resourceVersion", Long.toString(stored.modRevision()));
      return obj;
    } catch (IOException | ClassCastException e) {
      throw new StorageException(StorageException.Code.CORRUPT, stored.key(), stored.modRevision(),
          "stored object at " + stored.key() + " is not a JSON object");
    }
  }

  /** The stored object in this type's version, with resourceVersion set. */
  public ObjectNode decode(StoredObject stored) {
    return fromStorage(decodeStorage(stored), null);
  }

  /** Converts a storage-version object into this type's version (in place), optionally setting the RV. */
  public ObjectNode fromStorage(ObjectNode storageObj, StoredObject stored) {
    ObjectNode out = type.converter().fromStorage(storageObj);
    out.put("apiVersion", type.apiVersion());
    out.put("kind", type.kind());
    if (stored != null) {
      ObjectMeta.meta(out).put("resourceVersion", Long.toString(stored.modRevision()));
    }
    return out;
  }

  /** Converts an object of this type's version into the storage version (in place). */
  public ObjectNode toStorage(ObjectNode external) {
    external.put("apiVersion", type.apiVersion());
    external.put("kind", type.kind());
    return type.converter().toStorage(external);
  }
}

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

  private static final byte[] METADATA_KEY = "\"metadata\":{".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /**
   * Serializes a storage-version object; removes its resourceVersion in place. The stored JSON always begins with
   * {@code apiVersion}, {@code kind} and {@code metadata}, in that order, so that reads can splice the
   * resourceVersion in without parsing ({@link #withResourceVersion}).
   */
  public byte[] encode(ObjectNode storageObj) {
    ObjectMeta.meta(storageObj).remove("resourceVersion");
    canonicalOrder(storageObj);
    try {
      return MAPPER.writeValueAsBytes(storageObj);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a JSON tree", e);
    }
  }

  private static void canonicalOrder(ObjectNode obj) {
    java.util.Iterator<String> names = obj.fieldNames();
    String[] expected = {"apiVersion", "kind", "metadata"};
    boolean ordered = true;
    for (String e : expected) {
      if (!names.hasNext() || !names.next().equals(e)) {
        ordered = false;
        break;
      }
    }
    if (ordered) {
      return;
    }
    ObjectNode rest = obj.deepCopy();
    obj.removeAll();
    for (String e : expected) {
      com.fasterxml.jackson.databind.JsonNode v = rest.remove(e);
      if (v != null) {
        obj.set(e, v);
      }
    }
    obj.setAll(rest);
  }

  /**
   * The stored bytes with {@code "resourceVersion":"<modRevision>"} inserted at the start of the top-level
   * metadata, without parsing; null when the bytes are not in the canonical order (then decode instead). Valid
   * only for types whose served version is the storage version.
   */
  public static byte[] withResourceVersion(StoredObject stored) {
    byte[] v = stored.value();
    int at = indexOf(v, METADATA_KEY);
    if (at < 0 || v.length == 0 || v[0] != '{') {
      return null;
    }
    for (int i = 1; i < at; i++) {
      if (v[i] == '{' || v[i] == '[') {
        return null; // something nested precedes metadata: not canonical
      }
    }
    int insert = at + METADATA_KEY.length;
    boolean empty = insert < v.length && v[insert] == '}';
    byte[] rv = ("\"resourceVersion\":\"" + stored.modRevision() + "\"" + (empty ? "" : ","))
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] out = new byte[v.length + rv.length];
    System.arraycopy(v, 0, out, 0, insert);
    System.arraycopy(rv, 0, out, insert, rv.length);
    System.arraycopy(v, insert, out, insert + rv.length, v.length - insert);
    return out;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
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

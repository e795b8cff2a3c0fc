package dev.hostplane.apiserver.storage.etcd;

import dev.hostplane.apiserver.storage.StoredObject;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Keys as etcd sees them: the SPI's string keys as UTF-8 bytes, ordered bytewise. */
final class Keys {
  private Keys() {}

  static ByteSequence bytes(String key) {
    return ByteSequence.from(key, StandardCharsets.UTF_8);
  }

  static String string(ByteSequence key) {
    return key.toString(StandardCharsets.UTF_8);
  }

  /** The end (exclusive) of the range of keys starting with {@code prefix}: its last byte below 0xff, plus one. */
  static ByteSequence prefixEnd(String prefix) {
    byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return ByteSequence.from(Arrays.copyOf(end, i + 1));
      }
    }
    return ByteSequence.from(new byte[] {0}); // every key (etcd's "from key" range end)
  }

  /** Unsigned bytewise order, etcd's key order. */
  static int compare(String a, String b) {
    return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  static StoredObject stored(KeyValue kv) {
    return new StoredObject(string(kv.getKey()), kv.getValue().getBytes(), kv.getCreateRevision(),
        kv.getModRevision());
  }
}

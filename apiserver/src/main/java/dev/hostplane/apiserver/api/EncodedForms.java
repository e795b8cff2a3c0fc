package dev.hostplane.apiserver.api;

import java.util.function.Supplier;

/**
 * The wire encodings of one object, computed at most once each and then shared: a watch event reaches every
 * watcher of its resource, and all of them that use the same format send the same bytes. Thread-safe; two threads
 * racing on a first encoding may both compute it (the results are equal), which is cheaper than a lock.
 */
public final class EncodedForms {
  /** The wire formats with a cached form. */
  public enum Format { JSON, PROTOBUF }

  private final byte[][] forms = new byte[Format.values().length][];

  /** The bytes of {@code format}, computing them with {@code encode} the first time. Must not be mutated. */
  public byte[] get(Format format, Supplier<byte[]> encode) {
    int i = format.ordinal();
    byte[] b = forms[i];
    if (b == null) {
      b = encode.get();
      forms[i] = b;
    }
    return b;
  }
}

package dev.hostplane.apiserver.encryption.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One resource's providers in configuration order: the first key of the first provider seals every write; a read
 * is opened by the key whose prefix the value carries (identity, with no prefix, reads anything that does not look
 * encrypted). A value opened by any but the first key is stale, so an update rewrites it with the first.
 */
public final class PrefixTransformer implements ValueTransformer {
  private static final byte[] ENCRYPTED = "k8s:enc:".getBytes(StandardCharsets.UTF_8);
  private final List<Envelope> envelopes;

  public PrefixTransformer(List<Envelope> envelopes) {
    if (envelopes.isEmpty()) {
      throw new IllegalArgumentException("at least one provider");
    }
    this.envelopes = List.copyOf(envelopes);
  }

  /** The provider that seals writes. */
  public Envelope writer() {
    return envelopes.get(0);
  }

  @Override
  public byte[] toStorage(byte[] plain, String key) {
    Envelope w = envelopes.get(0);
    byte[] prefix = w.prefix();
    if (prefix.length == 0) {
      return w.seal(plain, key);
    }
    byte[] sealed = w.seal(plain, key);
    byte[] out = new byte[prefix.length + sealed.length];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(sealed, 0, out, prefix.length, sealed.length);
    return out;
  }

  @Override
  public Plain fromStorage(byte[] stored, String key) {
    boolean looksEncrypted = startsWith(stored, ENCRYPTED);
    for (int i = 0; i < envelopes.size(); i++) {
      Envelope e = envelopes.get(i);
      byte[] prefix = e.prefix();
      if (prefix.length == 0) {
        if (looksEncrypted) {
          continue; // identity does not read encrypted data; a later provider may
        }
        return new Plain(stored, i != 0);
      }
      if (startsWith(stored, prefix)) {
        byte[] sealed = java.util.Arrays.copyOfRange(stored, prefix.length, stored.length);
        return new Plain(e.open(sealed, key), i != 0);
      }
    }
    if (looksEncrypted && envelopes.stream().anyMatch(e -> e.prefix().length == 0)) {
      throw new TransformException("identity transformer tried to read encrypted data");
    }
    throw new TransformException("no matching prefix found");
  }

  private static boolean startsWith(byte[] value, byte[] prefix) {
    if (value.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (value[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}

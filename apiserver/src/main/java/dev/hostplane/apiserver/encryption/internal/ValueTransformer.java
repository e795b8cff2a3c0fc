package dev.hostplane.apiserver.encryption.internal;

/**
 * Turns a stored value into its plaintext and back, for one storage key. Thread-safe; never blocks.
 */
public interface ValueTransformer {
  /** The plaintext of {@code stored}; fails with {@link TransformException} when it cannot be read. */
  Plain fromStorage(byte[] stored, String key);

  /** The bytes to store for {@code plain}. */
  byte[] toStorage(byte[] plain, String key);

  /**
   * A decrypted value. {@code stale} means it was not written by the current write provider and key, so an update
   * must rewrite it even when the plaintext is unchanged (key rotation).
   */
  record Plain(byte[] value, boolean stale) {}

  /** A value that cannot be decrypted (unknown prefix, wrong key, corrupt ciphertext). No stack trace. */
  final class TransformException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TransformException(String message) {
      super(message, null, false, false);
    }
  }
}

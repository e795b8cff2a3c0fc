package dev.hostplane.apiserver.encryption.internal;

/**
 * One key of one provider: its stored prefix ({@code k8s:enc:<provider>:v1:<keyname>:}, empty for identity) and
 * how the bytes after the prefix are sealed and opened.
 */
public interface Envelope {
  /** The provider's name as in the configuration: aesgcm, aescbc, secretbox, identity. */
  String provider();

  /** The prefix in front of every value this key writes; empty for identity. */
  byte[] prefix();

  /** Seals {@code plain}; {@code key} is the storage key, authenticated where the provider supports it. */
  byte[] seal(byte[] plain, String key);

  /** Opens the bytes after the prefix; fails with {@link ValueTransformer.TransformException}. */
  byte[] open(byte[] sealed, String key);
}

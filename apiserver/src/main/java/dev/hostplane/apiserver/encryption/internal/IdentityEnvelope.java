package dev.hostplane.apiserver.encryption.internal;

/** {@code identity}: values are stored as they are, with no prefix. */
public final class IdentityEnvelope implements Envelope {
  public static final IdentityEnvelope INSTANCE = new IdentityEnvelope();
  private static final byte[] NONE = new byte[0];

  private IdentityEnvelope() {}

  @Override
  public String provider() {
    return "identity";
  }

  @Override
  public byte[] prefix() {
    return NONE;
  }

  @Override
  public byte[] seal(byte[] plain, String key) {
    return plain;
  }

  @Override
  public byte[] open(byte[] sealed, String key) {
    return sealed;
  }
}

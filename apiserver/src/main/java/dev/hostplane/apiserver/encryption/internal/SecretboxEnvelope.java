package dev.hostplane.apiserver.encryption.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * {@code secretbox}: a random 24-byte nonce followed by NaCl's secretbox (XSalsa20-Poly1305): the first 32 bytes
 * of the XSalsa20 key stream are the one-time Poly1305 key, the rest encrypts the value, and the 16-byte tag over
 * the ciphertext comes first. No authenticated data.
 */
public final class SecretboxEnvelope implements Envelope {
  private static final int NONCE = 24;
  private static final int TAG = 16;
  private static final SecureRandom RANDOM = new SecureRandom();
  private final byte[] secret;
  private final byte[] prefix;
  private final String name;

  public SecretboxEnvelope(String name, byte[] secret) {
    if (secret.length != 32) {
      throw new IllegalArgumentException("a secretbox key has 32 bytes");
    }
    this.name = name;
    this.secret = secret.clone();
    this.prefix = ("k8s:enc:secretbox:v1:" + name + ":").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String provider() {
    return "secretbox";
  }

  @Override
  public byte[] prefix() {
    return prefix;
  }

  @Override
  public byte[] seal(byte[] plain, String key) {
    byte[] nonce = new byte[NONCE];
    RANDOM.nextBytes(nonce);
    byte[] out = new byte[NONCE + TAG + plain.length];
    System.arraycopy(nonce, 0, out, 0, NONCE);
    box(nonce, plain, out, NONCE);
    return out;
  }

  /** The secretbox of {@code plain} under {@code nonce}: tag then ciphertext, written to {@code out} at {@code at}. */
  public byte[] box(byte[] nonce, byte[] plain) {
    byte[] out = new byte[TAG + plain.length];
    box(nonce, plain, out, 0);
    return out;
  }

  private void box(byte[] nonce, byte[] plain, byte[] out, int at) {
    XSalsa20Engine stream = new XSalsa20Engine();
    stream.init(true, new ParametersWithIV(new KeyParameter(secret), nonce));
    byte[] macKey = new byte[32];
    stream.processBytes(new byte[32], 0, 32, macKey, 0);
    stream.processBytes(plain, 0, plain.length, out, at + TAG);
    Poly1305 mac = new Poly1305();
    mac.init(new KeyParameter(macKey));
    mac.update(out, at + TAG, plain.length);
    mac.doFinal(out, at);
  }

  @Override
  public byte[] open(byte[] sealed, String key) {
    if (sealed.length < NONCE + TAG) {
      throw new ValueTransformer.TransformException("the stored data was shorter than the required size");
    }
    byte[] nonce = java.util.Arrays.copyOf(sealed, NONCE);
    XSalsa20Engine stream = new XSalsa20Engine();
    stream.init(false, new ParametersWithIV(new KeyParameter(secret), nonce));
    byte[] macKey = new byte[32];
    stream.processBytes(new byte[32], 0, 32, macKey, 0);
    Poly1305 mac = new Poly1305();
    mac.init(new KeyParameter(macKey));
    int body = sealed.length - NONCE - TAG;
    mac.update(sealed, NONCE + TAG, body);
    byte[] tag = new byte[TAG];
    mac.doFinal(tag, 0);
    if (!MessageDigest.isEqual(tag, java.util.Arrays.copyOfRange(sealed, NONCE, NONCE + TAG))) {
      throw new ValueTransformer.TransformException("failed to decrypt data with secretbox key \"" + name
          + "\": message authentication failed");
    }
    byte[] plain = new byte[body];
    stream.processBytes(sealed, NONCE + TAG, body, plain, 0);
    return plain;
  }
}

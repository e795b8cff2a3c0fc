package dev.hostplane.apiserver.encryption.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code aesgcm}: a random 12-byte nonce followed by the AES-GCM ciphertext with its 16-byte tag; the storage key
 * is the authenticated data, so a value copied to another key does not open.
 */
public final class AesGcmEnvelope implements Envelope {
  private static final int NONCE = 12;
  private static final SecureRandom RANDOM = new SecureRandom();
  private final SecretKeySpec secret;
  private final byte[] prefix;
  private final String name;

  public AesGcmEnvelope(String name, byte[] secret) {
    this.name = name;
    this.secret = new SecretKeySpec(secret, "AES");
    this.prefix = ("k8s:enc:aesgcm:v1:" + name + ":").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String provider() {
    return "aesgcm";
  }

  @Override
  public byte[] prefix() {
    return prefix;
  }

  @Override
  public byte[] seal(byte[] plain, String key) {
    byte[] nonce = new byte[NONCE];
    RANDOM.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, secret, new GCMParameterSpec(128, nonce));
      c.updateAAD(key.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE + c.getOutputSize(plain.length)];
      System.arraycopy(nonce, 0, out, 0, NONCE);
      c.doFinal(plain, 0, plain.length, out, NONCE);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  @Override
  public byte[] open(byte[] sealed, String key) {
    if (sealed.length < NONCE + 16) {
      throw new ValueTransformer.TransformException("the stored data was shorter than the required size");
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, secret, new GCMParameterSpec(128, sealed, 0, NONCE));
      c.updateAAD(key.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(sealed, NONCE, sealed.length - NONCE);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new ValueTransformer.TransformException("failed to decrypt data with aesgcm key \"" + name
          + "\": message authentication failed");
    } catch (GeneralSecurityException e) {
      throw new ValueTransformer.TransformException("failed to decrypt data with aesgcm key \"" + name + "\": "
          + e.getMessage());
    }
  }
}

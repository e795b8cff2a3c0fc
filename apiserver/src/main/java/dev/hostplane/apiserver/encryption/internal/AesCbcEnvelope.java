package dev.hostplane.apiserver.encryption.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** {@code aescbc}: a random 16-byte IV followed by the AES-CBC ciphertext of the PKCS#7-padded value. */
public final class AesCbcEnvelope implements Envelope {
  private static final int IV = 16;
  private static final SecureRandom RANDOM = new SecureRandom();
  private final SecretKeySpec secret;
  private final byte[] prefix;
  private final String name;

  public AesCbcEnvelope(String name, byte[] secret) {
    this.name = name;
    this.secret = new SecretKeySpec(secret, "AES");
    this.prefix = ("k8s:enc:aescbc:v1:" + name + ":").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String provider() {
    return "aescbc";
  }

  @Override
  public byte[] prefix() {
    return prefix;
  }

  @Override
  public byte[] seal(byte[] plain, String key) {
    byte[] iv = new byte[IV];
    RANDOM.nextBytes(iv);
    try {
      // The JDK's PKCS5Padding on a 16-byte block cipher is PKCS#7.
      Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
      c.init(Cipher.ENCRYPT_MODE, secret, new IvParameterSpec(iv));
      byte[] out = new byte[IV + c.getOutputSize(plain.length)];
      System.arraycopy(iv, 0, out, 0, IV);
      int n = c.doFinal(plain, 0, plain.length, out, IV);
      return n + IV == out.length ? out : java.util.Arrays.copyOf(out, n + IV);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CBC is not available", e);
    }
  }

  @Override
  public byte[] open(byte[] sealed, String key) {
    if (sealed.length < IV) {
      throw new ValueTransformer.TransformException("the stored data was shorter than the required size");
    }
    if ((sealed.length - IV) % 16 != 0) {
      throw new ValueTransformer.TransformException("invalid block size");
    }
    try {
      Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
      c.init(Cipher.DECRYPT_MODE, secret, new IvParameterSpec(sealed, 0, IV));
      return c.doFinal(sealed, IV, sealed.length - IV);
    } catch (GeneralSecurityException e) {
      throw new ValueTransformer.TransformException("failed to decrypt data with aescbc key \"" + name
          + "\": invalid PKCS7 data (empty or not padded)");
    }
  }
}

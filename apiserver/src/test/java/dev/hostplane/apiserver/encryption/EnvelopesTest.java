package dev.hostplane.apiserver.encryption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.encryption.internal.AesCbcEnvelope;
import dev.hostplane.apiserver.encryption.internal.AesGcmEnvelope;
import dev.hostplane.apiserver.encryption.internal.Envelope;
import dev.hostplane.apiserver.encryption.internal.IdentityEnvelope;
import dev.hostplane.apiserver.encryption.internal.PrefixTransformer;
import dev.hostplane.apiserver.encryption.internal.SecretboxEnvelope;
import dev.hostplane.apiserver.encryption.internal.ValueTransformer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EnvelopesTest {
  static final String KEY = "/registry/secrets/default/s1";
  static final byte[] PLAIN = "{\"data\":{\"password\":\"hunter2\"}}".getBytes(StandardCharsets.UTF_8);

  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (seed + i);
    }
    return b;
  }

  static Stream<Envelope> envelopes() {
    return Stream.of(new AesGcmEnvelope("k", bytes(16, 1)), new AesGcmEnvelope("k", bytes(24, 1)),
        new AesGcmEnvelope("k", bytes(32, 1)), new AesCbcEnvelope("k", bytes(16, 2)),
        new AesCbcEnvelope("k", bytes(32, 2)), new SecretboxEnvelope("k", bytes(32, 3)));
  }

  @ParameterizedTest
  @MethodSource("envelopes")
  void eachProviderRoundTripsAndHidesThePlaintext(Envelope e) {
    byte[] sealed = e.seal(PLAIN, KEY);
    assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("hunter2"));
    assertArrayEquals(PLAIN, e.open(sealed, KEY));
    assertArrayEquals(new byte[0], e.open(e.seal(new byte[0], KEY), KEY));
    // A fresh nonce or IV each time.
    assertFalse(java.util.Arrays.equals(sealed, e.seal(PLAIN, KEY)));
  }

  @ParameterizedTest
  @MethodSource("envelopes")
  void aTamperedValueDoesNotOpen(Envelope e) {
    byte[] sealed = e.seal(PLAIN, KEY);
    sealed[sealed.length - 1] ^= 0x55;
    if (e instanceof AesCbcEnvelope) {
      // CBC has no tag: a flipped last byte breaks the padding or yields other bytes, never the plaintext.
      try {
        assertFalse(java.util.Arrays.equals(PLAIN, e.open(sealed, KEY)));
      } catch (ValueTransformer.TransformException expected) {
        // bad padding
      }
      return;
    }
    assertThrows(ValueTransformer.TransformException.class, () -> e.open(sealed, KEY));
  }

  @Test
  void formatsAreUpstreams() {
    byte[] gcm = new AesGcmEnvelope("k", bytes(32, 1)).seal(PLAIN, KEY);
    assertEquals(12 + PLAIN.length + 16, gcm.length); // nonce + ciphertext + tag
    byte[] cbc = new AesCbcEnvelope("k", bytes(32, 1)).seal(PLAIN, KEY);
    assertEquals(16 + (PLAIN.length / 16 + 1) * 16, cbc.length); // IV + PKCS#7-padded blocks
    byte[] box = new SecretboxEnvelope("k", bytes(32, 1)).seal(PLAIN, KEY);
    assertEquals(24 + 16 + PLAIN.length, box.length); // nonce + tag + ciphertext
  }

  @Test
  void aesgcmAuthenticatesTheStorageKey() {
    AesGcmEnvelope e = new AesGcmEnvelope("k", bytes(32, 1));
    byte[] sealed = e.seal(PLAIN, KEY);
    ValueTransformer.TransformException x = assertThrows(ValueTransformer.TransformException.class,
        () -> e.open(sealed, "/registry/secrets/default/other"));
    assertTrue(x.getMessage().contains("failed to decrypt"), x.getMessage());
  }

  @Test
  void secretboxMatchesNaclTestVector() {
    HexFormat hex = HexFormat.of();
    byte[] key = hex.parseHex("1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389");
    byte[] nonce = hex.parseHex("69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37");
    byte[] plain = hex.parseHex("be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5ecbaaf33bd751a"
        + "1ac728d45e6c61296cdc3c01233561f41db66cce314adb310e3be8250c46f06dceea3a7fa1348057"
        + "e2f6556ad6b1318a024a838f21af1fde048977eb48f59ffd4924ca1c60902e52f0a089bc76897040"
        + "e082f937763848645e0705");
    String expected = "f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce48332ea7164d96a4"
        + "476fb8c531a1186ac0dfc17c98dce87b4da7f011ec48c97271d2c20f9b928fe2270d6fb863d51738"
        + "b48eeee314a7cc8ab932164548e526ae90224368517acfeabd6bb3732bc0e9da99832b61ca01b6de"
        + "56244a9e88d5f9b37973f622a43d14a6599b1f654cb45a74e355a5";
    SecretboxEnvelope box = new SecretboxEnvelope("k", key);
    byte[] sealed = box.box(nonce, plain);
    assertEquals(expected, hex.formatHex(sealed));
    byte[] stored = new byte[24 + sealed.length];
    System.arraycopy(nonce, 0, stored, 0, 24);
    System.arraycopy(sealed, 0, stored, 24, sealed.length);
    assertArrayEquals(plain, box.open(stored, KEY));
  }

  @Test
  void prefixTransformerWritesWithTheFirstAndReadsWithAnyMarkingOthersStale() {
    AesGcmEnvelope k1 = new AesGcmEnvelope("key1", bytes(32, 1));
    AesGcmEnvelope k2 = new AesGcmEnvelope("key2", bytes(32, 9));
    PrefixTransformer old = new PrefixTransformer(List.of(k1));
    PrefixTransformer rotated = new PrefixTransformer(List.of(k2, k1));
    byte[] v1 = old.toStorage(PLAIN, KEY);
    assertTrue(new String(v1, StandardCharsets.ISO_8859_1).startsWith("k8s:enc:aesgcm:v1:key1:"));
    ValueTransformer.Plain p = rotated.fromStorage(v1, KEY);
    assertArrayEquals(PLAIN, p.value());
    assertTrue(p.stale());
    byte[] v2 = rotated.toStorage(PLAIN, KEY);
    assertTrue(new String(v2, StandardCharsets.ISO_8859_1).startsWith("k8s:enc:aesgcm:v1:key2:"));
    assertFalse(rotated.fromStorage(v2, KEY).stale());
    ValueTransformer.TransformException x = assertThrows(ValueTransformer.TransformException.class,
        () -> old.fromStorage(v2, KEY));
    assertEquals("no matching prefix found", x.getMessage());
  }

  @Test
  void identityReadsPlaintextButNotEncryptedData() {
    PrefixTransformer identityFirst = new PrefixTransformer(List.of(IdentityEnvelope.INSTANCE,
        new SecretboxEnvelope("b", bytes(32, 4))));
    byte[] sealed = new PrefixTransformer(List.of(new SecretboxEnvelope("b", bytes(32, 4)))).toStorage(PLAIN, KEY);
    assertArrayEquals(PLAIN, identityFirst.fromStorage(sealed, KEY).value());
    assertTrue(identityFirst.fromStorage(sealed, KEY).stale());
    assertArrayEquals(PLAIN, identityFirst.toStorage(PLAIN, KEY));
    assertFalse(identityFirst.fromStorage(PLAIN, KEY).stale());
    PrefixTransformer identityOnly = new PrefixTransformer(List.of(IdentityEnvelope.INSTANCE));
    assertEquals("identity transformer tried to read encrypted data", assertThrows(
        ValueTransformer.TransformException.class, () -> identityOnly.fromStorage(sealed, KEY)).getMessage());
    PrefixTransformer encryptedOnly = new PrefixTransformer(List.of(new AesCbcEnvelope("c", bytes(32, 5))));
    assertEquals("no matching prefix found", assertThrows(ValueTransformer.TransformException.class,
        () -> encryptedOnly.fromStorage(PLAIN, KEY)).getMessage());
  }
}

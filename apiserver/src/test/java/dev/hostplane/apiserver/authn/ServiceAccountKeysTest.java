package dev.hostplane.apiserver.authn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.authn.internal.Jws;
import dev.hostplane.apiserver.pki.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceAccountKeysTest {
  /** A P-256 key made with openssl; its key id and JWK coordinates were computed with openssl, independently. */
  static final String OPENSSL_EC_KEY = """
      -----BEGIN EC PRIVATE KEY-----
      MHcCAQEEIFGe/Mx3cqKZKkreGRiHkGpulylP52iEi/lmcUHalUwnoAoGCCqGSM49
      AwEHoUQDQgAE/vAaiDV9mtnYjo7xIXkhsEAivmci5c/LVB6r3qEB3s14VRjSc2ZI
      lTrToZrvm3mi430M0i28xlUg3wuf7UvOlw==
      -----END EC PRIVATE KEY-----
      """;
  static final String OPENSSL_EC_PUB = """
      -----BEGIN PUBLIC KEY-----
      MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE/vAaiDV9mtnYjo7xIXkhsEAivmci
      5c/LVB6r3qEB3s14VRjSc2ZIlTrToZrvm3mi430M0i28xlUg3wuf7UvOlw==
      -----END PUBLIC KEY-----
      """;

  @Test
  void keyIdIsTheBase64UrlSha256OfThePkixPublicKey() {
    PublicKey pub = ServiceAccountKeys.parsePublicKeys(OPENSSL_EC_PUB).get(0);
    assertEquals("0csE86817CFfakxr1wZog0zfnaGeezJhFRlNNt06K7o", ServiceAccountKeys.keyId(pub));
    // The private key's derived public half is the same key.
    PublicKey derived = ServiceAccountKeys.parsePublicKeys(OPENSSL_EC_KEY).get(0);
    assertEquals(pub, derived);
  }

  @Test
  void jwksCarriesEcCoordinatesAndUse() {
    ServiceAccountKeys keys = ServiceAccountKeys.of(Pem.parsePrivateKey(OPENSSL_EC_KEY),
        ServiceAccountKeys.parsePublicKeys(OPENSSL_EC_PUB));
    JsonNode jwk = keys.jwks().path("keys").get(0);
    assertEquals("sig", jwk.path("use").asText());
    assertEquals("EC", jwk.path("kty").asText());
    assertEquals("P-256", jwk.path("crv").asText());
    assertEquals("ES256", jwk.path("alg").asText());
    assertEquals("0csE86817CFfakxr1wZog0zfnaGeezJhFRlNNt06K7o", jwk.path("kid").asText());
    assertEquals("_vAaiDV9mtnYjo7xIXkhsEAivmci5c_LVB6r3qEB3s0", jwk.path("x").asText());
    assertEquals("eFUY0nNmSJU606Ga75t5ouN9DNItvMZVIN8Ln-1Lzpc", jwk.path("y").asText());
    assertEquals(List.of("ES256"), keys.algorithms());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"RSA,2048,RS256", "EC,secp256r1,ES256", "EC,secp384r1,ES384", "EC,secp521r1,ES512"})
  void signsAndVerifiesAndRejectsForgeries(String type, String param, String alg) throws Exception {
    KeyPair pair = generate(type, param);
    KeyPair other = generate(type, param);
    ObjectNode claims = Codecs.mapper().createObjectNode().put("sub", "x");
    String token = Jws.sign(claims, pair.getPrivate(), "kid-1");
    Jws.Parsed parsed = Jws.parse(token);
    assertEquals(alg, parsed.algorithm());
    assertEquals("kid-1", parsed.header().path("kid").asText());
    assertTrue(Jws.verify(parsed, pair.getPublic()));
    assertFalse(Jws.verify(parsed, other.getPublic()), "another key's signature");
    // The same signature over altered claims.
    String[] parts = token.split("\\.");
    String altered = parts[0] + "." + Jws.base64Url("{\"sub\":\"y\"}".getBytes()) + "." + parts[2];
    assertFalse(Jws.verify(Jws.parse(altered), pair.getPublic()));
    // alg "none" and a header naming another algorithm than the key's are refused.
    String none = Jws.base64Url("{\"alg\":\"none\"}".getBytes()) + "." + parts[1] + ".";
    assertFalse(Jws.verify(Jws.parse(none), pair.getPublic()));
  }

  @Test
  void loadGeneratesAnRsaKeyOnceAndReusesIt(@TempDir Path dir) throws Exception {
    ServiceAccountKeys first = ServiceAccountKeys.load(null, List.of(), dir);
    assertTrue(Files.exists(dir.resolve("sa.key")));
    assertTrue(Files.readString(dir.resolve("sa.pub")).startsWith("-----BEGIN PUBLIC KEY-----"));
    assertEquals("RS256", Jws.algorithm(first.signingKey()));
    ServiceAccountKeys second = ServiceAccountKeys.load(null, List.of(), dir);
    assertEquals(first.signingKeyId(), second.signingKeyId());
    assertEquals(ServiceAccountKeys.parsePublicKeys(Files.readString(dir.resolve("sa.pub"))),
        second.verificationKeys());
  }

  @Test
  void replicasStartingTogetherOnOneCertDirAgreeOnTheKey(@TempDir Path dir) throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<ServiceAccountKeys>> loads = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        loads.add(pool.submit(() -> ServiceAccountKeys.load(null, List.of(), dir)));
      }
      String kid = loads.get(0).get().signingKeyId();
      for (var f : loads) {
        assertEquals(kid, f.get().signingKeyId());
      }
      assertEquals(kid, ServiceAccountKeys.keyId(
          ServiceAccountKeys.parsePublicKeys(Files.readString(dir.resolve("sa.pub"))).get(0)));
      try (var files = Files.list(dir)) {
        assertEquals(List.of("sa.key", "sa.pub"), files.map(p -> p.getFileName().toString()).sorted().toList());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void keyFilesMayHoldSeveralKeysOfEitherKind(@TempDir Path dir) throws Exception {
    KeyPair rsa = generate("RSA", "2048");
    Path both = dir.resolve("keys.pem");
    Files.writeString(both, ServiceAccountKeys.publicKeyPem(rsa.getPublic()) + OPENSSL_EC_KEY);
    Path signing = dir.resolve("signing.key");
    Files.writeString(signing, OPENSSL_EC_KEY);
    ServiceAccountKeys keys = ServiceAccountKeys.load(signing, List.of(both), dir);
    assertEquals(2, keys.verificationKeys().size(), "the signing key's public key is in the file already");
    assertEquals(List.of("ES256", "RS256"), keys.algorithms());
    assertFalse(Files.exists(dir.resolve("sa.key")), "no key generated when one is given");

    // Key files without the signing key (here: generated in the cert dir): it is trusted all the same.
    Path rsaOnly = dir.resolve("rsa.pem");
    Files.writeString(rsaOnly, ServiceAccountKeys.publicKeyPem(rsa.getPublic()));
    ServiceAccountKeys generated = ServiceAccountKeys.load(null, List.of(rsaOnly), dir.resolve("pki"));
    assertEquals(List.of(rsa.getPublic(), ServiceAccountKeys.publicKeyOf(generated.signingKey())),
        generated.verificationKeys());

    Path junk = dir.resolve("junk.pem");
    Files.writeString(junk, "not a key");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ServiceAccountKeys.load(signing, List.of(junk), dir));
    assertTrue(e.getMessage().startsWith(junk + ": "), e.getMessage());
  }

  private static KeyPair generate(String type, String param) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance(type);
    if (type.equals("RSA")) {
      g.initialize(Integer.parseInt(param));
    } else {
      g.initialize(new ECGenParameterSpec(param));
    }
    return g.generateKeyPair();
  }
}

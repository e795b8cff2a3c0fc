package dev.hostplane.apiserver.authn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.ApiServerConfig;
import dev.hostplane.apiserver.authn.internal.Jws;
import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.apiserver.pki.Pem;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The authentication flags: defaults, checks, and servers started with them. */
@Timeout(120)
class AuthenticationFlagsTest {
  private static ApiServerConfig parse(String... args) {
    Flags f = ApiServerConfig.flags();
    List<String> all = new ArrayList<>(List.of("--advertise-address=192.0.2.10"));
    all.addAll(List.of(args));
    f.parse(all);
    return ApiServerConfig.from(f);
  }

  @Test
  void defaultsAreUpstreams() {
    AuthenticationOptions o = parse().authentication();
    assertTrue(o.anonymous());
    assertEquals(List.of("https://kubernetes.default.svc.cluster.local"), o.issuers());
    assertEquals(o.issuers(), o.apiAudiences(), "the API audiences default to the issuers");
    assertEquals(Duration.ZERO, o.maxTokenExpiration());
    assertTrue(o.extendTokenExpiration());
    assertFalse(parse("--service-account-extend-token-expiration=false").authentication().extendTokenExpiration());
    assertEquals(null, o.signingKeyFile());
    assertEquals(List.of(), o.keyFiles());

    AuthenticationOptions set = parse("--anonymous-auth=false", "--service-account-issuer=https://a.example",
        "--service-account-issuer=https://b.example", "--service-account-key-file=/k1.pem",
        "--service-account-key-file=/k2.pem", "--service-account-max-token-expiration=24h").authentication();
    assertFalse(set.anonymous());
    assertEquals(List.of("https://a.example", "https://b.example"), set.issuers());
    assertEquals(List.of("https://a.example", "https://b.example"), set.apiAudiences());
    assertEquals(List.of(Path.of("/k1.pem"), Path.of("/k2.pem")), set.keyFiles());
    assertEquals(Duration.ofHours(24), set.maxTokenExpiration());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--service-account-max-token-expiration=30m|the service-account-max-token-expiration must be between 1 hour "
          + "and 2^32 seconds",
      "--service-account-issuer=https:/bad|--service-account-issuer https:/bad contained a ':' but was not a valid "
          + "URL",
      "--service-account-jwks-uri=http://x/jwks|--service-account-jwks-uri requires https scheme, parsed as: "
          + "http://x/jwks"})
  void badValuesAreRefused(String flag, String message) {
    Flags.FlagException e = assertThrows(Flags.FlagException.class, () -> parse(flag));
    assertEquals(message, e.getMessage());
  }

  @Test
  void generatedKeySurvivesARestartAndAnonymousCanBeTurnedOff(@TempDir Path dir) throws Exception {
    String token;
    try (TestApiServer first = TestApiServer.start(dir)) {
      AuthnHttp http = new AuthnHttp(first);
      http.serviceAccount("default", "keeper");
      token = http.tokenRequest("default", "keeper", "{}");
      assertEquals(200, http.anonymous("GET", "/version").statusCode());
    }
    try (TestApiServer second = TestApiServer.start(dir, "--anonymous-auth=false")) {
      AuthnHttp http = new AuthnHttp(second);
      http.grantReaders();
      assertEquals(200, http.as(token, "GET", "/api/v1/namespaces", null).statusCode(),
          "a token issued before the restart");
      HttpResponse<String> anon = http.anonymous("GET", "/version");
      assertEquals(401, anon.statusCode());
      assertEquals("Unauthorized", TestApiServer.json(anon).path("reason").asText());
      assertEquals(200, second.get("/version").statusCode(), "client certificates still authenticate");
    }
  }

  @Test
  void ecdsaKeysIssuersAudiencesAndTheExpirationCap(@TempDir Path dir) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair signing = g.generateKeyPair();
    KeyPair retired = g.generateKeyPair();
    Path signingFile = dir.resolve("sa-signing.key");
    Pem.writePrivateKey(signingFile, signing.getPrivate());
    Path keys = dir.resolve("sa-keys.pem");
    Files.writeString(keys, ServiceAccountKeys.publicKeyPem(signing.getPublic())
        + ServiceAccountKeys.publicKeyPem(retired.getPublic()));
    try (TestApiServer s = TestApiServer.start(dir.resolve("server"),
        "--service-account-signing-key-file=" + signingFile, "--service-account-key-file=" + keys,
        "--service-account-issuer=https://issuer.example", "--service-account-issuer=https://old.example",
        "--api-audiences=api", "--service-account-max-token-expiration=2h",
        "--service-account-jwks-uri=https://keys.example/jwks")) {
      AuthnHttp http = new AuthnHttp(s);
      http.grantReaders();
      http.serviceAccount("default", "ec");
      HttpResponse<String> r = s.send("POST", "/api/v1/namespaces/default/serviceaccounts/ec/token",
          "application/json", "{\"spec\":{\"expirationSeconds\":86400}}");
      assertEquals(201, r.statusCode(), r.body());
      JsonNode tr = TestApiServer.json(r);
      assertEquals(7200, tr.path("spec").path("expirationSeconds").asLong(), "capped");
      assertEquals(List.of("api"), AuthnHttp.strings(tr.path("spec").path("audiences")));
      String token = tr.path("status").path("token").asText();
      Jws.Parsed parsed = Jws.parse(token);
      assertEquals("ES384", parsed.algorithm());
      assertEquals("https://issuer.example", parsed.payload().path("iss").asText());
      assertEquals(parsed.payload().path("iat").asLong() + 7200, parsed.payload().path("exp").asLong());
      assertEquals(200, http.as(token, "GET", "/api/v1/namespaces", null).statusCode());

      // A token of the second (older) issuer, signed by the retired key, is still accepted.
      String uid = TestApiServer.json(s.get("/api/v1/namespaces/default/serviceaccounts/ec")).path("metadata")
          .path("uid").asText();
      ServiceAccountTokens old = new ServiceAccountTokens(ServiceAccountKeys.of(retired.getPrivate(),
          List.of(retired.getPublic())), List.of("https://old.example"), List.of("api"), Duration.ZERO,
          (res, ns, name) -> null, java.time.Clock.systemUTC());
      String oldToken = old.issue(new ServiceAccountTokens.Grant("default", "ec", uid, List.of(), 3600, null, null,
          null)).token();
      assertEquals(200, http.as(oldToken, "GET", "/version", null).statusCode());

      JsonNode doc = TestApiServer.json(http.as(token, "GET", "/.well-known/openid-configuration",
          null));
      assertEquals("https://issuer.example", doc.path("issuer").asText());
      assertEquals("https://keys.example/jwks", doc.path("jwks_uri").asText());
      assertEquals(List.of("ES384"), AuthnHttp.strings(doc.path("id_token_signing_alg_values_supported")));
      JsonNode jwks = TestApiServer.json(http.as(token, "GET", "/openid/v1/jwks", null));
      assertEquals(2, jwks.path("keys").size());
      assertEquals("P-384", jwks.path("keys").get(0).path("crv").asText());
      assertEquals(parsed.header().path("kid").asText(), jwks.path("keys").get(0).path("kid").asText());
    }
  }

  @Test
  void aNonHttpsIssuerServesNoDiscovery(@TempDir Path dir) throws Exception {
    try (TestApiServer s = TestApiServer.start(dir, "--service-account-issuer=hostplane")) {
      assertEquals(404, s.get("/.well-known/openid-configuration").statusCode());
      HttpResponse<String> r = s.send(HttpRequest.newBuilder(s.uri("/openid/v1/jwks")).build());
      assertEquals(404, r.statusCode());
    }
  }
}

package dev.hostplane.apiserver.authn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.api.Times;
import dev.hostplane.apiserver.api.protobuf.KubeProtobuf;
import dev.hostplane.apiserver.authn.internal.Jws;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authenticator chain, TokenRequest, TokenReview, SelfSubjectReview, issuer discovery and impersonation,
 * over HTTP against one server with a token file (alice: a developer; root: in system:masters).
 */
@Timeout(120)
class AuthenticationHttpTest {
  static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
  @TempDir
  static Path dir;
  static TestApiServer server;

  @BeforeAll
  static void start() throws Exception {
    Path tokens = dir.resolve("tokens.csv");
    Files.writeString(tokens, "alice-token,alice,uid-alice,\"developers,testers\"\nroot-token,root,uid-root,"
        + "system:masters\n");
    server = TestApiServer.start(dir.resolve("server"), "--token-auth-file=" + tokens);
    new AuthnHttp(server).grantReaders();
    create("/api/v1/namespaces", "{\"metadata\":{\"name\":\"team\"}}");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  // --- token file and anonymous ---

  @Test
  void tokenFileUserIsAuthenticatedWithGroupsAndUid() throws Exception {
    HttpResponse<String> r = as("alice-token", "GET", "/api/v1/namespaces", null);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode user = whoami("alice-token", Map.of());
    assertEquals("alice", user.path("username").asText());
    assertEquals("uid-alice", user.path("uid").asText());
    assertEquals(List.of("developers", "testers", "system:authenticated"), strings(user.path("groups")));
  }

  @Test
  void unknownBearerTokenIsUnauthorizedNotAnonymous() throws Exception {
    for (String path : List.of("/version", "/api/v1/namespaces")) {
      HttpResponse<String> r = as("no-such-token", "GET", path, null);
      assertUnauthorized(r);
    }
  }

  @Test
  void otherAuthorizationSchemesAreAnonymous() throws Exception {
    HttpRequest basic = HttpRequest.newBuilder(server.uri("/version"))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("a:b".getBytes())).build();
    assertEquals(200, server.anonymousClient().send(basic, HttpResponse.BodyHandlers.ofString()).statusCode());
  }

  @Test
  void anonymousMayReadOnlyThePublicPaths() throws Exception {
    assertEquals(200, anonymous("GET", "/version").statusCode());
    assertEquals(200, anonymous("GET", "/healthz").statusCode());
    // A single check is anonymous but not in upstream's system:public-info-viewer role: 403, not 401.
    assertEquals(403, anonymous("GET", "/readyz/etcd").statusCode());
    // Everywhere else a request without credentials is not authenticated at all: 401, whether the path exists or
    // not, so nothing is disclosed.
    for (String path : List.of("/api/v1/namespaces", "/api", "/apis", "/openapi/v2", "/metrics",
        "/.well-known/openid-configuration", "/api/v1/namespaces/default/secrets/x", "/no/such/path")) {
      HttpResponse<String> r = anonymous("GET", path);
      assertEquals(401, r.statusCode(), path);
      assertEquals("Unauthorized", TestApiServer.json(r).path("reason").asText(), path);
    }
    assertEquals(401, anonymous("POST", "/api/v1/namespaces").statusCode());
  }

  /**
   * Every path the server serves, read from its own discovery (every resource of every group version, namespaced
   * and cluster-wide, collection and object, each subresource), answers 401 to a request without credentials.
   */
  @Test
  void everyApiPathWithoutCredentialsIsUnauthorized() throws Exception {
    List<String> versions = new java.util.ArrayList<>(List.of("/api/v1"));
    for (JsonNode g : TestApiServer.json(server.get("/apis")).path("groups")) {
      for (JsonNode v : g.path("versions")) {
        versions.add("/apis/" + v.path("groupVersion").asText());
      }
    }
    int checked = 0;
    for (String gv : versions) {
      for (JsonNode r : TestApiServer.json(server.get(gv)).path("resources")) {
        String[] name = r.path("name").asText().split("/", 2);
        String base = r.path("namespaced").asBoolean() ? gv + "/namespaces/team/" + name[0] : gv + "/" + name[0];
        List<String> paths = name.length == 2 ? List.of(base + "/x/" + name[1]) : List.of(base, base + "/x");
        for (String path : paths) {
          for (String method : List.of("GET", "POST", "DELETE")) {
            HttpResponse<String> res = anonymous(method, path);
            assertEquals(401, res.statusCode(), method + " " + path + ": " + res.body());
            checked++;
          }
        }
      }
      assertEquals(401, anonymous("GET", gv).statusCode(), gv);
    }
    assertTrue(checked > 300, "only " + checked + " requests checked");
  }

  // --- TokenRequest and service account tokens ---

  @Test
  void tokenRequestIssuesATokenThatAuthenticatesTheServiceAccount() throws Exception {
    String uid = serviceAccount("team", "builder");
    HttpResponse<String> r = server.send("POST", "/api/v1/namespaces/team/serviceaccounts/builder/token",
        "application/json", "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{}}");
    assertEquals(201, r.statusCode(), r.body());
    JsonNode tr = TestApiServer.json(r);
    assertEquals("TokenRequest", tr.path("kind").asText());
    assertEquals("builder", tr.path("metadata").path("name").asText());
    assertEquals(List.of(ISSUER), strings(tr.path("spec").path("audiences")));
    assertEquals(3600, tr.path("spec").path("expirationSeconds").asLong());
    Instant exp = Times.parse(tr.path("status").path("expirationTimestamp").asText());
    assertTrue(Math.abs(Duration.between(Instant.now().plusSeconds(3600), exp).getSeconds()) < 30, exp.toString());
    String token = tr.path("status").path("token").asText();

    JsonNode claims = Jws.parse(token).payload();
    assertEquals(ISSUER, claims.path("iss").asText());
    assertEquals("system:serviceaccount:team:builder", claims.path("sub").asText());
    assertEquals(exp.getEpochSecond(), claims.path("exp").asLong());
    assertEquals(claims.path("iat").asLong(), claims.path("nbf").asLong());
    assertEquals("team", claims.path("kubernetes.io").path("namespace").asText());
    assertEquals(uid, claims.path("kubernetes.io").path("serviceaccount").path("uid").asText());

    assertEquals(200, as(token, "GET", "/api/v1/namespaces/team/serviceaccounts", null).statusCode());
    JsonNode user = whoami(token, Map.of());
    assertEquals("system:serviceaccount:team:builder", user.path("username").asText());
    assertEquals(uid, user.path("uid").asText());
    assertEquals(List.of("system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"),
        strings(user.path("groups")));
    assertEquals(List.of("JTI=" + claims.path("jti").asText()),
        strings(user.path("extra").path("authentication.kubernetes.io/credential-id")));
  }

  @Test
  void tokenRequestAndReviewSpeakProtobufAsKubeletsDo() throws Exception {
    serviceAccount("team", "proto");
    com.fasterxml.jackson.databind.node.ObjectNode request = (com.fasterxml.jackson.databind.node.ObjectNode)
        dev.hostplane.apiserver.api.TestJson.parse("{\"apiVersion\":\"authentication.k8s.io/v1\","
            + "\"kind\":\"TokenRequest\",\"spec\":{\"audiences\":[\"" + ISSUER + "\"],\"expirationSeconds\":1200}}");
    HttpResponse<byte[]> r = server.client().send(HttpRequest.newBuilder(
            server.uri("/api/v1/namespaces/team/serviceaccounts/proto/token"))
        .header("Content-Type", KubeProtobuf.MEDIA_TYPE).header("Accept", KubeProtobuf.MEDIA_TYPE)
        .POST(HttpRequest.BodyPublishers.ofByteArray(KubeProtobuf.encode(request))).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(201, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    assertEquals(KubeProtobuf.MEDIA_TYPE, r.headers().firstValue("Content-Type").orElse(""));
    JsonNode tr = KubeProtobuf.decode(r.body());
    assertEquals(1200, tr.path("spec").path("expirationSeconds").asLong());
    String token = tr.path("status").path("token").asText();
    assertEquals("system:serviceaccount:team:proto", Jws.parse(token).payload().path("sub").asText());

    com.fasterxml.jackson.databind.node.ObjectNode review = (com.fasterxml.jackson.databind.node.ObjectNode)
        dev.hostplane.apiserver.api.TestJson.parse("{\"apiVersion\":\"authentication.k8s.io/v1\","
            + "\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token + "\"}}");
    r = server.client().send(HttpRequest.newBuilder(server.uri("/apis/authentication.k8s.io/v1/tokenreviews"))
        .header("Content-Type", KubeProtobuf.MEDIA_TYPE).header("Accept", KubeProtobuf.MEDIA_TYPE)
        .POST(HttpRequest.BodyPublishers.ofByteArray(KubeProtobuf.encode(review))).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(201, r.statusCode());
    JsonNode status = KubeProtobuf.decode(r.body()).path("status");
    assertTrue(status.path("authenticated").asBoolean(), status.toString());
    assertEquals("system:serviceaccount:team:proto", status.path("user").path("username").asText());
  }

  @Test
  void tokenRequestValidation() throws Exception {
    serviceAccount("team", "short");
    HttpResponse<String> r = server.send("POST", "/api/v1/namespaces/team/serviceaccounts/short/token",
        "application/json", "{\"spec\":{\"expirationSeconds\":599}}");
    assertEquals(422, r.statusCode());
    assertEquals("TokenRequest.authentication.k8s.io \"short\" is invalid: spec.expirationSeconds: Invalid value: "
        + "599: may not specify a duration less than 10 minutes", TestApiServer.json(r).path("message").asText());
    r = server.send("POST", "/api/v1/namespaces/team/serviceaccounts/short/token", "application/json",
        "{\"metadata\":{\"name\":\"other\"}}");
    assertEquals(422, r.statusCode());
    assertEquals("TokenRequest.authentication.k8s.io \"short\" is invalid: metadata.name: Invalid value: \"other\": "
        + "must match the service account name if specified", TestApiServer.json(r).path("message").asText());
    r = server.send("POST", "/api/v1/namespaces/team/serviceaccounts/ghost/token", "application/json", "{}");
    assertEquals(404, r.statusCode());
    assertEquals("serviceaccounts \"ghost\" not found", TestApiServer.json(r).path("message").asText());
    r = server.send("POST", "/api/v1/namespaces/team/serviceaccounts/short/token", "application/json",
        "{\"spec\":{\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"nope\"}}}");
    assertEquals(404, r.statusCode());
    r = server.send("POST", "/api/v1/namespaces/team/serviceaccounts/short/token", "application/json",
        "{\"spec\":{\"boundObjectRef\":{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"name\":\"x\"}}}");
    assertEquals(400, r.statusCode());
    assertEquals("cannot bind token for object of type /v1, Kind=ConfigMap",
        TestApiServer.json(r).path("message").asText());
  }

  @Test
  void tokenForAnotherAudienceIsRejectedByTheApiButPassesItsOwnReview() throws Exception {
    serviceAccount("team", "vault");
    String token = tokenRequest("team", "vault", "{\"spec\":{\"audiences\":[\"vault\"]}}");
    assertUnauthorized(as(token, "GET", "/api/v1/namespaces", null));
    JsonNode mine = review(token, List.of("vault"));
    assertTrue(mine.path("authenticated").asBoolean(), mine.toString());
    assertEquals(List.of("vault"), strings(mine.path("audiences")));
    JsonNode api = review(token, List.of());
    assertFalse(api.path("authenticated").asBoolean());
    assertEquals("token audiences [\"vault\"] is invalid for the target audiences [\"" + ISSUER + "\"]",
        api.path("error").asText());
  }

  @Test
  void podBoundTokenCarriesThePodAndDiesWithIt() throws Exception {
    serviceAccount("team", "runner");
    assertEquals(201, server.send("POST", "/api/v1/namespaces/team/pods", "application/json",
        "{\"metadata\":{\"name\":\"job\"},\"spec\":{\"serviceAccountName\":\"runner\",\"containers\":"
            + "[{\"name\":\"c\",\"image\":\"busybox\"}]}}").statusCode());
    String podUid = TestApiServer.json(server.get("/api/v1/namespaces/team/pods/job")).path("metadata")
        .path("uid").asText();
    HttpResponse<String> r = server.send("POST", "/api/v1/namespaces/team/serviceaccounts/runner/token",
        "application/json", "{\"spec\":{\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
            + "\"name\":\"job\"}}}");
    assertEquals(201, r.statusCode(), r.body());
    assertEquals(podUid, TestApiServer.json(r).path("spec").path("boundObjectRef").path("uid").asText());
    String token = TestApiServer.json(r).path("status").path("token").asText();
    JsonNode user = whoami(token, Map.of());
    assertEquals(List.of("job"), strings(user.path("extra").path("authentication.kubernetes.io/pod-name")));
    assertEquals(List.of(podUid), strings(user.path("extra").path("authentication.kubernetes.io/pod-uid")));

    // A pod of another service account cannot be bound.
    serviceAccount("team", "intruder");
    r = server.send("POST", "/api/v1/namespaces/team/serviceaccounts/intruder/token", "application/json",
        "{\"spec\":{\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"job\"}}}");
    assertEquals(400, r.statusCode());
    // A stale uid is a conflict.
    r = server.send("POST", "/api/v1/namespaces/team/serviceaccounts/runner/token", "application/json",
        "{\"spec\":{\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"job\",\"uid\":\"x\"}}}");
    assertEquals(409, r.statusCode());

    assertEquals(200, server.send("DELETE", "/api/v1/namespaces/team/pods/job", null, null).statusCode());
    awaitUnauthorized(token);
    assertEquals("pods \"job\" not found", review(token, List.of()).path("error").asText());
  }

  @Test
  void secretBoundTokenDiesWithTheSecret() throws Exception {
    serviceAccount("team", "bot");
    create("/api/v1/namespaces/team/secrets", "{\"metadata\":{\"name\":\"anchor\"}}");
    String token = tokenRequest("team", "bot",
        "{\"spec\":{\"boundObjectRef\":{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"name\":\"anchor\"}}}");
    assertEquals(200, as(token, "GET", "/api/v1/namespaces/team/configmaps", null).statusCode());
    server.send("DELETE", "/api/v1/namespaces/team/secrets/anchor", null, null);
    awaitUnauthorized(token);
  }

  @Test
  void deletedServiceAccountsTokensAreRejected() throws Exception {
    serviceAccount("team", "doomed");
    String token = tokenRequest("team", "doomed", "{}");
    assertEquals(200, as(token, "GET", "/version", null).statusCode());
    server.send("DELETE", "/api/v1/namespaces/team/serviceaccounts/doomed", null, null);
    awaitUnauthorized(token);
    // A new service account of the same name has another uid: the old token stays invalid.
    serviceAccount("team", "doomed");
    assertUnauthorized(as(token, "GET", "/version", null));
    assertTrue(review(token, List.of()).path("error").asText().startsWith("service account UID ("));
  }

  @Test
  void forgedExpiredFutureAndForeignTokensAreRejected() throws Exception {
    String uid = serviceAccount("team", "timed");
    ServiceAccountKeys keys = ServiceAccountKeys.load(null, List.of(), server.dir().resolve("pki"));
    Instant now = Instant.now();
    String good = minter(keys, ISSUER, now).issue(grant(uid)).token();
    assertEquals(200, as(good, "GET", "/version", null).statusCode(), "a token minted with the server's key");

    String[] parts = good.split("\\.");
    byte[] sig = Base64.getUrlDecoder().decode(parts[2]);
    sig[10] ^= 1;
    String forged = parts[0] + "." + parts[1] + "." + Jws.base64Url(sig);
    assertRejected(forged, "error in cryptographic primitive");

    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    var otherKey = g.generateKeyPair();
    ServiceAccountKeys stranger = ServiceAccountKeys.of(otherKey.getPrivate(), List.of(otherKey.getPublic()));
    assertRejected(minter(stranger, ISSUER, now).issue(grant(uid)).token(), "error in cryptographic primitive");

    assertRejected(minter(keys, ISSUER, now.minus(Duration.ofHours(2))).issue(grant(uid)).token(),
        "service account token has expired");
    // Within the minute of leeway an expired token still passes, as upstream.
    assertEquals(200, as(minter(keys, ISSUER, now.minusSeconds(3600 + 30)).issue(grant(uid)).token(), "GET",
        "/version", null).statusCode());
    assertRejected(minter(keys, ISSUER, now.plus(Duration.ofMinutes(10))).issue(grant(uid)).token(),
        "service account token is not valid yet");
    assertRejected(minter(keys, "https://elsewhere.example", now).issue(grant(uid)).token(),
        "invalid bearer token");
  }

  @Test
  void legacySecretTokenIsValidWhileTheSecretHoldsIt() throws Exception {
    String uid = serviceAccount("team", "legacy");
    ServiceAccountKeys keys = ServiceAccountKeys.load(null, List.of(), server.dir().resolve("pki"));
    String token = minter(keys, ISSUER, Instant.now()).issueLegacy("team", "legacy", uid, "legacy-token");
    assertEquals(ServiceAccountTokens.LEGACY_ISSUER, Jws.parse(token).payload().path("iss").asText());
    // Not yet stored in its secret: not valid.
    assertRejected(token, "Token has been invalidated");
    create("/api/v1/namespaces/team/secrets", "{\"metadata\":{\"name\":\"legacy-token\",\"annotations\":"
        + "{\"kubernetes.io/service-account.name\":\"legacy\"}},\"type\":\"kubernetes.io/service-account-token\","
        + "\"data\":{\"token\":\"" + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))
        + "\"}}");
    awaitStatus(token, 200);
    assertEquals("system:serviceaccount:team:legacy", whoami(token, Map.of()).path("username").asText());
    server.send("DELETE", "/api/v1/namespaces/team/secrets/legacy-token", null, null);
    awaitUnauthorized(token);
    assertEquals("Token has been invalidated", review(token, List.of()).path("error").asText());
  }

  @Test
  void tokenSecretsAreFilledByTheControllerAndGoWithTheirServiceAccount() throws Exception {
    String uid = serviceAccount("team", "classic");
    create("/api/v1/namespaces/team/secrets", "{\"metadata\":{\"name\":\"classic-token\",\"annotations\":"
        + "{\"kubernetes.io/service-account.name\":\"classic\"}},\"type\":\"kubernetes.io/service-account-token\"}");
    JsonNode secret = awaitSecret("classic-token", s -> s.path("data").has("token"));
    assertEquals(uid, secret.path("metadata").path("annotations").path("kubernetes.io/service-account.uid").asText());
    assertEquals("team", decode(secret.path("data").path("namespace").asText()));
    assertEquals(Files.readString(server.dir().resolve("pki/ca.crt")).trim(),
        decode(secret.path("data").path("ca.crt").asText()).trim());
    String token = decode(secret.path("data").path("token").asText());
    JsonNode claims = Jws.parse(token).payload();
    assertEquals("kubernetes/serviceaccount", claims.path("iss").asText());
    assertEquals("classic-token", claims.path("kubernetes.io/serviceaccount/secret.name").asText());
    assertEquals("system:serviceaccount:team:classic", whoami(token, Map.of()).path("username").asText());

    // A token Secret for a service account that does not exist is deleted.
    create("/api/v1/namespaces/team/secrets", "{\"metadata\":{\"name\":\"orphan-token\",\"annotations\":"
        + "{\"kubernetes.io/service-account.name\":\"nobody\"}},\"type\":\"kubernetes.io/service-account-token\"}");
    awaitGone("/api/v1/namespaces/team/secrets/orphan-token");

    // Deleting the service account deletes its token Secrets, and the token stops working.
    server.send("DELETE", "/api/v1/namespaces/team/serviceaccounts/classic", null, null);
    awaitGone("/api/v1/namespaces/team/secrets/classic-token");
    awaitUnauthorized(token);
  }

  private static JsonNode awaitSecret(String name, java.util.function.Predicate<JsonNode> ready) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    JsonNode s;
    do {
      s = TestApiServer.json(server.get("/api/v1/namespaces/team/secrets/" + name));
      if (ready.test(s)) {
        return s;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("secret " + name + " not ready: " + s);
  }

  private static void awaitGone(String path) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (server.get(path).statusCode() != 404) {
      assertTrue(System.nanoTime() < deadline, path + " still exists");
      Thread.sleep(50);
    }
  }

  private static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  // --- TokenReview ---

  @Test
  void tokenReviewAnswersForStaticTokens() throws Exception {
    JsonNode ok = review("alice-token", List.of());
    assertTrue(ok.path("authenticated").asBoolean());
    assertEquals("alice", ok.path("user").path("username").asText());
    assertEquals("uid-alice", ok.path("user").path("uid").asText());
    assertEquals(List.of(ISSUER), strings(ok.path("audiences")));
    JsonNode bad = review("nope", List.of());
    assertFalse(bad.path("authenticated").asBoolean());
    assertFalse(bad.has("user"));
    assertEquals("invalid bearer token", bad.path("error").asText());
    HttpResponse<String> empty = server.send("POST", "/apis/authentication.k8s.io/v1/tokenreviews",
        "application/json", "{\"spec\":{}}");
    assertEquals(400, empty.statusCode());
    assertEquals("token is required for TokenReview in authentication",
        TestApiServer.json(empty).path("message").asText());
  }

  @Test
  void discoveryListsTokenReviewsAndTheTokenSubresource() throws Exception {
    JsonNode authn = TestApiServer.json(server.get("/apis/authentication.k8s.io/v1"));
    assertTrue(authn.toString().contains("\"name\":\"tokenreviews\""), authn.toString());
    assertTrue(authn.toString().contains("\"name\":\"selfsubjectreviews\""), authn.toString());
    JsonNode core = TestApiServer.json(server.get("/api/v1"));
    boolean found = false;
    for (JsonNode r : core.path("resources")) {
      if (r.path("name").asText().equals("serviceaccounts/token")) {
        found = true;
        assertEquals("TokenRequest", r.path("kind").asText());
        assertEquals("authentication.k8s.io", r.path("group").asText());
        assertEquals(List.of("create"), strings(r.path("verbs")));
      }
    }
    assertTrue(found, core.toString());
  }

  // --- issuer discovery ---

  @Test
  void issuerDiscoveryDocumentsMatchTheSigningKey() throws Exception {
    HttpResponse<String> r = as("alice-token", "GET", "/.well-known/openid-configuration", null);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("public, max-age=3600", r.headers().firstValue("Cache-Control").orElse(""));
    JsonNode doc = TestApiServer.json(r);
    assertEquals(ISSUER, doc.path("issuer").asText());
    assertEquals("https://192.0.2.10:" + server.server().port() + "/openid/v1/jwks", doc.path("jwks_uri").asText());
    assertEquals(List.of("id_token"), strings(doc.path("response_types_supported")));
    assertEquals(List.of("public"), strings(doc.path("subject_types_supported")));
    assertEquals(List.of("RS256"), strings(doc.path("id_token_signing_alg_values_supported")));

    HttpResponse<String> jwks = as("alice-token", "GET", "/openid/v1/jwks", null);
    assertEquals(200, jwks.statusCode());
    assertEquals("application/jwk-set+json", jwks.headers().firstValue("Content-Type").orElse(""));
    JsonNode key = TestApiServer.json(jwks).path("keys").get(0);
    assertEquals("RSA", key.path("kty").asText());
    assertEquals("sig", key.path("use").asText());
    String pub = Files.readString(server.dir().resolve("pki/sa.pub"));
    assertEquals(ServiceAccountKeys.keyId(ServiceAccountKeys.parsePublicKeys(pub).get(0)), key.path("kid").asText());
    serviceAccount("team", "kid");
    String token = tokenRequest("team", "kid", "{}");
    assertEquals(key.path("kid").asText(), Jws.parse(token).header().path("kid").asText());
  }

  // --- impersonation ---

  @Test
  void mastersMayImpersonateUsersGroupsUidsAndExtras() throws Exception {
    JsonNode user = whoami("root-token", Map.of("Impersonate-User", "bob", "Impersonate-Group", "readers",
        "Impersonate-Uid", "uid-bob", "Impersonate-Extra-Scopes%2Fv1", "read"));
    assertEquals("bob", user.path("username").asText());
    assertEquals("uid-bob", user.path("uid").asText());
    assertEquals(List.of("readers", "system:authenticated"), strings(user.path("groups")));
    assertEquals(List.of("read"), strings(user.path("extra").path("scopes/v1")));

    JsonNode sa = whoami("root-token", Map.of("Impersonate-User", "system:serviceaccount:team:builder"));
    assertEquals(List.of("system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"),
        strings(sa.path("groups")));

    // The admin client certificate (system:masters) may impersonate as well; the target user is then authorized.
    HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/api/v1/namespaces"))
        .header("Impersonate-User", "system:anonymous").build());
    assertEquals(403, r.statusCode());
    assertTrue(r.body().contains("User \\\"system:anonymous\\\" cannot list"), r.body());
  }

  @Test
  void othersMayNotImpersonate() throws Exception {
    HttpResponse<String> r = as("alice-token", "GET", "/api/v1/namespaces", null,
        Map.of("Impersonate-User", "root"));
    assertEquals(403, r.statusCode());
    JsonNode status = TestApiServer.json(r);
    assertEquals("Forbidden", status.path("reason").asText());
    assertEquals("users \"root\" is forbidden: User \"alice\" cannot impersonate resource \"users\" in API group "
        + "\"\" at the cluster scope", status.path("message").asText());
    r = as("alice-token", "GET", "/api/v1/namespaces", null,
        Map.of("Impersonate-User", "system:serviceaccount:team:builder"));
    assertEquals("serviceaccounts \"builder\" is forbidden: User \"alice\" cannot impersonate resource "
        + "\"serviceaccounts\" in API group \"\" in the namespace \"team\"",
        TestApiServer.json(r).path("message").asText());
    r = as("root-token", "GET", "/api/v1/namespaces", null, Map.of("Impersonate-Group", "system:masters"));
    assertEquals(400, r.statusCode(), "groups without a user");
  }

  // --- helpers ---

  private static ServiceAccountTokens minter(ServiceAccountKeys keys, String issuer, Instant now) {
    return new ServiceAccountTokens(keys, List.of(issuer), List.of(ISSUER), Duration.ZERO,
        (resource, ns, name) -> {
          throw new AssertionError("issuing reads nothing");
        }, Clock.fixed(now, ZoneOffset.UTC));
  }

  private static ServiceAccountTokens.Grant grant(String uid) {
    return new ServiceAccountTokens.Grant("team", "timed", uid, List.of(), 3600, null, null, null);
  }

  private static void assertRejected(String token, String error) throws Exception {
    assertUnauthorized(as(token, "GET", "/version", null));
    JsonNode review = review(token, List.of());
    assertFalse(review.path("authenticated").asBoolean());
    assertEquals(error, review.path("error").asText());
  }

  private static void assertUnauthorized(HttpResponse<String> r) throws Exception {
    assertEquals(401, r.statusCode(), r.body());
    JsonNode s = TestApiServer.json(r);
    assertEquals("Status", s.path("kind").asText());
    assertEquals("Failure", s.path("status").asText());
    assertEquals("Unauthorized", s.path("reason").asText());
    assertEquals("Unauthorized", s.path("message").asText());
    assertEquals(401, s.path("code").asInt());
  }

  /** Deletions reach the watch cache a moment later: poll briefly. */
  private static void awaitUnauthorized(String token) throws Exception {
    awaitStatus(token, 401);
  }

  private static void awaitStatus(String token, int code) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int last;
    do {
      last = as(token, "GET", "/version", null).statusCode();
      if (last == code) {
        return;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    assertEquals(code, last);
  }

  static String serviceAccount(String ns, String name) throws Exception {
    return http().serviceAccount(ns, name);
  }

  static String tokenRequest(String ns, String name, String body) throws Exception {
    return http().tokenRequest(ns, name, body);
  }

  static HttpResponse<String> create(String path, String body) throws Exception {
    return http().create(path, body);
  }

  static JsonNode review(String token, List<String> audiences) throws Exception {
    return http().review(token, audiences);
  }

  static JsonNode whoami(String token, Map<String, String> headers) throws Exception {
    return http().whoami(token, headers);
  }

  static HttpResponse<String> as(String token, String method, String path, String body) throws Exception {
    return http().as(token, method, path, body);
  }

  static HttpResponse<String> as(String token, String method, String path, String body, Map<String, String> headers)
      throws Exception {
    return http().as(token, method, path, body, headers);
  }

  static HttpResponse<String> anonymous(String method, String path) throws Exception {
    return http().anonymous(method, path);
  }

  static List<String> strings(JsonNode n) {
    return AuthnHttp.strings(n);
  }

  private static AuthnHttp http() {
    return new AuthnHttp(server);
  }
}

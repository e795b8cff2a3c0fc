package dev.hostplane.apiserver.authn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Times;
import dev.hostplane.apiserver.authn.internal.Jws;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token checks that depend on time, with a clock the test moves: tokens issued by a real server (TokenRequest) are
 * verified by a {@link ServiceAccountTokens} with the server's keys, a movable clock, and the server's objects read
 * over HTTP.
 */
@Timeout(60)
class ServiceAccountTokensClockTest {
  private static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
  @TempDir
  static Path dir;
  static TestApiServer server;
  static AuthnHttp http;
  static final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
  static ServiceAccountTokens verifier;

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.start(dir);
    http = new AuthnHttp(server);
    ServiceAccountKeys keys = ServiceAccountKeys.load(null, List.of(), server.dir().resolve("pki"));
    Clock clock = new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now.get();
      }
    };
    verifier = new ServiceAccountTokens(keys, List.of(ISSUER), List.of(ISSUER), Duration.ZERO,
        ServiceAccountTokensClockTest::read, clock);
    http.create("/api/v1/nodes", "{\"metadata\":{\"name\":\"node-a\"}}");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** The server's current object, over HTTP; null when absent. */
  private static ObjectNode read(String resource, String ns, String name) {
    try {
      String path = ns.isEmpty() ? "/api/v1/" + resource + "/" + name
          : "/api/v1/namespaces/" + ns + "/" + resource + "/" + name;
      HttpResponse<String> r = server.get(path);
      return r.statusCode() == 404 ? null : (ObjectNode) TestApiServer.json(r);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void expiryAndNotBeforeHonourOneMinuteOfLeeway() throws Exception {
    http.serviceAccount("default", "timed");
    now.set(Instant.now());
    String token = http.tokenRequest("default", "timed", "{\"spec\":{\"expirationSeconds\":600}}");
    JsonNode claims = Jws.parse(token).payload();
    Instant exp = Instant.ofEpochSecond(claims.path("exp").asLong());
    Instant nbf = Instant.ofEpochSecond(claims.path("nbf").asLong());

    now.set(exp.plusSeconds(59));
    assertEquals("system:serviceaccount:default:timed", authenticate(token).name());
    now.set(exp.plusSeconds(61));
    assertEquals("service account token has expired", rejected(token));
    now.set(nbf.minusSeconds(59));
    authenticate(token);
    now.set(nbf.minusSeconds(61));
    assertEquals("service account token is not valid yet", rejected(token));
  }

  @Test
  void aPodBeingDeletedInvalidatesItsTokensOneMinutePastItsDeletionTime() throws Exception {
    http.serviceAccount("default", "kubelet-run");
    http.create("/api/v1/namespaces/default/pods", "{\"metadata\":{\"name\":\"graceful\"},\"spec\":{"
        + "\"serviceAccountName\":\"kubelet-run\",\"nodeName\":\"node-a\",\"containers\":[{\"name\":\"c\","
        + "\"image\":\"busybox\"}]}}");
    String token = http.tokenRequest("default", "kubelet-run",
        "{\"spec\":{\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"graceful\"}}}");
    JsonNode k8s = Jws.parse(token).payload().path("kubernetes.io");
    assertEquals("node-a", k8s.path("node").path("name").asText(), "a pod's node is embedded, as upstream");
    now.set(Instant.now());
    UserInfo user = authenticate(token);
    assertEquals(List.of("node-a"), user.extra().get(ServiceAccountTokens.EXTRA_NODE_NAME));
    assertEquals(List.of("graceful"), user.extra().get(ServiceAccountTokens.EXTRA_POD_NAME));

    HttpResponse<String> deleted = server.send("DELETE", "/api/v1/namespaces/default/pods/graceful", "application/json",
        "{\"gracePeriodSeconds\":30}");
    assertEquals(202, deleted.statusCode(), deleted.body()); // pending: the pod is on a node
    Instant deletion = Times.parse(TestApiServer.json(deleted).path("metadata").path("deletionTimestamp").asText());
    now.set(deletion.plusSeconds(59));
    authenticate(token);
    now.set(deletion.plusSeconds(61));
    assertEquals("service account token has been invalidated", rejected(token));
  }

  @Test
  void kubeletPodTokensAreExtendedToAYearButWarnAfterTheirRequestedLifetime() throws Exception {
    http.serviceAccount("default", "projected");
    http.create("/api/v1/namespaces/default/pods", "{\"metadata\":{\"name\":\"projected\"},\"spec\":{"
        + "\"serviceAccountName\":\"projected\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}");
    String bound = "\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"projected\"}";
    HttpResponse<String> r = server.send("POST", "/api/v1/namespaces/default/serviceaccounts/projected/token",
        "application/json", "{\"spec\":{\"expirationSeconds\":3607," + bound + "}}");
    assertEquals(201, r.statusCode(), r.body());
    JsonNode tr = TestApiServer.json(r);
    JsonNode claims = Jws.parse(tr.path("status").path("token").asText()).payload();
    long iat = claims.path("iat").asLong();
    assertEquals(365L * 24 * 3600, claims.path("exp").asLong() - iat);
    assertEquals(iat + 3607, claims.path("kubernetes.io").path("warnafter").asLong());
    assertEquals(3607, tr.path("spec").path("expirationSeconds").asLong());
    assertEquals(Instant.ofEpochSecond(iat + 3607),
        Times.parse(tr.path("status").path("expirationTimestamp").asText()), "the response reports the request");
    now.set(Instant.ofEpochSecond(iat + 30 * 24 * 3600));
    authenticate(tr.path("status").path("token").asText());

    // Another lifetime, another audience, or no pod: not extended.
    for (String spec : List.of("{\"expirationSeconds\":3600," + bound + "}",
        "{\"expirationSeconds\":3607,\"audiences\":[\"vault\"]," + bound + "}", "{\"expirationSeconds\":3607}")) {
      JsonNode c = Jws.parse(http.tokenRequest("default", "projected", "{\"spec\":" + spec + "}")).payload();
      assertTrue(c.path("exp").asLong() - c.path("iat").asLong() <= 3607, spec);
      assertTrue(c.path("kubernetes.io").path("warnafter").isMissingNode(), spec);
    }
  }

  @Test
  void nodeBoundTokensNeedTheirNode() throws Exception {
    http.serviceAccount("default", "node-agent");
    http.create("/api/v1/nodes", "{\"metadata\":{\"name\":\"node-b\"}}");
    String token = http.tokenRequest("default", "node-agent",
        "{\"spec\":{\"boundObjectRef\":{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"name\":\"node-b\"}}}");
    now.set(Instant.now());
    JsonNode whoami = http.whoami(token, Map.of());
    assertEquals(List.of("node-b"), AuthnHttp.strings(whoami.path("extra").path(ServiceAccountTokens.EXTRA_NODE_NAME)));
    assertEquals(1, whoami.path("extra").path(ServiceAccountTokens.EXTRA_NODE_UID).size());
    server.send("DELETE", "/api/v1/nodes/node-b", null, null);
    assertEquals("nodes \"node-b\" not found", rejected(token));
  }

  private static UserInfo authenticate(String token) {
    return verifier.authenticate(token, List.of(ISSUER)).orElseThrow().user();
  }

  private static String rejected(String token) {
    return assertThrows(AuthenticationException.class, () -> verifier.authenticate(token, List.of(ISSUER)))
        .getMessage();
  }
}

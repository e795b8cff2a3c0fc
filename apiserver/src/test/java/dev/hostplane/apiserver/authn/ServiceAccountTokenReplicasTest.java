package dev.hostplane.apiserver.authn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.pki.Pem;
import dev.hostplane.apiserver.storage.embedded.EmbeddedStorage;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two replicas on one storage with one signing key: a token from one works on the other, and so do revocations. */
@Timeout(120)
class ServiceAccountTokenReplicasTest {
  @Test
  void tokensIssuedByOneReplicaAreHonouredAndRevokedOnTheOther(@TempDir Path dir) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    Path key = dir.resolve("sa.key");
    Pem.writePrivateKey(key, g.generateKeyPair().getPrivate());
    try (EmbeddedStorage storage = EmbeddedStorage.open(dir.resolve("shared"), EmbeddedStorage.Options.DEFAULT);
        TestApiServer a = TestApiServer.start(dir.resolve("a"), storage, "--service-account-signing-key-file=" + key);
        TestApiServer b = TestApiServer.start(dir.resolve("b"), storage, "--service-account-signing-key-file=" + key,
            "--advertise-address=192.0.2.11")) {
      AuthnHttp onA = new AuthnHttp(a);
      AuthnHttp onB = new AuthnHttp(b);
      onA.serviceAccount("default", "shared");
      onA.create("/api/v1/namespaces/default/pods", "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"serviceAccountName\":"
          + "\"shared\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}");
      String token = onA.tokenRequest("default", "shared",
          "{\"spec\":{\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"p\"}}}");
      assertEquals("system:serviceaccount:default:shared", onB.whoami(token, Map.of()).path("username").asText());

      // Both replicas run the tokens controller: the Secret gets one token, and it stays.
      onA.create("/api/v1/namespaces/default/secrets", "{\"metadata\":{\"name\":\"shared-token\",\"annotations\":"
          + "{\"kubernetes.io/service-account.name\":\"shared\"}},\"type\":\"kubernetes.io/service-account-token\"}");
      String legacy = await(b, "/api/v1/namespaces/default/secrets/shared-token");
      Thread.sleep(500);
      assertEquals(legacy, await(a, "/api/v1/namespaces/default/secrets/shared-token"));
      assertEquals(200, onA.as(new String(java.util.Base64.getDecoder().decode(legacy)), "GET", "/version", null)
          .statusCode());

      assertEquals(200, a.send("DELETE", "/api/v1/namespaces/default/pods/p", null, null).statusCode());
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      int code;
      do {
        code = onB.as(token, "GET", "/version", null).statusCode();
        Thread.sleep(20);
      } while (code != 401 && System.nanoTime() < deadline);
      assertEquals(401, code, "the pod deleted through A revokes the token on B");
    }
  }

  private static String await(TestApiServer s, String path) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      JsonNode secret = TestApiServer.json(s.get(path));
      String token = secret.path("data").path("token").asText("");
      if (!token.isEmpty()) {
        return token;
      }
      assertTrue(System.nanoTime() < deadline, "no token in " + secret);
      Thread.sleep(50);
    }
  }
}

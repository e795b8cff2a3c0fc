package dev.hostplane.apiserver.encryption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.embedded.EmbeddedStorage;
import dev.hostplane.apiserver.storage.etcd.EtcdStorage;
import dev.hostplane.apiserver.testing.EtcdProcess;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Encryption at rest through the whole server, checked against the raw backend. */
@Timeout(180)
class EncryptionAtRestTest {
  static final String KEY1 = key(1);
  static final String KEY2 = key(2);

  @TempDir
  Path dir;

  static String key(int seed) {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) seed);
    return Base64.getEncoder().encodeToString(b);
  }

  /** A secret whose data is the base64 of a recognisable plaintext. */
  static String secret(String name) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":{"
        + "\"password\":\"" + b64(plaintext(name)) + "\"}}";
  }

  static String plaintext(String name) {
    return "top-secret-password-of-" + name;
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  Path config(String name, String providers) throws Exception {
    Path p = dir.resolve(name + ".yaml");
    Files.writeString(p, "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n"
        + "- resources: [secrets]\n  providers:\n" + providers);
    return p;
  }

  static String aesgcm(String name, String secret) {
    return "  - aesgcm:\n      keys:\n      - name: " + name + "\n        secret: " + secret + "\n";
  }

  static String raw(Storage store, String key) throws Exception {
    return new String(store.get(key).toCompletableFuture().get(10, TimeUnit.SECONDS).value(),
        StandardCharsets.ISO_8859_1);
  }

  static void created(HttpResponse<String> r) {
    assertEquals(201, r.statusCode(), r.body());
  }

  static String password(TestApiServer s, String name) throws Exception {
    HttpResponse<String> r = s.get("/api/v1/namespaces/default/secrets/" + name);
    assertEquals(200, r.statusCode(), r.body());
    return new String(Base64.getDecoder().decode(TestApiServer.json(r).path("data").path("password").asText()),
        StandardCharsets.UTF_8);
  }

  /** GET then PUT unchanged, as {@code kubectl get -o json | kubectl replace -f -} does; returns the new rv. */
  static String replaceUnchanged(TestApiServer s, String name) throws Exception {
    HttpResponse<String> got = s.get("/api/v1/namespaces/default/secrets/" + name);
    HttpResponse<String> put = s.send("PUT", "/api/v1/namespaces/default/secrets/" + name, "application/json",
        got.body());
    assertEquals(200, put.statusCode(), put.body());
    return TestApiServer.json(put).path("metadata").path("resourceVersion").asText();
  }

  static String rv(TestApiServer s, String name) throws Exception {
    return TestApiServer.json(s.get("/api/v1/namespaces/default/secrets/" + name)).path("metadata")
        .path("resourceVersion").asText();
  }

  static List<String> names(TestApiServer s, String query) throws Exception {
    HttpResponse<String> r = s.get("/api/v1/namespaces/default/secrets" + query);
    assertEquals(200, r.statusCode(), r.body());
    List<String> out = new ArrayList<>();
    TestApiServer.json(r).path("items").forEach(i -> out.add(i.path("metadata").path("name").asText()));
    return out;
  }

  @Test
  void secretsAreCiphertextInTheEmbeddedStoreAndOnDiskWhileOtherResourcesAreNot() throws Exception {
    Path data = dir.resolve("store");
    try (EmbeddedStorage store = EmbeddedStorage.open(data, EmbeddedStorage.Options.DEFAULT)) {
      Path cfg = config("gcm", aesgcm("key1", KEY1));
      try (TestApiServer s = TestApiServer.start(dir.resolve("a"), store, "--encryption-provider-config=" + cfg)) {
        created(s.send("POST", "/api/v1/namespaces/default/secrets", "application/json", secret("s1")));
        created(s.send("POST", "/api/v1/namespaces/default/configmaps", "application/json",
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c1\"},"
                + "\"data\":{\"visible\":\"plain-configmap-value\"}}"));
        String stored = raw(store, "/registry/secrets/default/s1");
        assertTrue(stored.startsWith("k8s:enc:aesgcm:v1:key1:"), stored);
        assertFalse(stored.contains(b64(plaintext("s1"))));
        assertFalse(stored.contains("\"kind\""));
        assertTrue(raw(store, "/registry/configmaps/default/c1").contains("plain-configmap-value"));
        assertEquals(plaintext("s1"), password(s, "s1"));
        assertEquals(List.of("s1"), names(s, "?resourceVersion=0")); // from the watch cache, decrypted
        assertEquals(List.of("s1"), names(s, ""));
      }
    }
    // Nothing on disk (write-ahead log, snapshots) holds the secret's data, where the configmap's data is.
    boolean configMapOnDisk = false;
    try (Stream<Path> files = Files.walk(data)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertFalse(content.contains(b64(plaintext("s1"))), f.toString());
        configMapOnDisk |= content.contains("plain-configmap-value");
      }
    }
    assertTrue(configMapOnDisk);
  }

  @Test
  void eachProviderRoundTripsThroughTheServer() throws Exception {
    try (EmbeddedStorage store = EmbeddedStorage.open(dir.resolve("store"), EmbeddedStorage.Options.DEFAULT)) {
      String[][] providers = {
          {"aesgcm", aesgcm("g", key(3))},
          {"aescbc", "  - aescbc:\n      keys:\n      - name: c\n        secret: " + key(4) + "\n"},
          {"secretbox", "  - secretbox:\n      keys:\n      - name: b\n        secret: " + key(5) + "\n"},
          {"identity", "  - identity: {}\n"}};
      for (String[] p : providers) {
        Path cfg = config(p[0], p[1]);
        try (TestApiServer s = TestApiServer.start(dir.resolve(p[0]), store,
            "--encryption-provider-config=" + cfg)) {
          String name = "s-" + p[0];
          created(s.send("POST", "/api/v1/namespaces/default/secrets", "application/json", secret(name)));
          String stored = raw(store, "/registry/secrets/default/" + name);
          if (p[0].equals("identity")) {
            assertTrue(stored.contains(b64(plaintext(name))), stored);
          } else {
            assertTrue(stored.startsWith("k8s:enc:" + p[0] + ":v1:"), stored);
            assertFalse(stored.contains(b64(plaintext(name))));
          }
          assertEquals(plaintext(name), password(s, name));
        }
      }
    }
  }

  @Test
  void keyRotationByRewritingAndDecryptionFailures() throws Exception {
    try (EmbeddedStorage store = EmbeddedStorage.open(dir.resolve("store"), EmbeddedStorage.Options.DEFAULT)) {
      // 1. Everything under key1.
      Path one = config("one", aesgcm("key1", KEY1));
      try (TestApiServer s = TestApiServer.start(dir.resolve("one"), store, "--encryption-provider-config=" + one)) {
        created(s.send("POST", "/api/v1/namespaces/default/secrets", "application/json", secret("s1")));
        created(s.send("POST", "/api/v1/namespaces/default/secrets", "application/json", secret("s2")));
        String before = rv(s, "s1");
        assertEquals(before, replaceUnchanged(s, "s1"), "an unchanged update under the write key writes nothing");
      }
      // 2. key2 first, key1 still readable: unchanged updates re-encrypt with key2.
      Path both = config("both", "  - aesgcm:\n      keys:\n      - name: key2\n        secret: " + KEY2
          + "\n      - name: key1\n        secret: " + KEY1 + "\n");
      try (TestApiServer s = TestApiServer.start(dir.resolve("both"), store,
          "--encryption-provider-config=" + both)) {
        assertEquals(plaintext("s1"), password(s, "s1"));
        assertTrue(raw(store, "/registry/secrets/default/s1").startsWith("k8s:enc:aesgcm:v1:key1:"));
        for (String name : names(s, "")) {
          String before = rv(s, name);
          assertNotEquals(before, replaceUnchanged(s, name), "a value under an old key is rewritten");
        }
        assertTrue(raw(store, "/registry/secrets/default/s1").startsWith("k8s:enc:aesgcm:v1:key2:"));
        assertTrue(raw(store, "/registry/secrets/default/s2").startsWith("k8s:enc:aesgcm:v1:key2:"));
      }
      // 3. key1 removed: still readable.
      Path two = config("two", aesgcm("key2", KEY2));
      try (TestApiServer s = TestApiServer.start(dir.resolve("two"), store, "--encryption-provider-config=" + two)) {
        assertEquals(plaintext("s1"), password(s, "s1"));
        assertEquals(plaintext("s2"), password(s, "s2"));
      }
      // 4. A wrong secret under the same key name: that object fails with 500, the others are served, the cache
      // starts, and a list leaves the undecryptable ones out.
      Path wrong = config("wrong", aesgcm("key2", key(9)));
      try (TestApiServer s = TestApiServer.start(dir.resolve("wrong"), store,
          "--encryption-provider-config=" + wrong)) {
        HttpResponse<String> r = s.get("/api/v1/namespaces/default/secrets/s1");
        assertEquals(500, r.statusCode(), r.body());
        JsonNode status = TestApiServer.json(r);
        assertEquals("InternalError", status.path("reason").asText());
        String message = status.path("message").asText();
        assertTrue(message.startsWith("Internal error occurred: unable to transform key "
            + "\"/registry/secrets/default/s1\": failed to decrypt"), message);
        created(s.send("POST", "/api/v1/namespaces/default/secrets", "application/json", secret("s3")));
        assertEquals(List.of("s3"), names(s, ""));
        assertEquals(List.of("s3"), names(s, "?resourceVersion=0"));
        assertEquals(plaintext("s3"), password(s, "s3"));
        HttpResponse<String> put = s.send("PUT", "/api/v1/namespaces/default/secrets/s1", "application/json",
            secret("s1"));
        assertEquals(500, put.statusCode(), put.body());
      }
      // 5. A key that is not configured at all.
      Path other = config("other", "  - secretbox:\n      keys:\n      - name: k\n        secret: " + key(7) + "\n");
      try (TestApiServer s = TestApiServer.start(dir.resolve("other"), store,
          "--encryption-provider-config=" + other)) {
        HttpResponse<String> r = s.get("/api/v1/namespaces/default/secrets/s2");
        assertEquals(500, r.statusCode(), r.body());
        assertTrue(r.body().contains("no matching prefix found"), r.body());
      }
      // 6. identity first: encrypted data stays readable, new writes are plaintext.
      Path identity = config("identity", "  - identity: {}\n" + aesgcm("key2", KEY2));
      try (TestApiServer s = TestApiServer.start(dir.resolve("identity"), store,
          "--encryption-provider-config=" + identity)) {
        assertEquals(plaintext("s1"), password(s, "s1"));
        created(s.send("POST", "/api/v1/namespaces/default/secrets", "application/json", secret("s4")));
        assertTrue(raw(store, "/registry/secrets/default/s4").contains(b64(plaintext("s4"))));
        String metrics = s.get("/metrics").body();
        assertTrue(metrics.contains("apiserver_storage_transformation_operations_total{status=\"OK\","
            + "transformation_type=\"from_storage\",transformer_prefix=\"k8s:enc:aesgcm:v1:key2:\"}"), metrics);
        assertTrue(metrics.contains("transformation_type=\"to_storage\",transformer_prefix=\"identity\""),
            metrics);
      }
    }
  }

  @Test
  void secretsAreCiphertextInEtcd() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.launch()) {
      Path cfg = config("box", "  - secretbox:\n      keys:\n      - name: box1\n        secret: " + KEY1 + "\n");
      try (TestApiServer s = TestApiServer.start(dir.resolve("a"), "--etcd-servers=" + etcd.endpoint(),
          "--encryption-provider-config=" + cfg)) {
        created(s.send("POST", "/api/v1/namespaces/default/secrets", "application/json", secret("e1")));
        assertEquals(plaintext("e1"), password(s, "e1"));
        assertEquals(List.of("e1"), names(s, "?resourceVersion=0"));
      }
      try (EtcdStorage raw = EtcdStorage.connect(EtcdStorage.Options.of(List.of(etcd.endpoint())))) {
        String stored = raw(raw, "/registry/secrets/default/e1");
        assertTrue(stored.startsWith("k8s:enc:secretbox:v1:box1:"), stored);
        assertFalse(stored.contains(b64(plaintext("e1"))));
      }
    }
  }
}

package dev.hostplane.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.storage.embedded.EmbeddedStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key rotation as an operator does it with kubectl: add a new key first, rewrite every secret with
 * {@code kubectl get secrets -A -o json | kubectl replace -f -}, drop the old key; the store holds only ciphertext
 * under the new key and every secret still reads.
 */
class KubectlEncryptionE2ETest {
  private static final String VERSION = "1.33";

  @TempDir
  Path dir;

  private Path config(String name, String keys) throws Exception {
    Path p = dir.resolve(name + ".yaml");
    Files.writeString(p, "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n"
        + "- resources: [secrets]\n  providers:\n  - aescbc:\n      keys:\n" + keys + "  - identity: {}\n");
    return p;
  }

  private static String key(String name, int seed) {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) seed);
    return "      - name: " + name + "\n        secret: " + Base64.getEncoder().encodeToString(b) + "\n";
  }

  private String raw(String key) throws Exception {
    try (EmbeddedStorage store = EmbeddedStorage.open(dir.resolve("apiserver/data"),
        EmbeddedStorage.Options.DEFAULT)) {
      return new String(store.get(key).toCompletableFuture().get(10, TimeUnit.SECONDS).value(),
          StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void rotateTheKeyByReplacingEverySecret() throws Exception {
    Path serverDir = dir.resolve("apiserver");
    Path kubeconfig = dir.resolve("admin.kubeconfig");
    String one = "--encryption-provider-config=" + config("one", key("key1", 1));
    try (E2eApiServer s = E2eApiServer.start(serverDir, 0, kubeconfig, List.of(one))) {
      Kubectl k = Kubectl.of(VERSION, kubeconfig, dir.resolve("kubectl-1"));
      k.ok("create", "namespace", "team");
      k.ok("-n", "team", "create", "secret", "generic", "db", "--from-literal=password=plain-db-password");
      k.ok("-n", "default", "create", "secret", "generic", "api", "--from-literal=token=plain-api-token");
    }
    assertTrue(raw("/registry/secrets/team/db").startsWith("k8s:enc:aescbc:v1:key1:"));

    String both = "--encryption-provider-config=" + config("both", key("key2", 2) + key("key1", 1));
    try (E2eApiServer s = E2eApiServer.start(serverDir, 0, kubeconfig, List.of(both))) {
      Kubectl k = Kubectl.of(VERSION, kubeconfig, dir.resolve("kubectl-2"));
      String all = k.ok("get", "secrets", "-A", "-o", "json").stdout();
      k.okWithStdin(all, "replace", "-f", "-");
    }
    for (String key : new String[] {"/registry/secrets/team/db", "/registry/secrets/default/api"}) {
      String stored = raw(key);
      assertTrue(stored.startsWith("k8s:enc:aescbc:v1:key2:"), key + ": " + stored);
      assertFalse(stored.contains(Base64.getEncoder().encodeToString("plain-db-password".getBytes(
          StandardCharsets.UTF_8))));
    }

    String two = "--encryption-provider-config=" + config("two", key("key2", 2));
    try (E2eApiServer s = E2eApiServer.start(serverDir, 0, kubeconfig, List.of(two))) {
      Kubectl k = Kubectl.of(VERSION, kubeconfig, dir.resolve("kubectl-3"));
      String password = k.ok("-n", "team", "get", "secret", "db", "-o", "jsonpath={.data.password}").stdout();
      assertEquals("plain-db-password", new String(Base64.getDecoder().decode(password.trim()),
          StandardCharsets.UTF_8));
      String token = k.ok("get", "secret", "api", "-o", "jsonpath={.data.token}").stdout();
      assertEquals("plain-api-token", new String(Base64.getDecoder().decode(token.trim()), StandardCharsets.UTF_8));
    }
  }
}

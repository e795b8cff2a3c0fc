package dev.hostplane.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider restarts apiservers at will: objects created with kubectl must be there after a restart on the same
 * data and cert directories, unchanged (same uid, same resourceVersion), and the admin kubeconfig handed out before
 * the restart must keep working (the CA and the admin certificate are reused, not regenerated).
 */
@Tag("slow")
class RestartDurabilityE2ETest {
  private static final String VERSION = "1.30";
  private static final String NS = "durable";
  private static final String TYPES = "configmaps,secrets,deployments,services,pods";
  private static final YAMLMapper YAML = new YAMLMapper();

  private static final String MANIFESTS = """
      apiVersion: v1
      kind: Namespace
      metadata:
        name: durable
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
        namespace: durable
      data:
        greeting: hello
      ---
      apiVersion: v1
      kind: Secret
      metadata:
        name: creds
        namespace: durable
      stringData:
        password: s3cret
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        namespace: durable
      spec:
        replicas: 2
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
            - name: nginx
              image: nginx:1.27
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: web
        namespace: durable
      spec:
        selector: {app: web}
        ports:
        - port: 80
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: web-0
        namespace: durable
        labels: {app: web}
      spec:
        containers:
        - name: nginx
          image: nginx:1.27
      """;

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void objectsAndCredentialsSurviveARestart() throws Exception {
    Path serverDir = dir.resolve("apiserver");
    Path savedKubeconfig = dir.resolve("saved.kubeconfig");
    Map<String, String> before;
    int port;
    long lastRevision;

    try (E2eApiServer first = E2eApiServer.start(serverDir)) {
      port = first.port();
      Files.copy(first.kubeconfig(), savedKubeconfig);
      Kubectl k = Kubectl.of(VERSION, savedKubeconfig, dir.resolve("kubectl"));
      k.okWithStdin(MANIFESTS, "create", "-f", "-");
      // Updates too, so that some objects' resourceVersion differs from their creation's.
      k.ok("-n", NS, "label", "configmap", "settings", "updated=yes");
      k.ok("-n", NS, "patch", "deployment", "web", "--type=merge", "-p", "{\"spec\":{\"replicas\":3}}");
      before = snapshot(k);
      lastRevision = before.values().stream().mapToLong(RestartDurabilityE2ETest::resourceVersion).max().orElseThrow();
    }

    // Same port, so that the saved kubeconfig (server URL included) is the one a user would still hold.
    Path newKubeconfig = dir.resolve("after-restart.kubeconfig");
    try (E2eApiServer second = E2eApiServer.start(serverDir, port, newKubeconfig)) {
      JsonNode saved = YAML.readTree(savedKubeconfig.toFile());
      JsonNode fresh = YAML.readTree(newKubeconfig.toFile());
      assertEquals(saved.at("/clusters/0/cluster/certificate-authority-data"),
          fresh.at("/clusters/0/cluster/certificate-authority-data"), "the cluster CA was regenerated on restart");
      assertEquals(saved.at("/users/0/user/client-certificate-data"), fresh.at("/users/0/user/client-certificate-data"),
          "the admin client certificate was regenerated on restart");

      // A fresh discovery cache: the restarted server must answer discovery too.
      Kubectl k = Kubectl.of(VERSION, savedKubeconfig, dir.resolve("kubectl-after-restart"));
      Map<String, String> after = snapshot(k);
      assertEquals(before, after, "objects changed across the restart");

      JsonNode secret = k.json("-n", NS, "get", "secret", "creds");
      assertEquals("czNjcmV0", secret.path("data").path("password").asText(), secret::toPrettyString);

      // Writing goes on from where the first server stopped: resourceVersions never go back...
      k.okWithStdin("""
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: after-restart
          """, "-n", NS, "create", "-f", "-");
      JsonNode created = k.json("-n", NS, "get", "configmap", "after-restart");
      long revision = Long.parseLong(created.path("metadata").path("resourceVersion").asText());
      assertTrue(revision > lastRevision, () -> "resourceVersion " + revision + " after the restart is not above "
          + lastRevision + " from before it");

      // ...and the restored Service's cluster IP is not handed out again.
      k.okWithStdin("""
          apiVersion: v1
          kind: Service
          metadata:
            name: second
          spec:
            ports:
            - port: 81
          """, "-n", NS, "create", "-f", "-");
      String restoredIp = k.json("-n", NS, "get", "service", "web").path("spec").path("clusterIP").asText();
      String newIp = k.json("-n", NS, "get", "service", "second").path("spec").path("clusterIP").asText();
      assertFalse(newIp.isEmpty());
      assertNotEquals(restoredIp, newIp, "a cluster IP in use before the restart was allocated again");
    }
  }

  /** kind/name -> "uid rv=<resourceVersion> <content>" for the namespace and everything in it. */
  private static Map<String, String> snapshot(Kubectl k) {
    Map<String, String> objects = new TreeMap<>();
    add(objects, k.json("get", "namespace", NS));
    k.json("-n", NS, "get", TYPES).path("items").forEach(item -> add(objects, item));
    assertEquals(6, objects.size(), () -> "expected the namespace and 5 objects: " + objects.keySet());
    return objects;
  }

  private static void add(Map<String, String> objects, JsonNode object) {
    JsonNode metadata = object.path("metadata");
    String uid = metadata.path("uid").asText();
    assertFalse(uid.isEmpty(), object::toPrettyString);
    JsonNode content = object.has("spec") ? object.path("spec") : object.path("data");
    objects.put(object.path("kind").asText() + "/" + metadata.path("name").asText(),
        uid + " rv=" + metadata.path("resourceVersion").asText() + " labels=" + metadata.path("labels") + " "
            + content);
  }

  private static long resourceVersion(String snapshotEntry) {
    String rv = snapshotEntry.substring(snapshotEntry.indexOf(" rv=") + 4);
    return Long.parseLong(rv.substring(0, rv.indexOf(' ')));
  }
}

package dev.hostplane.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real kubectl (every version of {@link KubectlClusters#VERSIONS}) writing: generators and {@code create -f} with
 * the server's defaults read back, label, annotate, patch, replace (with a stale resourceVersion too), server-side
 * dry runs and validation errors. Each scenario works in a namespace of its own.
 */
@Tag("slow")
@Execution(ExecutionMode.CONCURRENT)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubectlWriteE2ETest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @TempDir
  static Path root;
  private static KubectlClusters clusters;

  @BeforeAll
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  static void startServers() throws Exception {
    clusters = KubectlClusters.start(root);
  }

  @AfterAll
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  static void stopServers() {
    if (clusters != null) {
      clusters.close();
    }
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void createsNamespaceConfigMapAndSecret(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "generators";
    // kubectl 1.32+ sends these generators' bodies as Kubernetes protobuf, older versions as JSON.
    k.ok("create", "namespace", ns).assertStdoutContains("namespace/" + ns + " created");
    k.ok("-n", ns, "create", "configmap", "settings", "--from-literal=a=b", "--from-literal=c=d")
        .assertStdoutContains("configmap/settings created");
    k.ok("-n", ns, "create", "secret", "generic", "creds", "--from-literal=user=admin")
        .assertStdoutContains("secret/creds created");

    JsonNode namespace = k.json("get", "namespace", ns);
    assertEquals("Active", namespace.path("status").path("phase").asText(), namespace::toPrettyString);
    assertFalse(namespace.path("metadata").path("uid").asText().isEmpty(), namespace::toPrettyString);

    JsonNode cm = k.json("-n", ns, "get", "configmap", "settings");
    assertEquals(NODES.objectNode().put("a", "b").put("c", "d"), cm.path("data"), cm::toPrettyString);
    assertEquals(ns, cm.path("metadata").path("namespace").asText(), cm::toPrettyString);

    JsonNode secret = k.json("-n", ns, "get", "secret", "creds");
    assertEquals("Opaque", secret.path("type").asText(), secret::toPrettyString);
    assertEquals("admin", new String(Base64.getDecoder().decode(secret.path("data").path("user").asText()),
        StandardCharsets.UTF_8), secret::toPrettyString);
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void createFromManifestsStoresDefaultedObjects(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "manifests";
    k.create(Manifests.namespace(ns));
    k.create(Manifests.WEB, "-n", ns)
        .assertStdoutContains("deployment.apps/web created", "service/web created", "pod/web-0 created");

    JsonNode deploy = k.json("-n", ns, "get", "deployment", "web");
    JsonNode spec = deploy.path("spec");
    assertEquals(1, deploy.path("metadata").path("generation").asInt(), deploy::toPrettyString);
    assertEquals(2, spec.path("replicas").asInt(), deploy::toPrettyString);
    assertEquals("RollingUpdate", spec.path("strategy").path("type").asText(), deploy::toPrettyString);
    assertEquals("25%", spec.path("strategy").path("rollingUpdate").path("maxSurge").asText(), deploy::toPrettyString);
    assertEquals("25%", spec.path("strategy").path("rollingUpdate").path("maxUnavailable").asText(),
        deploy::toPrettyString);
    assertEquals(10, spec.path("revisionHistoryLimit").asInt(), deploy::toPrettyString);
    assertEquals(600, spec.path("progressDeadlineSeconds").asInt(), deploy::toPrettyString);
    JsonNode container = spec.path("template").path("spec").path("containers").path(0);
    assertEquals("IfNotPresent", container.path("imagePullPolicy").asText(), deploy::toPrettyString);
    assertEquals("TCP", container.path("ports").path(0).path("protocol").asText(), deploy::toPrettyString);

    JsonNode svc = k.json("-n", ns, "get", "service", "web");
    String clusterIp = svc.path("spec").path("clusterIP").asText();
    assertTrue(inServiceRange(clusterIp), () -> "clusterIP not in 10.240.16.0/20\n" + svc.toPrettyString());
    assertNotEquals("10.240.16.1", clusterIp, "the kubernetes Service's IP was handed out again");
    assertEquals(clusterIp, svc.path("spec").path("clusterIPs").path(0).asText(), svc::toPrettyString);
    assertEquals("ClusterIP", svc.path("spec").path("type").asText(), svc::toPrettyString);
    assertEquals("None", svc.path("spec").path("sessionAffinity").asText(), svc::toPrettyString);
    assertEquals("TCP", svc.path("spec").path("ports").path(0).path("protocol").asText(), svc::toPrettyString);
    assertEquals(8080, svc.path("spec").path("ports").path(0).path("targetPort").asInt(), svc::toPrettyString);

    JsonNode pod = k.json("-n", ns, "get", "pod", "web-0");
    assertEquals("Pending", pod.path("status").path("phase").asText(), pod::toPrettyString);
    assertEquals("Always", pod.path("spec").path("restartPolicy").asText(), pod::toPrettyString);
    assertEquals("ClusterFirst", pod.path("spec").path("dnsPolicy").asText(), pod::toPrettyString);
    assertEquals("default-scheduler", pod.path("spec").path("schedulerName").asText(), pod::toPrettyString);
    assertEquals(30, pod.path("spec").path("terminationGracePeriodSeconds").asInt(), pod::toPrettyString);
    assertEquals("File", pod.path("spec").path("containers").path(0).path("terminationMessagePolicy").asText(),
        pod::toPrettyString);

    // Creating them again is refused.
    k.runWithStdin(Manifests.WEB, "-n", ns, "create", "-f", "-").assertFailure()
        .assertStderrContains("AlreadyExists", "deployments.apps \"web\" already exists");
  }

  private static boolean inServiceRange(String ip) throws Exception {
    byte[] b = InetAddress.getByName(ip).getAddress();
    if (b.length != 4) {
      return false;
    }
    int value = ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    int base = (10 << 24) | (240 << 16) | (16 << 8);
    return (value & 0xfffff000) == base;
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void labelAndAnnotateRespectOverwrite(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "label";
    k.create(Manifests.namespace(ns));
    k.create(Manifests.configMap("target", "app: t"), "-n", ns);

    k.ok("-n", ns, "label", "configmap", "target", "tier=gold").assertStdoutContains("configmap/target labeled");
    assertEquals("gold", metadata(k, ns).path("labels").path("tier").asText());
    k.fails("-n", ns, "label", "configmap", "target", "tier=silver").assertStderrContains("already has a value");
    assertEquals("gold", metadata(k, ns).path("labels").path("tier").asText());
    k.ok("-n", ns, "label", "configmap", "target", "tier=silver", "--overwrite");
    assertEquals("silver", metadata(k, ns).path("labels").path("tier").asText());
    k.ok("-n", ns, "label", "configmap", "target", "tier-").assertStdoutContains("configmap/target unlabeled");
    JsonNode unlabeled = metadata(k, ns);
    assertTrue(unlabeled.path("labels").path("tier").isMissingNode(), unlabeled::toPrettyString);
    assertEquals("t", unlabeled.path("labels").path("app").asText(), unlabeled::toPrettyString);

    // kubectl 1.27 prints "configmap/target annotate", later versions "annotated".
    k.ok("-n", ns, "annotate", "configmap", "target", "note=first").assertStdoutContains("configmap/target annotate");
    assertEquals("first", metadata(k, ns).path("annotations").path("note").asText());
    k.fails("-n", ns, "annotate", "configmap", "target", "note=second").assertStderrContains("already has a value");
    assertEquals("first", metadata(k, ns).path("annotations").path("note").asText());
    k.ok("-n", ns, "annotate", "configmap", "target", "note=second", "--overwrite");
    assertEquals("second", metadata(k, ns).path("annotations").path("note").asText());
    k.ok("-n", ns, "annotate", "configmap", "target", "note-");
    JsonNode unannotated = metadata(k, ns);
    assertTrue(unannotated.path("annotations").path("note").isMissingNode(), unannotated::toPrettyString);

    // A cluster-scoped object too.
    k.ok("label", "namespace", ns, "team=e2e");
    assertEquals("e2e", k.json("get", "namespace", ns).path("metadata").path("labels").path("team").asText());
  }

  /** The metadata of configmap {@code target} in {@code ns}. */
  private static JsonNode metadata(Kubectl k, String ns) {
    return k.json("-n", ns, "get", "configmap", "target").path("metadata");
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void patchWithMergeAndJsonPatches(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "patch";
    k.create(Manifests.namespace(ns));
    k.create(Manifests.configMap("target", "app: t"), "-n", ns);

    k.ok("-n", ns, "patch", "configmap", "target", "--type=merge", "-p", "{\"data\":{\"merged\":\"yes\"}}")
        .assertStdoutContains("configmap/target patched");
    assertEquals(NODES.objectNode().put("key", "value-of-target").put("merged", "yes"),
        k.json("-n", ns, "get", "configmap", "target").path("data"));

    // null removes a key in a merge patch.
    k.ok("-n", ns, "patch", "configmap", "target", "--type=merge", "-p", "{\"data\":{\"key\":null}}");
    assertEquals(NODES.objectNode().put("merged", "yes"), k.json("-n", ns, "get", "configmap", "target").path("data"));

    k.ok("-n", ns, "patch", "configmap", "target", "--type=json", "-p",
        "[{\"op\":\"add\",\"path\":\"/data/json\",\"value\":\"patched\"},{\"op\":\"remove\",\"path\":\"/data/merged\"}]")
        .assertStdoutContains("configmap/target patched");
    JsonNode after = k.json("-n", ns, "get", "configmap", "target");
    assertEquals(NODES.objectNode().put("json", "patched"), after.path("data"), after::toPrettyString);

    // A failing test operation changes nothing, not even the operations before it.
    k.fails("-n", ns, "patch", "configmap", "target", "--type=json", "-p",
        "[{\"op\":\"add\",\"path\":\"/data/x\",\"value\":\"y\"},"
            + "{\"op\":\"test\",\"path\":\"/data/json\",\"value\":\"other\"}]");
    JsonNode unchanged = k.json("-n", ns, "get", "configmap", "target");
    assertEquals(after.path("metadata").path("resourceVersion"), unchanged.path("metadata").path("resourceVersion"),
        unchanged::toPrettyString);
    assertEquals(after.path("data"), unchanged.path("data"), unchanged::toPrettyString);

    // On a Deployment: each spec change bumps the generation.
    k.create(Manifests.WEB, "-n", ns);
    k.ok("-n", ns, "patch", "deployment", "web", "--type=merge", "-p", "{\"spec\":{\"replicas\":3}}");
    JsonNode deploy = k.json("-n", ns, "get", "deployment", "web");
    assertEquals(3, deploy.path("spec").path("replicas").asInt(), deploy::toPrettyString);
    assertEquals(2, deploy.path("metadata").path("generation").asInt(), deploy::toPrettyString);
    k.ok("-n", ns, "patch", "deployment", "web", "--type=json", "-p",
        "[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"nginx:1.28\"}]");
    JsonNode patched = k.json("-n", ns, "get", "deployment", "web");
    assertEquals("nginx:1.28", patched.at("/spec/template/spec/containers/0/image").asText(), patched::toPrettyString);
    assertEquals(3, patched.path("metadata").path("generation").asInt(), patched::toPrettyString);
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void replaceWithAStaleResourceVersionConflicts(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "replace";
    k.create(Manifests.namespace(ns));
    k.create(Manifests.configMap("target", "app: t"), "-n", ns);

    ObjectNode stale = (ObjectNode) k.json("-n", ns, "get", "configmap", "target");
    k.ok("-n", ns, "label", "configmap", "target", "changed=yes");
    ((ObjectNode) stale.path("data")).put("key", "from-the-stale-copy");
    k.runWithStdin(stale.toString(), "-n", ns, "replace", "-f", "-").assertFailure()
        .assertStderrContains("Conflict", "the object has been modified");
    JsonNode current = k.json("-n", ns, "get", "configmap", "target");
    assertEquals("value-of-target", current.path("data").path("key").asText(), current::toPrettyString);

    // With the current resourceVersion the same replace goes through.
    ObjectNode fresh = current.deepCopy();
    ((ObjectNode) fresh.path("data")).put("key", "replaced");
    k.okWithStdin(fresh.toString(), "-n", ns, "replace", "-f", "-").assertStdoutContains("configmap/target replaced");
    JsonNode replaced = k.json("-n", ns, "get", "configmap", "target");
    assertEquals("replaced", replaced.path("data").path("key").asText(), replaced::toPrettyString);
    assertEquals(current.path("metadata").path("uid"), replaced.path("metadata").path("uid"));
    assertNotEquals(current.path("metadata").path("resourceVersion"), replaced.path("metadata").path("resourceVersion"));
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void invalidNameIsRejected(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "invalid";
    k.create(Manifests.namespace(ns));
    k.runWithStdin(Manifests.configMap("Bad_Name", "app: x"), "-n", ns, "create", "-f", "-").assertFailure()
        .assertStderrContains("is invalid", "Invalid value: \"Bad_Name\"");
    k.fails("-n", ns, "create", "configmap", "Bad_Name", "--from-literal=a=b")
        .assertStderrContains("is invalid", "Invalid value: \"Bad_Name\"");
    assertEquals(List.of(), k.names("-n", ns, "get", "configmaps", "-l", "app"));
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void serverDryRunLeavesNothingBehind(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "dry-run";
    k.create(Manifests.namespace(ns));
    k.create(Manifests.configMap("dry", "app: dry") + "---\n" + Manifests.WEB, "-n", ns, "--dry-run=server")
        .assertStdoutContains("configmap/dry created (server dry run)", "deployment.apps/web created (server dry run)",
            "service/web created (server dry run)", "pod/web-0 created (server dry run)");
    k.ok("-n", ns, "create", "configmap", "dry-literal", "--from-literal=a=b", "--dry-run=server")
        .assertStdoutContains("configmap/dry-literal created (server dry run)");
    // A dry run is still validated.
    k.runWithStdin(Manifests.configMap("Dry_Bad", "app: dry"), "-n", ns, "create", "-f", "-", "--dry-run=server")
        .assertFailure().assertStderrContains("is invalid");

    assertEquals(List.of(), k.names("-n", ns, "get", "configmaps,deployments,services,pods", "-l", "app"));
    k.fails("-n", ns, "get", "configmap", "dry").assertStderrContains("NotFound");
    k.fails("-n", ns, "get", "deployment", "web").assertStderrContains("NotFound");

    // Nor does a dry run keep the cluster IP and node port it asked for: a real create gets them afterwards.
    String fixed = Manifests.nodePortService("fixed", "10.240.16.50", 30080);
    JsonNode dry = k.okWithStdin(fixed, "-n", ns, "create", "-f", "-", "--dry-run=server", "-o", "json").json();
    assertEquals("10.240.16.50", dry.path("spec").path("clusterIP").asText(), dry::toPrettyString);
    k.create(fixed, "-n", ns).assertStdoutContains("service/fixed created");
    JsonNode real = k.json("-n", ns, "get", "service", "fixed");
    assertEquals("10.240.16.50", real.path("spec").path("clusterIP").asText(), real::toPrettyString);
    assertEquals(30080, real.path("spec").path("ports").path(0).path("nodePort").asInt(), real::toPrettyString);
  }
}

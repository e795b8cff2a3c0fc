package dev.hostplane.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real kubectl (every version of {@link KubectlClusters#VERSIONS}) doing what people do with a cluster: apply
 * (client- and server-side, with conflicts), diff, explain, scale, set image, rollout restart and status, wait,
 * strategic patches, dry runs and strict field validation, tables and describe, and node maintenance (cordon,
 * taint, drain). Each scenario works in a namespace of its own; results are read back with {@code -o json}.
 */
@Tag("slow")
@Execution(ExecutionMode.CONCURRENT)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KubectlWorkflowE2ETest {
  private static final Duration WAIT = Duration.ofSeconds(20);

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

  private static List<String> containerNames(JsonNode deployment) {
    return StreamSupport.stream(deployment.at("/spec/template/spec/containers").spliterator(), false)
        .map(c -> c.path("name").asText()).toList();
  }

  private static JsonNode container(JsonNode deployment, String name) {
    for (JsonNode c : deployment.at("/spec/template/spec/containers")) {
      if (c.path("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no container " + name + "\n" + deployment.toPrettyString());
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void applyCreatesLeavesUnchangedThenConfigures(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "apply";
    k.create(Manifests.namespace(ns));
    String first = Manifests.twoContainerDeployment("nginx:1.25", true);
    k.okWithStdin(first, "-n", ns, "apply", "-f", "-").assertStdoutContains("deployment.apps/web created");
    k.okWithStdin(first, "-n", ns, "apply", "-f", "-").assertStdoutContains("deployment.apps/web unchanged");
    JsonNode before = k.json("-n", ns, "get", "deployment", "web");
    assertTrue(before.at("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration").isTextual(),
        before::toPrettyString);

    // One container's image changes and one of its env vars goes: a strategic-merge patch computed from the
    // last-applied configuration, with $setElementOrder directives for the containers and the env list.
    k.okWithStdin(Manifests.twoContainerDeployment("nginx:1.26", false), "-n", ns, "apply", "-f", "-")
        .assertStdoutContains("deployment.apps/web configured");
    JsonNode after = k.json("-n", ns, "get", "deployment", "web");
    assertEquals(List.of("web", "sidecar"), containerNames(after), after::toPrettyString);
    assertEquals("nginx:1.26", container(after, "web").path("image").asText(), after::toPrettyString);
    assertEquals(1, container(after, "web").path("env").size(), after::toPrettyString);
    assertEquals("A", container(after, "web").path("env").path(0).path("name").asText(), after::toPrettyString);
    assertEquals("busybox:1.36", container(after, "sidecar").path("image").asText(), after::toPrettyString);
    assertEquals(before.path("metadata").path("generation").asInt() + 1,
        after.path("metadata").path("generation").asInt(), after::toPrettyString);

    // diff against the live object: the same manifest shows nothing (exit 0), a changed one its change (exit 1);
    // neither changes the object (both are server dry runs).
    Kubectl.Result same = k.runWithStdin(Manifests.twoContainerDeployment("nginx:1.26", false),
        "-n", ns, "diff", "-f", "-");
    assertEquals(0, same.exitCode(), same::describe);
    assertEquals("", same.stdout(), same::describe);
    String changed = Manifests.twoContainerDeployment("nginx:1.27", false);
    for (String mode : List.of("--server-side=false", "--server-side")) {
      Kubectl.Result diff = k.runWithStdin(changed, "-n", ns, "diff", mode, "-f", "-");
      assertEquals(1, diff.exitCode(), diff::describe);
      diff.assertStdoutContains("-        image: nginx:1.26", "+        image: nginx:1.27");
    }
    JsonNode untouched = k.json("-n", ns, "get", "deployment", "web");
    assertEquals(after.path("metadata").path("resourceVersion"), untouched.path("metadata").path("resourceVersion"),
        untouched::toPrettyString);
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void serverSideApplyConflictsUntilForced(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "ssa";
    k.create(Manifests.namespace(ns));
    String mine = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: shared
        data:
          a: one
          b: two
        """;
    String theirs = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: shared
        data:
          a: other
        """;
    k.okWithStdin(mine, "-n", ns, "apply", "--server-side", "-f", "-")
        .assertStdoutContains("configmap/shared serverside-applied");
    k.runWithStdin(theirs, "-n", ns, "apply", "--server-side", "--field-manager=other", "-f", "-").assertFailure()
        .assertStderrContains("conflict with", "\"kubectl\"", ".data.a");
    assertEquals("one", k.json("-n", ns, "get", "configmap", "shared").at("/data/a").asText());

    k.okWithStdin(theirs, "-n", ns, "apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f",
        "-").assertStdoutContains("configmap/shared serverside-applied");
    JsonNode cm = k.json("-n", ns, "get", "configmap", "shared", "--show-managed-fields");
    assertEquals("other", cm.at("/data/a").asText(), cm::toPrettyString);
    assertEquals("two", cm.at("/data/b").asText(), cm::toPrettyString);
    Map<String, JsonNode> managers = new java.util.HashMap<>();
    for (JsonNode entry : cm.at("/metadata/managedFields")) {
      managers.put(entry.path("manager").asText(), entry);
    }
    assertEquals(java.util.Set.of("kubectl", "other"), managers.keySet(), cm::toPrettyString);
    // The forced apply took .data.a away from kubectl, which keeps .data.b.
    JsonNode kubectl = managers.get("kubectl");
    assertEquals("Apply", kubectl.path("operation").asText(), cm::toPrettyString);
    assertTrue(kubectl.at("/fieldsV1/f:data/f:b").isObject(), cm::toPrettyString);
    assertTrue(kubectl.at("/fieldsV1/f:data/f:a").isMissingNode(), cm::toPrettyString);
    JsonNode other = managers.get("other");
    assertEquals("Apply", other.path("operation").asText(), cm::toPrettyString);
    assertTrue(other.at("/fieldsV1/f:data/f:a").isObject(), cm::toPrettyString);
    assertTrue(other.at("/fieldsV1/f:data/f:b").isMissingNode(), cm::toPrettyString);
    // Without --show-managed-fields kubectl hides them.
    assertTrue(k.json("-n", ns, "get", "configmap", "shared").at("/metadata/managedFields").isMissingNode());
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void explainPrintsFieldsWithTypes(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    Kubectl.Result containers = k.ok("explain", "pods.spec.containers");
    assertTrue(containers.lines().stream().anyMatch(l -> l.matches("\\s+image\t<string>.*")), containers::describe);
    assertTrue(containers.lines().stream().anyMatch(l -> l.matches("\\s+env\t<\\[\\]EnvVar>.*")),
        containers::describe);

    Kubectl.Result recursive = k.ok("explain", "deployments", "--recursive");
    recursive.assertStdoutContains("KIND:", "Deployment");
    // Nested fields, indented under their parents: spec.template.spec.containers[].image.
    List<String> lines = recursive.lines();
    int spec = indexOf(lines, "  spec\t<DeploymentSpec>", 0, recursive);
    int template = indexOf(lines, "    template\t<PodTemplateSpec>", spec, recursive);
    int podSpec = indexOf(lines, "      spec\t<PodSpec>", template, recursive);
    int containersLine = indexOf(lines, "        containers\t<[]Container>", podSpec, recursive);
    indexOf(lines, "          image\t<string>", containersLine, recursive);
  }

  /** The first line from {@code from} on that starts with {@code prefix} (colours stripped). */
  private static int indexOf(List<String> lines, String prefix, int from, Kubectl.Result r) {
    for (int i = from; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("no line \"" + prefix.replace("\t", "\\t") + "\" after line " + from + "\n"
        + r.describe());
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void scaleSetImageAndRolloutRestart(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "rollout";
    k.create(Manifests.namespace(ns));
    k.create(Manifests.twoContainerDeployment("nginx:1.25", true), "-n", ns);

    k.ok("-n", ns, "scale", "deployment", "web", "--replicas=3").assertStdoutContains("deployment.apps/web scaled");
    assertEquals("3", k.ok("-n", ns, "get", "deploy", "web", "-o", "jsonpath={.spec.replicas}").stdout().trim());
    JsonNode scaled = k.json("-n", ns, "get", "deployment", "web");
    assertEquals(3, scaled.at("/spec/replicas").asInt(), scaled::toPrettyString);

    k.ok("-n", ns, "set", "image", "deployment/web", "web=nginx:1.26")
        .assertStdoutContains("deployment.apps/web image updated");
    JsonNode imaged = k.json("-n", ns, "get", "deployment", "web");
    assertEquals("nginx:1.26", container(imaged, "web").path("image").asText(), imaged::toPrettyString);
    assertEquals("busybox:1.36", container(imaged, "sidecar").path("image").asText(), imaged::toPrettyString);
    assertEquals(List.of("web", "sidecar"), containerNames(imaged), imaged::toPrettyString);
    assertEquals(scaled.at("/metadata/generation").asInt() + 1, imaged.at("/metadata/generation").asInt(),
        imaged::toPrettyString);

    k.ok("-n", ns, "rollout", "restart", "deployment/web").assertStdoutContains("deployment.apps/web restarted");
    JsonNode restarted = k.json("-n", ns, "get", "deployment", "web");
    assertTrue(restarted.at("/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt").isTextual(),
        restarted::toPrettyString);
    assertEquals(imaged.at("/metadata/generation").asInt() + 1, restarted.at("/metadata/generation").asInt(),
        restarted::toPrettyString);
    assertEquals("nginx:1.26", container(restarted, "web").path("image").asText(), restarted::toPrettyString);
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void authCanIAndWhoami(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    assertEquals("yes", k.ok("auth", "can-i", "create", "pods").stdout().trim());
    Kubectl.Result list = k.ok("auth", "can-i", "--list");
    assertTrue(list.lines().get(0).matches("Resources\\s+Non-Resource URLs\\s+Resource Names\\s+Verbs"),
        list::describe);
    list.assertRow("*.*", "[]", "[]", "[*]");
    // 1.27 asks authentication.k8s.io/v1beta1, later versions v1.
    k.ok("auth", "whoami").assertRow("Username", "kubernetes-admin");
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void waitAndRolloutStatus(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "wait";
    k.create(Manifests.namespace(ns));
    k.create(Manifests.twoContainerDeployment("nginx:1.25", true), "-n", ns);

    // Nothing runs deployments here: the status is what these commands patch in.
    k.ok("-n", ns, "patch", "deployment", "web", "--subresource=status", "--type=merge", "-p",
        "{\"status\":{\"conditions\":[{\"type\":\"Available\",\"status\":\"True\"}]}}");
    k.ok("-n", ns, "wait", "--for=condition=Available", "deployment/web", "--timeout=10s")
        .assertStdoutContains("deployment.apps/web condition met");

    k.ok("-n", ns, "scale", "deployment", "web", "--replicas=3");
    k.ok("-n", ns, "wait", "--for=jsonpath={.spec.replicas}=3", "deployment/web", "--timeout=10s")
        .assertStdoutContains("deployment.apps/web condition met");

    int generation = k.json("-n", ns, "get", "deployment", "web").at("/metadata/generation").asInt();
    k.ok("-n", ns, "patch", "deployment", "web", "--subresource=status", "--type=merge", "-p",
        "{\"status\":{\"observedGeneration\":" + generation + ",\"replicas\":3,\"updatedReplicas\":3,"
            + "\"readyReplicas\":3,\"availableReplicas\":3}}");
    k.ok("-n", ns, "rollout", "status", "deployment/web", "--timeout=10s")
        .assertStdoutContains("deployment \"web\" successfully rolled out");

    // wait --for=delete sees the deletion happen: a pod on a node is deleted gracefully (no kubelet finishes it)
    // until a forced delete removes it.
    k.create(Manifests.pod("x", "wait-node"), "-n", ns);
    k.ok("-n", ns, "delete", "pod", "x", "--wait=false");
    assertFalse(k.json("-n", ns, "get", "pod", "x").at("/metadata/deletionTimestamp").isMissingNode());
    try (Kubectl.Background waiter = k.start("-n", ns, "wait", "--for=delete", "pod/x", "--timeout=20s")) {
      Thread.sleep(500);
      k.ok("-n", ns, "delete", "pod", "x", "--grace-period=0", "--force");
      waiter.awaitStdout("pod/x condition met", out -> out.contains("pod/x condition met"), WAIT);
    }
    k.fails("-n", ns, "get", "pod", "x").assertStderrContains("NotFound");
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void strategicPatchDeletesAContainerByName(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "smp";
    k.create(Manifests.namespace(ns));
    k.create(Manifests.twoContainerDeployment("nginx:1.25", true), "-n", ns);
    k.ok("-n", ns, "patch", "deployment", "web", "--type=strategic", "-p",
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"sidecar\",\"$patch\":\"delete\"}]}}}}")
        .assertStdoutContains("deployment.apps/web patched");
    JsonNode patched = k.json("-n", ns, "get", "deployment", "web");
    assertEquals(List.of("web"), containerNames(patched), patched::toPrettyString);
    assertEquals("nginx:1.25", container(patched, "web").path("image").asText(), patched::toPrettyString);
    assertEquals(2, container(patched, "web").path("env").size(), patched::toPrettyString);
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void serverDryRunAndStrictFieldValidation(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "validate";
    k.create(Manifests.namespace(ns));
    k.ok("-n", ns, "create", "deployment", "dry", "--image=nginx:1.25", "--dry-run=server")
        .assertStdoutContains("deployment.apps/dry created (server dry run)");
    k.create(Manifests.twoContainerDeployment("nginx:1.25", true), "-n", ns, "--dry-run=server")
        .assertStdoutContains("deployment.apps/web created (server dry run)");
    assertEquals(List.of(), k.names("-n", ns, "get", "deployments"));

    String unknownField = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: bad
        spec:
          foo: bar
          selector:
            matchLabels: {app: bad}
          template:
            metadata:
              labels: {app: bad}
            spec:
              containers:
              - name: c
                image: busybox:1.36
        """;
    k.runWithStdin(unknownField, "-n", ns, "create", "-f", "-").assertFailure()
        .assertStderrContains("unknown field \"spec.foo\"");
    k.runWithStdin(unknownField, "-n", ns, "create", "-f", "-", "--dry-run=server").assertFailure()
        .assertStderrContains("unknown field \"spec.foo\"");
    k.fails("-n", ns, "get", "deployment", "bad").assertStderrContains("NotFound");
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void tablesSortingCustomColumnsAndDescribe(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "tables";
    k.create(Manifests.namespace(ns));
    k.create(Manifests.pod("p1", "table-node"), "-n", ns);
    k.ok("-n", ns, "create", "deployment", "zeta", "--image=nginx:1.25");
    k.create(Manifests.twoContainerDeployment("nginx:1.25", true), "-n", ns);
    k.ok("-n", ns, "create", "deployment", "alpha", "--image=nginx:1.25");
    k.ok("-n", ns, "create", "configmap", "settings", "--from-literal=a=b", "--from-literal=c=d");

    Kubectl.Result pods = k.ok("-n", ns, "get", "pods");
    assertTrue(pods.lines().get(0).matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s*"), pods::describe);
    pods.assertRow("p1", "0/1", "Pending", "0");
    Kubectl.Result wide = k.ok("-n", ns, "get", "pods", "-o", "wide");
    assertTrue(wide.lines().get(0).matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s+IP\\s+NODE\\s.*"),
        wide::describe);
    wide.assertRow("p1", "0/1", "Pending", "0");
    assertTrue(wide.lines().stream().anyMatch(l -> l.matches("p1\\s.*\\s<none>\\s+table-node\\s.*")),
        wide::describe);

    Kubectl.Result sorted = k.ok("-n", ns, "get", "deploy", "--sort-by=.metadata.name");
    List<String> order = new ArrayList<>();
    for (String line : sorted.lines().subList(1, sorted.lines().size())) {
      order.add(line.split("\\s+")[0]);
    }
    assertEquals(List.of("alpha", "web", "zeta"), order, sorted::describe);

    Kubectl.Result columns = k.ok("-n", ns, "get", "cm", "-o", "custom-columns=NAME:.metadata.name,KEYS:.data");
    assertTrue(columns.lines().get(0).matches("NAME\\s+KEYS\\s*"), columns::describe);
    columns.assertRow("settings", "map[a:b", "c:d]");

    // describe lists the events about the object (matched by involvedObject name, namespace and uid).
    String uid = k.json("-n", ns, "get", "pod", "p1").at("/metadata/uid").asText();
    k.create("""
        apiVersion: v1
        kind: Event
        metadata:
          name: p1.first
        involvedObject:
          apiVersion: v1
          kind: Pod
          name: p1
          namespace: %s
          uid: %s
        reason: Scheduled
        message: hello-from-an-event
        type: Normal
        """.formatted(ns, uid), "-n", ns);
    Kubectl.Result describePod = k.ok("-n", ns, "describe", "pod", "p1");
    assertTrue(describePod.lines().stream().anyMatch(l -> l.matches("Name:\\s+p1")), describePod::describe);
    assertTrue(describePod.lines().stream().anyMatch(l -> l.matches("Node:\\s+table-node.*")), describePod::describe);
    assertTrue(describePod.lines().stream().anyMatch(l -> l.matches("\\s+Normal\\s+Scheduled\\s.*hello-from-an-event")),
        describePod::describe);
    Kubectl.Result describeDeploy = k.ok("-n", ns, "describe", "deployment", "web");
    assertTrue(describeDeploy.lines().stream().anyMatch(l -> l.matches("Name:\\s+web")), describeDeploy::describe);
    assertTrue(describeDeploy.lines().stream().anyMatch(l -> l.matches("Replicas:\\s+2 desired.*")),
        describeDeploy::describe);
    describeDeploy.assertStdoutContains("nginx:1.25", "busybox:1.36");
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void cordonTaintAndDrainANode(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "drain";
    String node = "n1";
    k.create(Manifests.namespace(ns));
    k.create(Manifests.node(node)).assertStdoutContains("node/n1 created");

    k.ok("cordon", node).assertStdoutContains("node/n1 cordoned");
    assertTrue(k.json("get", "node", node).at("/spec/unschedulable").asBoolean());
    k.ok("uncordon", node).assertStdoutContains("node/n1 uncordoned");
    assertFalse(k.json("get", "node", node).at("/spec/unschedulable").asBoolean());

    k.ok("taint", "node", node, "key=value:NoSchedule").assertStdoutContains("node/n1 tainted");
    JsonNode taints = k.json("get", "node", node).at("/spec/taints");
    assertEquals(1, taints.size(), taints::toPrettyString);
    assertEquals("key", taints.path(0).path("key").asText(), taints::toPrettyString);
    assertEquals("value", taints.path(0).path("value").asText(), taints::toPrettyString);
    assertEquals("NoSchedule", taints.path(0).path("effect").asText(), taints::toPrettyString);

    k.create(Manifests.pod("bound", node) + "---\n" + Manifests.pod("elsewhere", "n2"), "-n", ns);
    // drain evicts (POST pods/<name>/eviction). Without a kubelet a pod on a node would stay Terminating for its
    // grace period, as upstream, so the eviction asks for 0 seconds.
    Kubectl.Result drain = k.ok("drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--force",
        "--timeout=20s", "--grace-period=0", "-v=6");
    drain.assertStdoutContains("node/n1 cordoned", "pod/bound evicted", "node/n1 drained");
    // The -v=6 request log: "POST https://.../eviction 201 Created" (1.27-1.29) or a structured line with
    // verb="POST" url="https://.../eviction" status="201 Created".
    String eviction = "/api/v1/namespaces/" + ns + "/pods/bound/eviction";
    assertTrue(drain.stderr().lines().anyMatch(l -> l.contains("POST") && l.contains(eviction)
        && l.contains("201 Created")), () -> "drain did not evict\n" + drain.describe());
    k.fails("-n", ns, "get", "pod", "bound").assertStderrContains("NotFound");
    assertEquals(List.of("pod/elsewhere"), k.names("-n", ns, "get", "pods"));
    assertTrue(k.json("get", "node", node).at("/spec/unschedulable").asBoolean());
  }
}

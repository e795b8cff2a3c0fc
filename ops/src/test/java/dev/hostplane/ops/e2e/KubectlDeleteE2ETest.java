package dev.hostplane.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
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
 * Real kubectl (every version of {@link KubectlClusters#VERSIONS}) deleting: objects, a whole namespace with its
 * contents, and the namespace that may not be deleted.
 */
@Tag("slow")
@Execution(ExecutionMode.CONCURRENT)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubectlDeleteE2ETest {
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
  void deleteRemovesTheObject(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "delete";
    k.create(Manifests.namespace(ns));
    k.create(Manifests.configMap("doomed", "app: d") + "---\n" + Manifests.configMap("kept", "app: d"), "-n", ns);
    k.create(Manifests.WEB, "-n", ns);

    k.ok("-n", ns, "delete", "configmap", "doomed").assertStdoutContains("configmap \"doomed\" deleted");
    k.fails("-n", ns, "get", "configmap", "doomed").assertStderrContains("NotFound", "configmaps \"doomed\" not found");
    assertEquals(List.of("configmap/kept"), k.names("-n", ns, "get", "configmaps", "-l", "app=d"));
    k.fails("-n", ns, "delete", "configmap", "doomed").assertStderrContains("NotFound");

    k.okWithStdin(Manifests.WEB, "-n", ns, "delete", "-f", "-")
        .assertStdoutContains("deployment.apps \"web\" deleted", "service \"web\" deleted", "pod \"web-0\" deleted");
    assertEquals(List.of(), k.names("-n", ns, "get", "deployments,services,pods"));

    // Deleting a Service releases its cluster IP and node port: the same ones can be asked for again.
    k.create(Manifests.nodePortService("first", "10.240.16.60", 30090), "-n", ns);
    k.runWithStdin(Manifests.nodePortService("taken", "10.240.16.60", 30091), "-n", ns, "create", "-f", "-")
        .assertFailure().assertStderrContains("already allocated");
    k.ok("-n", ns, "delete", "service", "first");
    k.create(Manifests.nodePortService("second", "10.240.16.60", 30090), "-n", ns)
        .assertStdoutContains("service/second created");
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void deleteNamespaceRemovesItsContents(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "doomed-namespace";
    String bystander = "bystander";
    k.create(Manifests.namespace(ns) + "---\n" + Manifests.namespace(bystander));
    k.create(Manifests.configMap("inside", "app: d"), "-n", ns);
    k.create(Manifests.WEB, "-n", ns);
    k.create(Manifests.configMap("survivor", "app: d"), "-n", bystander);

    // kubectl waits for the namespace to be gone before it returns: no polling here.
    k.ok("delete", "namespace", ns).assertStdoutContains("namespace \"" + ns + "\" deleted");
    k.fails("get", "namespace", ns).assertStderrContains("NotFound", "namespaces \"" + ns + "\" not found");
    for (String type : List.of("configmaps", "deployments", "services", "pods")) {
      JsonNode all = k.json("get", type, "-A");
      all.path("items").forEach(i -> assertNotEquals(ns, i.path("metadata").path("namespace").asText(),
          () -> type + " left behind in the deleted namespace: " + i.toPrettyString()));
    }
    Kubectl.Result table = k.ok("get", "configmaps", "-A");
    assertTrue(table.lines().stream().noneMatch(l -> l.startsWith(ns + " ")), table::describe);
    table.assertRow(bystander, "survivor");
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void deletingTheDefaultNamespaceIsForbidden(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    k.fails("delete", "namespace", "default").assertStderrContains("Forbidden");
    JsonNode ns = k.json("get", "namespace", "default");
    assertEquals("Active", ns.path("status").path("phase").asText(), ns::toPrettyString);
    assertTrue(ns.path("metadata").path("deletionTimestamp").isMissingNode(), ns::toPrettyString);
  }
}

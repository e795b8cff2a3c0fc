package dev.hostplane.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * Real kubectl (every version of {@link KubectlClusters#VERSIONS}) asking about the cluster: version, discovery,
 * cluster-info, and the {@code kubernetes} Service the apiserver maintains for itself.
 */
@Tag("slow")
@Execution(ExecutionMode.CONCURRENT)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubectlDiscoveryE2ETest {
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
  void versionPrintsTheServerVersion(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    JsonNode v = k.ok("version", "-o", "json").json();
    JsonNode server = v.path("serverVersion");
    assertEquals("1", server.path("major").asText(), v::toPrettyString);
    String minor = server.path("minor").asText();
    assertTrue(minor.matches("\\d+\\+?"), v::toPrettyString);
    String gitVersion = server.path("gitVersion").asText();
    assertTrue(gitVersion.startsWith("v1." + minor.replace("+", "") + "."), v::toPrettyString);
    assertTrue(v.path("clientVersion").path("gitVersion").asText().startsWith("v" + version + "."),
        v::toPrettyString);

    // The human-readable form prints the same server version.
    k.ok("version").assertStdoutContains("Server Version", gitVersion);
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void apiVersionsListsTheBuiltInGroups(String version) throws Exception {
    Kubectl.Result r = clusters.kubectl(version).ok("api-versions");
    for (String gv : List.of("v1", "apps/v1", "batch/v1", "rbac.authorization.k8s.io/v1", "networking.k8s.io/v1",
        "policy/v1", "autoscaling/v2", "coordination.k8s.io/v1", "discovery.k8s.io/v1", "storage.k8s.io/v1",
        "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "certificates.k8s.io/v1")) {
      assertTrue(r.lines().contains(gv), () -> "api-versions lacks " + gv + "\n" + r.describe());
    }
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void apiResourcesListsNamesAndShortNames(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    k.ok("api-resources")
        .assertRow("pods", "po", "v1", "true", "Pod")
        .assertRow("services", "svc", "v1", "true", "Service")
        .assertRow("configmaps", "cm", "v1", "true", "ConfigMap")
        .assertRow("namespaces", "ns", "v1", "false", "Namespace")
        .assertRow("deployments", "deploy", "apps/v1", "true", "Deployment")
        .assertRow("cronjobs", "cj", "batch/v1", "true", "CronJob")
        .assertRow("clusterroles", "rbac.authorization.k8s.io/v1", "false", "ClusterRole");

    // Restricted to one group, only that group's resources.
    Kubectl.Result apps = k.ok("api-resources", "--api-group=apps", "-o", "name");
    assertTrue(apps.lines().contains("deployments.apps"), apps::describe);
    assertTrue(apps.lines().stream().allMatch(l -> l.endsWith(".apps")), apps::describe);
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void clusterInfoPrintsTheControlPlaneUrl(String version) throws Exception {
    clusters.kubectl(version).ok("cluster-info")
        .assertStdoutContains("Kubernetes control plane is running at " + clusters.server(version).url());
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void unknownResourceTypeIsAnError(String version) throws Exception {
    clusters.kubectl(version).fails("get", "foos")
        .assertStderrContains("the server doesn't have a resource type \"foos\"");
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void kubernetesServiceHasTheFirstClusterIpAndTheAdvertisedEndpoint(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    int port = clusters.server(version).port();
    JsonNode svc = k.json("get", "service", "kubernetes", "-n", "default");
    assertEquals("10.240.16.1", svc.path("spec").path("clusterIP").asText(), svc::toPrettyString);
    JsonNode servicePort = svc.path("spec").path("ports").path(0);
    assertEquals(443, servicePort.path("port").asInt(), svc::toPrettyString);
    assertEquals("TCP", servicePort.path("protocol").asText(), svc::toPrettyString);
    assertEquals(port, servicePort.path("targetPort").asInt(), svc::toPrettyString);

    JsonNode ep = k.json("get", "endpoints", "kubernetes", "-n", "default");
    List<String> ips = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    ep.path("subsets").forEach(s -> {
      s.path("addresses").forEach(a -> ips.add(a.path("ip").asText()));
      s.path("ports").forEach(p -> ports.add(p.path("port").asInt()));
    });
    assertEquals(List.of(E2eApiServer.ADVERTISE_ADDRESS), ips, ep::toPrettyString);
    assertEquals(List.of(port), ports, ep::toPrettyString);
  }
}

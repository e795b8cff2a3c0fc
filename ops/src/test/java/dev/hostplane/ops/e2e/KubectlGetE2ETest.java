package dev.hostplane.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
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
 * Real kubectl (every version of {@link KubectlClusters#VERSIONS}) reading: output formats, all namespaces, label
 * and field selectors, paging, labels in tables, and a watch that sees what another kubectl does. Each scenario
 * works in a namespace of its own.
 */
@Tag("slow")
@Execution(ExecutionMode.CONCURRENT)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubectlGetE2ETest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Duration WATCH_WAIT = Duration.ofSeconds(10);

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

  /** Namespace {@code ns} with web-1 (app=web, tier=front), web-2 (app=web, tier=back) and db-1 (app=db). */
  private static void threeConfigMaps(Kubectl k, String ns) {
    k.create(Manifests.namespace(ns));
    k.create(Manifests.configMap("web-1", "app: web, tier: front") + "---\n"
        + Manifests.configMap("web-2", "app: web, tier: back") + "---\n"
        + Manifests.configMap("db-1", "app: db"), "-n", ns);
  }

  private static Set<String> itemNames(JsonNode list) {
    return StreamSupport.stream(list.path("items").spliterator(), false)
        .map(i -> i.path("metadata").path("name").asText())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void getPrintsJsonYamlNamesAndTables(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "get-formats";
    threeConfigMaps(k, ns);

    JsonNode one = k.json("-n", ns, "get", "configmap", "web-1");
    assertEquals("ConfigMap", one.path("kind").asText(), one::toPrettyString);
    assertEquals("v1", one.path("apiVersion").asText(), one::toPrettyString);
    assertEquals("value-of-web-1", one.path("data").path("key").asText(), one::toPrettyString);
    assertFalse(one.path("metadata").path("resourceVersion").asText().isEmpty(), one::toPrettyString);

    JsonNode list = k.json("-n", ns, "get", "configmaps");
    assertEquals("List", list.path("kind").asText(), list::toPrettyString);
    assertTrue(itemNames(list).containsAll(Set.of("web-1", "web-2", "db-1")), list::toPrettyString);

    Kubectl.Result yaml = k.ok("-n", ns, "get", "configmap", "web-2", "-o", "yaml");
    JsonNode fromYaml = YAML.readTree(yaml.stdout());
    assertEquals("web-2", fromYaml.path("metadata").path("name").asText(), yaml::describe);
    assertEquals("value-of-web-2", fromYaml.path("data").path("key").asText(), yaml::describe);
    assertEquals(k.json("-n", ns, "get", "configmap", "web-2").path("metadata").path("uid"),
        fromYaml.path("metadata").path("uid"), yaml::describe);

    List<String> names = k.names("-n", ns, "get", "configmaps");
    assertTrue(names.containsAll(List.of("configmap/web-1", "configmap/web-2", "configmap/db-1")), names::toString);
    assertTrue(names.stream().allMatch(n -> n.startsWith("configmap/")), names::toString);

    Kubectl.Result table = k.ok("-n", ns, "get", "configmaps");
    assertTrue(table.lines().get(0).startsWith("NAME"), table::describe);
    table.assertRow("web-1").assertRow("web-2").assertRow("db-1");
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void getAllNamespacesListsEveryNamespace(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "get-all-a";
    String other = "get-all-b";
    k.create(Manifests.namespace(ns) + "---\n" + Manifests.namespace(other));
    k.create(Manifests.configMap("in-a", "app: a"), "-n", ns);
    k.create(Manifests.configMap("in-b", "app: b"), "-n", other);

    Kubectl.Result table = k.ok("get", "configmaps", "-A");
    assertTrue(table.lines().get(0).matches("NAMESPACE\\s+NAME\\s.*"), table::describe);
    table.assertRow(ns, "in-a").assertRow(other, "in-b");

    JsonNode list = k.json("get", "configmaps", "--all-namespaces");
    Set<String> qualified = StreamSupport.stream(list.path("items").spliterator(), false)
        .map(i -> i.path("metadata").path("namespace").asText() + "/" + i.path("metadata").path("name").asText())
        .collect(Collectors.toSet());
    assertTrue(qualified.containsAll(Set.of(ns + "/in-a", other + "/in-b")), qualified::toString);

    // Without -A, only the namespace asked for.
    assertEquals(List.of("configmap/in-a"), k.names("-n", ns, "get", "configmaps", "-l", "app"));
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void getWithLabelSelectorListsOnlyMatches(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "get-labels";
    threeConfigMaps(k, ns);
    assertEquals(Set.of("configmap/web-1", "configmap/web-2"),
        Set.copyOf(k.names("-n", ns, "get", "configmaps", "-l", "app=web")));
    assertEquals(List.of("configmap/web-1"), k.names("-n", ns, "get", "configmaps", "-l", "app=web,tier=front"));
    assertEquals(List.of("configmap/db-1"), k.names("-n", ns, "get", "configmaps", "-l", "app in (db)"));
    assertEquals(Set.of("configmap/web-2", "configmap/db-1"),
        Set.copyOf(k.names("-n", ns, "get", "configmaps", "-l", "app,tier!=front")));
    assertEquals(List.of(), k.names("-n", ns, "get", "configmaps", "-l", "app=nothing"));
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void getWithFieldSelectorListsOnlyMatches(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "get-fields";
    threeConfigMaps(k, ns);
    assertEquals(List.of("configmap/web-2"),
        k.names("-n", ns, "get", "configmaps", "--field-selector", "metadata.name=web-2"));
    Set<String> notWeb2 = Set.copyOf(k.names("-n", ns, "get", "configmaps", "--field-selector",
        "metadata.name!=web-2"));
    assertTrue(notWeb2.containsAll(Set.of("configmap/web-1", "configmap/db-1")), notWeb2::toString);
    assertFalse(notWeb2.contains("configmap/web-2"), notWeb2::toString);

    // A field of one type: a new pod is Pending.
    k.create("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: waiting
        spec:
          containers:
          - name: c
            image: busybox:1.36
        """, "-n", ns);
    assertEquals(List.of("pod/waiting"),
        k.names("-n", ns, "get", "pods", "--field-selector", "status.phase=Pending"));
    assertEquals(List.of(), k.names("-n", ns, "get", "pods", "--field-selector", "status.phase=Running"));
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void getInChunksListsEveryObject(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "get-chunks";
    k.create(Manifests.namespace(ns));
    StringBuilder manifests = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      manifests.append(Manifests.configMap("chunk-" + i, "chunked: \"yes\"")).append("---\n");
      expected.add("chunk-" + i);
    }
    k.create(manifests.toString(), "-n", ns);

    Kubectl.Result table = k.ok("-n", ns, "get", "configmaps", "--chunk-size=1", "-v=6");
    for (String name : expected) {
      table.assertRow(name);
    }
    // kubectl really paged (its -v=6 log lists the requests): one request per object, each after the first with
    // the continue token of the one before.
    String path = "/api/v1/namespaces/" + ns + "/configmaps?";
    long pages = table.stderr().lines().filter(l -> l.contains(path) && l.contains("limit=1")).count();
    long continued = table.stderr().lines().filter(l -> l.contains(path) && l.contains("continue=")).count();
    assertTrue(pages >= expected.size(), () -> pages + " pages\n" + table.describe());
    assertTrue(continued >= expected.size() - 1, () -> continued + " continued pages\n" + table.describe());

    assertEquals(expected.stream().map(n -> "configmap/" + n).toList(),
        k.names("-n", ns, "get", "configmaps", "--chunk-size=1", "-l", "chunked"));
    assertEquals(Set.copyOf(expected),
        itemNames(k.json("-n", ns, "get", "configmaps", "--chunk-size=2", "-l", "chunked")));
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void getShowLabelsPrintsTheLabels(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "get-show-labels";
    threeConfigMaps(k, ns);
    Kubectl.Result table = k.ok("-n", ns, "get", "configmaps", "--show-labels");
    assertTrue(table.lines().get(0).matches("NAME\\s.*\\sLABELS"), table::describe);
    assertTrue(table.lines().stream().anyMatch(l -> l.matches("web-1\\s.*\\sapp=web,tier=front")), table::describe);
    assertTrue(table.lines().stream().anyMatch(l -> l.matches("db-1\\s.*\\sapp=db")), table::describe);
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")
  void watchSeesChangesMadeByAnotherCommand(String version) throws Exception {
    Kubectl k = clusters.kubectl(version);
    String ns = "watch";
    k.create(Manifests.namespace(ns));
    k.create(Manifests.configMap("before", "app: w"), "-n", ns);

    try (Kubectl.Background watcher = k.start("-n", ns, "get", "configmaps", "-w", "--output-watch-events")) {
      // The initial list arrives as ADDED events; the watch that follows starts at the list's resourceVersion, so
      // nothing done from here on can be missed.
      watcher.awaitStdout("ADDED before", event("ADDED", "before"), WATCH_WAIT);

      k.create(Manifests.configMap("after", "app: w"), "-n", ns);
      watcher.awaitStdout("ADDED after", event("ADDED", "after"), WATCH_WAIT);

      k.ok("-n", ns, "label", "configmap", "after", "seen=yes");
      watcher.awaitStdout("MODIFIED after", event("MODIFIED", "after"), WATCH_WAIT);

      k.ok("-n", ns, "delete", "configmap", "after");
      watcher.awaitStdout("DELETED after", event("DELETED", "after"), WATCH_WAIT);
    }
  }

  private static Predicate<String> event(String type, String name) {
    Pattern p = Kubectl.row(type, name);
    return out -> out.lines().anyMatch(l -> p.matcher(l).matches());
  }
}

package dev.hostplane.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.Kubeconfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real kubectl (the oldest and newest supported, 1.27 and 1.33) asking {@code auth can-i} as a non-admin user
 * whose client certificate the cluster CA issued, against RBAC objects the admin created with kubectl.
 */
@Tag("slow")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KubectlAuthCanIE2ETest {
  @TempDir
  static Path root;
  static E2eApiServer server;
  static Path janeConfig;

  @BeforeAll
  static void start() throws Exception {
    server = E2eApiServer.start(root.resolve("server"));
    CertificateAuthority ca = CertificateAuthority.load(root.resolve("server/pki/ca.crt"),
        root.resolve("server/pki/ca.key"));
    janeConfig = root.resolve("jane.kubeconfig");
    Kubeconfig.write(janeConfig, "hostplane", server.url(), ca.certificate(),
        ca.issueClient("jane", List.of("devs"), Duration.ofDays(1)));
    Kubectl admin = Kubectl.of("1.33", server.kubeconfig(), root.resolve("admin"));
    admin.ok("create", "namespace", "team");
    admin.ok("create", "role", "pod-reader", "-n", "team", "--verb=get,list,watch", "--resource=pods");
    admin.ok("create", "rolebinding", "jane-reads", "-n", "team", "--role=pod-reader", "--user=jane");
    admin.ok("create", "clusterrole", "cm-one", "--verb=get", "--resource=configmaps", "--resource-name=settings");
    admin.ok("create", "rolebinding", "devs-settings", "-n", "team", "--clusterrole=cm-one", "--group=devs");
    // The bindings reach the authorizer through its watch: wait until the last one is in effect.
    Kubectl jane = Kubectl.of("1.33", janeConfig, root.resolve("wait"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (jane.run("auth", "can-i", "get", "configmaps/settings", "-n", "team").exitCode() != 0
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static Kubectl jane(String version) throws Exception {
    return Kubectl.of(version, janeConfig, root.resolve("jane-" + version));
  }

  @ParameterizedTest(name = "kubectl {0}")
  @ValueSource(strings = {"1.27", "1.33"})
  void canIAnswersFromRbac(String version) throws Exception {
    Kubectl k = jane(version);
    assertEquals("yes", k.ok("auth", "can-i", "list", "pods", "-n", "team").stdout().trim());
    assertEquals("yes", k.ok("auth", "can-i", "get", "configmaps/settings", "-n", "team").stdout().trim());
    assertEquals("no", k.fails("auth", "can-i", "get", "configmaps/other", "-n", "team").stdout().trim());
    assertEquals("no", k.fails("auth", "can-i", "delete", "pods", "-n", "team").stdout().trim());
    assertEquals("no", k.fails("auth", "can-i", "list", "pods", "-n", "default").stdout().trim());
    assertEquals("no", k.fails("auth", "can-i", "create", "clusterroles").stdout().trim());
    assertEquals("yes", Kubectl.of(version, server.kubeconfig(), root.resolve("admin-" + version))
        .ok("auth", "can-i", "*", "*").stdout().trim());
  }

  @ParameterizedTest(name = "kubectl {0}")
  @ValueSource(strings = {"1.27", "1.33"})
  void canIListShowsTheUsersRules(String version) throws Exception {
    String out = jane(version).ok("auth", "can-i", "--list", "-n", "team").stdout();
    assertTrue(Pattern.compile("(?m)^pods\\s+\\[\\]\\s+\\[\\]\\s+\\[get list watch\\]").matcher(out).find(), out);
    assertTrue(Pattern.compile("(?m)^configmaps\\s+\\[\\]\\s+\\[settings\\]\\s+\\[get\\]").matcher(out).find(), out);
    assertTrue(out.contains("selfsubjectaccessreviews.authorization.k8s.io"), out);
    assertTrue(Pattern.compile("(?m)^\\s+\\[/api/\\*\\]\\s+\\[\\]\\s+\\[get\\]").matcher(out).find(), out);
    String elsewhere = jane(version).ok("auth", "can-i", "--list", "-n", "default").stdout();
    assertTrue(!elsewhere.contains("pods "), elsewhere);
  }

  @ParameterizedTest(name = "kubectl {0}")
  @ValueSource(strings = {"1.27", "1.33"})
  void aForbiddenRequestShowsUpstreamsMessage(String version) throws Exception {
    jane(version).fails("get", "secrets", "-n", "team").assertStderrContains(
        "secrets is forbidden: User \"jane\" cannot list resource \"secrets\" in API group \"\" in the namespace "
            + "\"team\"");
  }
}

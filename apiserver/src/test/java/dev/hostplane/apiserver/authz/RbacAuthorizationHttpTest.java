package dev.hostplane.apiserver.authz;

import static dev.hostplane.apiserver.authz.AuthzFixture.clusterRole;
import static dev.hostplane.apiserver.authz.AuthzFixture.clusterRoleBinding;
import static dev.hostplane.apiserver.authz.AuthzFixture.create;
import static dev.hostplane.apiserver.authz.AuthzFixture.group;
import static dev.hostplane.apiserver.authz.AuthzFixture.namespace;
import static dev.hostplane.apiserver.authz.AuthzFixture.role;
import static dev.hostplane.apiserver.authz.AuthzFixture.roleBinding;
import static dev.hostplane.apiserver.authz.AuthzFixture.send;
import static dev.hostplane.apiserver.authz.AuthzFixture.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The RBAC authorization matrix through HTTPS with real client certificates: users, groups and service accounts
 * x verbs x resources x namespaces, against roles and bindings written through the API.
 */
class RbacAuthorizationHttpTest {
  @TempDir
  static Path dir;
  static TestApiServer server;
  static final Map<String, HttpClient> CLIENTS = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.start(dir);
    for (String ns : List.of("team-a", "team-b")) {
      create(server, "/api/v1/namespaces", namespace(ns));
    }
    String rbac = "/apis/rbac.authorization.k8s.io/v1";
    create(server, rbac + "/clusterroles", clusterRole("pod-reader",
        "[{\"apiGroups\":[\"\"],\"resources\":[\"pods\",\"pods/log\"],\"verbs\":[\"get\",\"list\",\"watch\"]}]"));
    create(server, rbac + "/clusterroles", clusterRole("one-configmap",
        "[{\"apiGroups\":[\"\"],\"resources\":[\"configmaps\"],\"resourceNames\":[\"settings\"],"
            + "\"verbs\":[\"get\",\"update\"]}]"));
    create(server, rbac + "/clusterroles", clusterRole("scaler",
        "[{\"apiGroups\":[\"*\"],\"resources\":[\"*/scale\"],\"verbs\":[\"get\"]}]"));
    create(server, rbac + "/clusterroles", clusterRole("metrics-reader",
        "[{\"nonResourceURLs\":[\"/metrics\",\"/readyz/*\"],\"verbs\":[\"get\"]}]"));
    create(server, rbac + "/namespaces/team-a/roles", role("team-a", "deployer",
        "[{\"apiGroups\":[\"apps\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}]"));
    // alice deploys in team-a; bob reads pods everywhere; group devs reads pods in team-a; carol one config map.
    create(server, rbac + "/namespaces/team-a/rolebindings", roleBinding("team-a", "alice-deploys", "Role",
        "deployer", "[" + user("alice") + "]"));
    create(server, rbac + "/clusterrolebindings", clusterRoleBinding("bob-reads-pods", "pod-reader",
        "[" + user("bob") + "]"));
    create(server, rbac + "/namespaces/team-a/rolebindings", roleBinding("team-a", "devs-read-pods",
        "ClusterRole", "pod-reader", "[" + group("devs") + "]"));
    create(server, rbac + "/namespaces/team-b/rolebindings", roleBinding("team-b", "carol-settings",
        "ClusterRole", "one-configmap", "[" + user("carol") + "]"));
    create(server, rbac + "/clusterrolebindings", clusterRoleBinding("scalers", "scaler",
        "[" + group("scalers") + "]"));
    create(server, rbac + "/clusterrolebindings", clusterRoleBinding("monitors", "metrics-reader",
        "[" + group("monitors") + "]"));
    // A ServiceAccount subject without a namespace is the binding's namespace's (team-b/builder).
    create(server, rbac + "/namespaces/team-b/rolebindings", roleBinding("team-b", "builder-edits",
        "ClusterRole", "edit", "[{\"kind\":\"ServiceAccount\",\"name\":\"builder\"}]"));
    create(server, "/api/v1/namespaces/team-b/configmaps",
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"settings\"}}");
    create(server, "/api/v1/namespaces/team-b/configmaps",
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"other\"}}");
    // The last binding written is seen: every earlier one is too (one watch per type, in order).
    AuthzFixture.eventually("the builder binding reaches the authorizer", () -> status(
        "system:serviceaccount:team-b:builder", "system:serviceaccounts,system:serviceaccounts:team-b",
        "GET", "/api/v1/namespaces/team-b/configmaps/settings") == 200);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static int status(String user, String groups, String method, String path) {
    try {
      HttpClient c = user.equals("system:anonymous") ? server.anonymousClient()
          : CLIENTS.computeIfAbsent(user + "|" + groups, k -> {
        try {
          return server.clientFor(user, groups.isEmpty() ? new String[0] : groups.split(","));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      String body = switch (method) {
        case "POST" -> path.endsWith("/deployments") ? deployment() : "{}";
        case "PUT" -> "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"settings\"},"
            + "\"data\":{\"k\":\"v\"}}";
        default -> null;
      };
      return send(server, c, method, path, body).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String deployment() {
    return "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},\"spec\":{"
        + "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
        + "\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx\"}]}}}}";
  }

  /**
   * user, groups (the certificate's organizations; the authenticator adds system:authenticated anyway), method,
   * path, allowed. User system:anonymous sends no certificate.
   */
  static Stream<Object[]> matrix() {
    String a = "system:authenticated";
    return Stream.of(
        // alice: everything in apps, only in team-a
        new Object[] {"alice", a, "POST", "/apis/apps/v1/namespaces/team-a/deployments", true},
        new Object[] {"alice", a, "GET", "/apis/apps/v1/namespaces/team-a/deployments", true},
        new Object[] {"alice", a, "DELETE", "/apis/apps/v1/namespaces/team-a/deployments/none", true},
        new Object[] {"alice", a, "GET", "/apis/apps/v1/namespaces/team-b/deployments", false},
        new Object[] {"alice", a, "GET", "/apis/apps/v1/deployments", false},
        new Object[] {"alice", a, "GET", "/api/v1/namespaces/team-a/pods", false},
        new Object[] {"alice", a, "GET", "/apis/batch/v1/namespaces/team-a/jobs", false},
        // bob: pods and pods/log, read-only, in every namespace and across namespaces
        new Object[] {"bob", a, "GET", "/api/v1/pods", true},
        new Object[] {"bob", a, "GET", "/api/v1/namespaces/team-b/pods", true},
        new Object[] {"bob", a, "GET", "/api/v1/namespaces/team-b/pods/x/log", true},
        new Object[] {"bob", a, "GET", "/api/v1/namespaces/team-b/pods/x/status", false},
        new Object[] {"bob", a, "POST", "/api/v1/namespaces/team-b/pods", false},
        new Object[] {"bob", a, "DELETE", "/api/v1/namespaces/team-b/pods/x", false},
        new Object[] {"bob", a, "GET", "/api/v1/namespaces/team-b/secrets", false},
        // group devs: pods in team-a only; a user named devs is not the group
        new Object[] {"dave", a + ",devs", "GET", "/api/v1/namespaces/team-a/pods", true},
        new Object[] {"dave", a + ",devs", "GET", "/api/v1/namespaces/team-b/pods", false},
        new Object[] {"dave", a + ",devs", "GET", "/api/v1/pods", false},
        new Object[] {"devs", a, "GET", "/api/v1/namespaces/team-a/pods", false},
        // carol: one config map by name; a list names nothing
        new Object[] {"carol", a, "GET", "/api/v1/namespaces/team-b/configmaps/settings", true},
        new Object[] {"carol", a, "PUT", "/api/v1/namespaces/team-b/configmaps/settings", true},
        new Object[] {"carol", a, "GET", "/api/v1/namespaces/team-b/configmaps/other", false},
        new Object[] {"carol", a, "GET", "/api/v1/namespaces/team-b/configmaps", false},
        new Object[] {"carol", a, "DELETE", "/api/v1/namespaces/team-b/configmaps/settings", false},
        new Object[] {"carol", a, "GET", "/api/v1/namespaces/team-a/configmaps/settings", false},
        // */scale: any group's scale subresource, nothing else
        new Object[] {"erin", a + ",scalers", "GET", "/apis/apps/v1/namespaces/team-a/deployments/web/scale", true},
        new Object[] {"erin", a + ",scalers", "GET", "/apis/apps/v1/namespaces/team-a/deployments/web", false},
        // non-resource URLs, exact and with a trailing *
        new Object[] {"mon", a + ",monitors", "GET", "/metrics", true},
        new Object[] {"mon", a + ",monitors", "GET", "/readyz/ping", true},
        new Object[] {"mon", a, "GET", "/metrics", false},
        // service account: edit (aggregated) in its binding's namespace
        new Object[] {"system:serviceaccount:team-b:builder", "system:serviceaccounts,system:serviceaccounts:team-b",
            "GET", "/api/v1/namespaces/team-b/secrets", true},
        new Object[] {"system:serviceaccount:team-b:builder", "system:serviceaccounts,system:serviceaccounts:team-b",
            "POST", "/apis/apps/v1/namespaces/team-b/deployments", true},
        new Object[] {"system:serviceaccount:team-b:builder", "system:serviceaccounts,system:serviceaccounts:team-b",
            "GET", "/api/v1/namespaces/team-a/secrets", false},
        new Object[] {"system:serviceaccount:team-a:builder", "system:serviceaccounts,system:serviceaccounts:team-a",
            "GET", "/api/v1/namespaces/team-b/secrets", false},
        new Object[] {"system:serviceaccount:team-b:builder", "system:serviceaccounts,system:serviceaccounts:team-b",
            "GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/team-b/roles", false},
        // bootstrap bindings: discovery for the authenticated, public info for everyone, nothing else
        new Object[] {"nobody", a, "GET", "/api", true},
        new Object[] {"nobody", a, "GET", "/apis/apps/v1", true},
        new Object[] {"nobody", a, "GET", "/version", true},
        new Object[] {"nobody", a, "GET", "/api/v1/namespaces", false},
        new Object[] {"system:anonymous", "", "GET", "/healthz", true},
        new Object[] {"system:anonymous", "", "GET", "/version", true},
        new Object[] {"system:anonymous", "", "GET", "/api", false},
        new Object[] {"system:anonymous", "", "GET", "/api/v1/namespaces/team-a/pods", false},
        new Object[] {"nobody", a, "GET", "/metrics", false},
        // system:masters: always, whatever the bindings
        new Object[] {"root", "system:masters", "DELETE", "/api/v1/namespaces/team-b/configmaps/other", true},
        // the scheduler's bootstrap binding
        new Object[] {"system:kube-scheduler", a, "GET", "/api/v1/nodes", true},
        new Object[] {"system:kube-scheduler", a, "GET", "/api/v1/namespaces/team-b/secrets", false});
  }

  @ParameterizedTest(name = "{0} [{1}] {2} {3} -> {4}")
  @MethodSource("matrix")
  void decidesAsRbac(String user, String groups, String method, String path, boolean allowed) {
    int code = status(user, groups, method, path);
    if (allowed) {
      assertNotEquals(403, code, user + " " + method + " " + path);
      assertNotEquals(401, code, user + " " + method + " " + path);
    } else if (user.equals("system:anonymous")) {
      // No credentials off the public-info paths: not authenticated at all.
      assertEquals(401, code, user + " " + method + " " + path);
    } else {
      assertEquals(403, code, user + " " + method + " " + path);
    }
  }

  @Test
  void denialKeepsUpstreamsMessage() throws Exception {
    HttpResponse<String> r = send(server, server.clientFor("alice", "system:authenticated"), "GET",
        "/api/v1/namespaces/team-b/secrets/s", null);
    assertEquals(403, r.statusCode());
    JsonNode s = AuthzFixture.JSON.readTree(r.body());
    assertEquals("Forbidden", s.path("reason").asText());
    assertEquals("secrets \"s\" is forbidden: User \"alice\" cannot get resource \"secrets\" in API group \"\" in "
        + "the namespace \"team-b\"", s.path("message").asText());
  }

  @Test
  void aNewBindingTakesEffectAndADeletedOneStops() throws Exception {
    String path = "/api/v1/namespaces/team-b/pods";
    assertEquals(403, status("frank", "system:authenticated", "GET", path));
    create(server, "/apis/rbac.authorization.k8s.io/v1/namespaces/team-b/rolebindings",
        roleBinding("team-b", "frank-reads", "ClusterRole", "pod-reader", "[" + user("frank") + "]"));
    AuthzFixture.eventually("frank may list pods", () -> status("frank", "system:authenticated", "GET", path) == 200);
    assertEquals(200, server.send("DELETE", "/apis/rbac.authorization.k8s.io/v1/namespaces/team-b/rolebindings/"
        + "frank-reads", null, null).statusCode());
    AuthzFixture.eventually("frank may not list pods", () -> status("frank", "system:authenticated", "GET", path)
        == 403);
  }

  @Test
  void aBindingToAMissingRoleGrantsNothingUntilTheRoleExists() throws Exception {
    String rbac = "/apis/rbac.authorization.k8s.io/v1";
    String path = "/apis/batch/v1/namespaces/team-a/jobs";
    create(server, rbac + "/clusterrolebindings", clusterRoleBinding("gina-jobs", "job-reader",
        "[" + user("gina") + "]"));
    Thread.sleep(200);
    assertEquals(403, status("gina", "system:authenticated", "GET", path));
    create(server, rbac + "/clusterroles", clusterRole("job-reader",
        "[{\"apiGroups\":[\"batch\"],\"resources\":[\"jobs\"],\"verbs\":[\"list\"]}]"));
    AuthzFixture.eventually("gina may list jobs", () -> status("gina", "system:authenticated", "GET", path) == 200);
  }
}

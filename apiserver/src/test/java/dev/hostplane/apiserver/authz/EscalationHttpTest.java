package dev.hostplane.apiserver.authz;

import static dev.hostplane.apiserver.authz.AuthzFixture.clusterRole;
import static dev.hostplane.apiserver.authz.AuthzFixture.clusterRoleBinding;
import static dev.hostplane.apiserver.authz.AuthzFixture.create;
import static dev.hostplane.apiserver.authz.AuthzFixture.namespace;
import static dev.hostplane.apiserver.authz.AuthzFixture.role;
import static dev.hostplane.apiserver.authz.AuthzFixture.roleBinding;
import static dev.hostplane.apiserver.authz.AuthzFixture.send;
import static dev.hostplane.apiserver.authz.AuthzFixture.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RBAC's escalation prevention: a user may grant (in a role) or bind (through a binding) only what it holds, unless
 * it may {@code escalate} or {@code bind}; refusals are upstream's 403s.
 */
class EscalationHttpTest {
  static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";
  @TempDir
  static Path dir;
  static TestApiServer server;
  static HttpClient manager;

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.start(dir);
    create(server, "/api/v1/namespaces", namespace("esc"));
    // The manager may write roles and bindings in esc and holds pods get/list there; nothing else.
    create(server, RBAC + "/namespaces/esc/roles", role("esc", "rbac-manager",
        "[{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"roles\",\"rolebindings\"],"
            + "\"verbs\":[\"create\",\"update\",\"get\"]},"
            + "{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\",\"list\"]}]"));
    create(server, RBAC + "/namespaces/esc/rolebindings", roleBinding("esc", "manager", "Role", "rbac-manager",
        "[" + user("manager") + "]"));
    create(server, RBAC + "/clusterroles", clusterRole("pods-get",
        "[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]"));
    create(server, RBAC + "/clusterroles", clusterRole("secrets-get",
        "[{\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],\"verbs\":[\"get\"]}]"));
    manager = server.clientFor("manager", "system:authenticated");
    AuthzFixture.eventually("the manager's binding is seen", () -> code("GET", "/api/v1/namespaces/esc/pods",
        null) == 200);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static int code(String method, String path, String body) {
    try {
      return send(server, manager, method, path, body).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aRoleGrantingOnlyHeldPermissionsIsCreated() {
    assertEquals(201, code("POST", RBAC + "/namespaces/esc/roles", role("esc", "reader",
        "[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"list\"]}]")));
  }

  @Test
  void aRoleGrantingMoreIsRefusedWithUpstreamsMessage() throws Exception {
    HttpResponse<String> r = send(server, manager, "POST", RBAC + "/namespaces/esc/roles", role("esc", "grabber",
        "[{\"apiGroups\":[\"\"],\"resources\":[\"pods\",\"secrets\"],\"verbs\":[\"get\",\"delete\"]}]"));
    assertEquals(403, r.statusCode(), r.body());
    JsonNode s = AuthzFixture.JSON.readTree(r.body());
    assertEquals("Forbidden", s.path("reason").asText());
    assertEquals("roles.rbac.authorization.k8s.io \"grabber\" is forbidden: user \"manager\" "
        + "(groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n"
        + "{APIGroups:[\"\"], Resources:[\"pods\" \"secrets\"], Verbs:[\"delete\"]}\n"
        + "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\"]}", s.path("message").asText());
    assertEquals("roles", s.path("details").path("kind").asText());
  }

  @Test
  void escalateAllowsGrantingMore() throws Exception {
    create(server, RBAC + "/namespaces/esc/roles", role("esc", "escalator",
        "[{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"roles\"],\"verbs\":[\"escalate\"],"
            + "\"resourceNames\":[\"power\"]}]"));
    create(server, RBAC + "/namespaces/esc/rolebindings", roleBinding("esc", "manager-escalates", "Role",
        "escalator", "[" + user("manager") + "]"));
    String power = role("esc", "power", "[{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}]");
    AuthzFixture.eventually("escalate on role power is seen",
        () -> code("POST", RBAC + "/namespaces/esc/roles", power) == 201);
    // Only for the role named: another one is still checked.
    assertEquals(403, code("POST", RBAC + "/namespaces/esc/roles", role("esc", "power2",
        "[{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}]")));
  }

  @Test
  void bindingAHeldRoleIsAllowedAndAnUnheldOneRefused() throws Exception {
    assertEquals(201, code("POST", RBAC + "/namespaces/esc/rolebindings", roleBinding("esc", "to-pods-get",
        "ClusterRole", "pods-get", "[" + user("helper") + "]")));
    HttpResponse<String> r = send(server, manager, "POST", RBAC + "/namespaces/esc/rolebindings",
        roleBinding("esc", "to-secrets", "ClusterRole", "secrets-get", "[" + user("helper") + "]"));
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("rolebindings.rbac.authorization.k8s.io \"to-secrets\" is forbidden: user \"manager\" "
        + "(groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n"
        + "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\"]}",
        AuthzFixture.JSON.readTree(r.body()).path("message").asText());
    HttpResponse<String> missing = send(server, manager, "POST", RBAC + "/namespaces/esc/rolebindings",
        roleBinding("esc", "to-nothing", "ClusterRole", "no-such-role", "[" + user("helper") + "]"));
    assertEquals(404, missing.statusCode(), missing.body());
  }

  @Test
  void bindAllowsBindingTheNamedRoleOnly() throws Exception {
    create(server, RBAC + "/clusterroles", clusterRole("binder",
        "[{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"clusterroles\"],\"verbs\":[\"bind\"],"
            + "\"resourceNames\":[\"edit\"]}]"));
    create(server, RBAC + "/namespaces/esc/rolebindings", roleBinding("esc", "manager-binds", "ClusterRole",
        "binder", "[" + user("manager") + "]"));
    AuthzFixture.eventually("bind on edit is seen", () -> code("POST", RBAC + "/namespaces/esc/rolebindings",
        roleBinding("esc", "helper-edits", "ClusterRole", "edit", "[" + user("helper") + "]")) == 201);
    assertEquals(403, code("POST", RBAC + "/namespaces/esc/rolebindings",
        roleBinding("esc", "helper-admin", "ClusterRole", "admin", "[" + user("helper") + "]")));
  }

  @Test
  void anAggregationRuleNeedsClusterAdmin() throws Exception {
    create(server, RBAC + "/clusterroles", clusterRole("cr-writer",
        "[{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"clusterroles\"],\"verbs\":[\"create\"]}]"));
    create(server, RBAC + "/clusterrolebindings", clusterRoleBinding("writer-writes", "cr-writer",
        "[" + user("writer") + "]"));
    HttpClient writer = server.clientFor("writer", "system:authenticated");
    String aggregated = "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":"
        + "{\"name\":\"sneaky\"},\"aggregationRule\":{\"clusterRoleSelectors\":[{\"matchLabels\":{\"x\":\"y\"}}]}}";
    AuthzFixture.eventually("writer may create an empty cluster role", () -> {
      try {
        return send(server, writer, "POST", RBAC + "/clusterroles", clusterRole("harmless", "[]")).statusCode()
            == 201;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    HttpResponse<String> r = send(server, writer, "POST", RBAC + "/clusterroles", aggregated);
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("clusterroles.rbac.authorization.k8s.io \"sneaky\" is forbidden: must have cluster-admin "
        + "privileges to use the aggregationRule", AuthzFixture.JSON.readTree(r.body()).path("message").asText());
  }

  @Test
  void updatingARoleGrantingMoreThanHeldIsRefusedUnlessOnlyItsFinalizersChange() throws Exception {
    assertEquals(201, server.send("POST", RBAC + "/namespaces/esc/roles", "application/json", role("esc", "big",
        "[{\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],\"verbs\":[\"get\"]}]")).statusCode());
    JsonNode big = TestApiServer.json(server.get(RBAC + "/namespaces/esc/roles/big"));
    ((com.fasterxml.jackson.databind.node.ObjectNode) big.path("metadata")).putObject("labels").put("a", "b");
    assertEquals(403, code("PUT", RBAC + "/namespaces/esc/roles/big", big.toString()),
        "a label change is still a write of a role granting more than the writer holds");
    big = TestApiServer.json(server.get(RBAC + "/namespaces/esc/roles/big"));
    ((com.fasterxml.jackson.databind.node.ObjectNode) big.path("metadata")).putArray("finalizers")
        .add("example.com/hold");
    assertEquals(200, code("PUT", RBAC + "/namespaces/esc/roles/big", big.toString()), "garbage collection fields");
  }

  @Test
  void theAdminMayGrantAnything() throws Exception {
    assertEquals(201, server.send("POST", RBAC + "/namespaces/esc/roles", "application/json", role("esc", "all",
        "[{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}]")).statusCode());
  }
}

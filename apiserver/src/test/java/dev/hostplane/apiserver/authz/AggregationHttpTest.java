package dev.hostplane.apiserver.authz;

import static dev.hostplane.apiserver.authz.AuthzFixture.create;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The clusterrole-aggregation controller: aggregated ClusterRoles hold the union of the matching roles' rules. */
class AggregationHttpTest {
  static final String CR = "/apis/rbac.authorization.k8s.io/v1/clusterroles";
  @TempDir
  static Path dir;
  static TestApiServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.start(dir);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static JsonNode rules(String name) {
    try {
      return TestApiServer.json(server.get(CR + "/" + name)).path("rules");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String part(String name, String label, String resource) {
    return "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\""
        + name + "\",\"labels\":{\"" + label + "\":\"true\"}},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\""
        + resource + "\"],\"verbs\":[\"get\"]}]}";
  }

  @Test
  void anAggregatedRoleFollowsItsParts() throws Exception {
    create(server, CR, "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":"
        + "{\"name\":\"monitoring\"},\"aggregationRule\":{\"clusterRoleSelectors\":["
        + "{\"matchLabels\":{\"example.com/aggregate-to-monitoring\":\"true\"}}]}}");
    create(server, CR, part("monitoring-pods", "example.com/aggregate-to-monitoring", "pods"));
    create(server, CR, part("monitoring-nodes", "example.com/aggregate-to-monitoring", "nodes"));
    create(server, CR, part("unrelated", "example.com/other", "secrets"));
    AuthzFixture.eventually("both parts aggregated", () -> rules("monitoring").size() == 2);
    // In name order: monitoring-nodes, then monitoring-pods.
    assertEquals("nodes", rules("monitoring").get(0).path("resources").get(0).asText());
    assertEquals("pods", rules("monitoring").get(1).path("resources").get(0).asText());

    assertEquals(200, server.send("PATCH", CR + "/monitoring-pods", "application/merge-patch+json",
        "{\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\",\"list\"]}]}").statusCode());
    AuthzFixture.eventually("a changed part is followed",
        () -> rules("monitoring").toString().contains("\"list\""));
    assertEquals(200, server.send("DELETE", CR + "/monitoring-nodes", null, null).statusCode());
    AuthzFixture.eventually("a deleted part is dropped", () -> rules("monitoring").size() == 1);
    // Hand edits of an aggregated role are overwritten.
    assertEquals(200, server.send("PATCH", CR + "/monitoring", "application/merge-patch+json",
        "{\"rules\":[]}").statusCode());
    AuthzFixture.eventually("the controller restores the union", () -> rules("monitoring").size() == 1);
  }

  @Test
  void theBootstrapRolesAreAggregated() throws Exception {
    AuthzFixture.eventually("view aggregates system:aggregate-to-view",
        () -> rules("view").toString().contains("endpointslices"));
    AuthzFixture.eventually("edit aggregates view and system:aggregate-to-edit",
        () -> rules("edit").toString().contains("endpointslices") && rules("edit").toString().contains("pods/exec"));
    AuthzFixture.eventually("admin aggregates edit and system:aggregate-to-admin",
        () -> rules("admin").toString().contains("pods/exec")
            && rules("admin").toString().contains("localsubjectaccessreviews"));
    assertTrue(!rules("view").toString().contains("secrets"), "view does not read secrets");
  }
}

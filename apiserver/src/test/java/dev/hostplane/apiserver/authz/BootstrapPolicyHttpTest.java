package dev.hostplane.apiserver.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.storage.embedded.EmbeddedStorage;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default RBAC policy: present after start, restored on restart, and reconciled safely by replicas. */
class BootstrapPolicyHttpTest {
  static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";
  @TempDir
  Path dir;

  @Test
  void theDefaultRolesAndBindingsExistWithTheirLabels() throws Exception {
    try (TestApiServer server = TestApiServer.start(dir)) {
      for (String name : List.of("cluster-admin", "admin", "edit", "view", "system:aggregate-to-view",
          "system:discovery", "system:basic-user", "system:public-info-viewer", "system:monitoring", "system:node",
          "system:node-proxier", "system:kube-controller-manager", "system:kube-scheduler", "system:kube-dns",
          "system:volume-scheduler", "system:auth-delegator", "system:heapster", "system:kubelet-api-admin",
          "system:node-bootstrapper", "system:certificates.k8s.io:kube-apiserver-client-approver",
          "system:service-account-issuer-discovery", "system:controller:namespace-controller",
          "system:controller:clusterrole-aggregation-controller")) {
        JsonNode role = TestApiServer.json(server.get(RBAC + "/clusterroles/" + name));
        assertEquals("rbac-defaults", role.path("metadata").path("labels").path("kubernetes.io/bootstrapping")
            .asText(), name);
        assertEquals("true", role.path("metadata").path("annotations")
            .path("rbac.authorization.kubernetes.io/autoupdate").asText(), name);
      }
      JsonNode admin = TestApiServer.json(server.get(RBAC + "/clusterrolebindings/cluster-admin"));
      assertEquals("system:masters", admin.path("subjects").get(0).path("name").asText());
      JsonNode publicInfo = TestApiServer.json(server.get(RBAC + "/clusterrolebindings/system:public-info-viewer"));
      assertEquals(2, publicInfo.path("subjects").size());
      JsonNode node = TestApiServer.json(server.get(RBAC + "/clusterrolebindings/system:node"));
      assertFalse(node.has("subjects"), "system:node is bound to nobody");
      JsonNode sa = TestApiServer.json(server.get(RBAC + "/clusterrolebindings/"
          + "system:controller:replicaset-controller"));
      assertEquals("ServiceAccount", sa.path("subjects").get(0).path("kind").asText());
      assertEquals("kube-system", sa.path("subjects").get(0).path("namespace").asText());
      assertEquals(200, server.get(RBAC + "/namespaces/kube-system/roles/extension-apiserver-authentication-reader")
          .statusCode());
      assertEquals(200, server.get(RBAC + "/namespaces/kube-public/rolebindings/system:controller:bootstrap-signer")
          .statusCode());
      assertTrue(server.get("/readyz?verbose").body().contains("[+]poststarthook/rbac/bootstrap-roles ok"));
    }
  }

  @Test
  void aRestartRestoresDeletedAndTrimmedDefaultsButRespectsAutoupdateFalse() throws Exception {
    try (TestApiServer server = TestApiServer.start(dir)) {
      assertEquals(200, server.send("DELETE", RBAC + "/clusterroles/system:discovery", null, null).statusCode());
      assertEquals(200, server.send("DELETE", RBAC + "/clusterrolebindings/system:basic-user", null, null)
          .statusCode());
      // Trimmed: one rule gone, one subject gone, a label added by the user.
      assertEquals(200, server.send("PATCH", RBAC + "/clusterroles/system:auth-delegator",
          "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"mine\":\"yes\"}},\"rules\":[{\"apiGroups\":"
              + "[\"authentication.k8s.io\"],\"resources\":[\"tokenreviews\"],\"verbs\":[\"create\"]}]}")
          .statusCode());
      assertEquals(200, server.send("PATCH", RBAC + "/clusterrolebindings/system:public-info-viewer",
          "application/merge-patch+json", "{\"subjects\":[{\"kind\":\"Group\",\"apiGroup\":"
              + "\"rbac.authorization.k8s.io\",\"name\":\"system:authenticated\"}]}").statusCode());
      // Opted out: stays trimmed.
      assertEquals(200, server.send("PATCH", RBAC + "/clusterroles/system:heapster",
          "application/merge-patch+json", "{\"metadata\":{\"annotations\":{"
              + "\"rbac.authorization.kubernetes.io/autoupdate\":\"false\"}},\"rules\":[{\"apiGroups\":[\"\"],"
              + "\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]}").statusCode());
    }
    try (TestApiServer server = TestApiServer.start(dir)) {
      assertEquals(200, server.get(RBAC + "/clusterroles/system:discovery").statusCode());
      assertEquals(200, server.get(RBAC + "/clusterrolebindings/system:basic-user").statusCode());
      JsonNode delegator = TestApiServer.json(server.get(RBAC + "/clusterroles/system:auth-delegator"));
      assertTrue(delegator.path("rules").toString().contains("subjectaccessreviews"), delegator.toString());
      assertEquals("yes", delegator.path("metadata").path("labels").path("mine").asText(), "user labels stay");
      JsonNode publicInfo = TestApiServer.json(server.get(RBAC + "/clusterrolebindings/system:public-info-viewer"));
      assertEquals(2, publicInfo.path("subjects").size());
      JsonNode heapster = TestApiServer.json(server.get(RBAC + "/clusterroles/system:heapster"));
      assertEquals(1, heapster.path("rules").size(), "autoupdate false: left alone");
      // And the restored binding works: anonymous users read /healthz, the authenticated /api.
      assertEquals(200, server.clientFor("someone").send(java.net.http.HttpRequest.newBuilder(server.uri("/api"))
          .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
    }
  }

  @Test
  void replicasStartingTogetherReconcileOnce() throws Exception {
    try (EmbeddedStorage storage = EmbeddedStorage.open(dir.resolve("shared"), EmbeddedStorage.Options.DEFAULT)) {
      ExecutorService pool = Executors.newFixedThreadPool(3);
      List<Future<TestApiServer>> starts = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String name = "r" + i;
        String address = "--advertise-address=192.0.2." + (20 + i);
        starts.add(pool.submit(() -> TestApiServer.start(dir.resolve(name), storage, address)));
      }
      List<TestApiServer> replicas = new ArrayList<>();
      try {
        for (Future<TestApiServer> f : starts) {
          replicas.add(f.get());
        }
        JsonNode list = TestApiServer.json(replicas.get(0).get(RBAC + "/clusterroles"));
        Set<String> names = new HashSet<>();
        for (JsonNode item : list.path("items")) {
          assertTrue(names.add(item.path("metadata").path("name").asText()));
        }
        assertTrue(names.contains("cluster-admin") && names.contains("system:controller:ttl-controller"));
        JsonNode discovery = TestApiServer.json(replicas.get(2).get(RBAC + "/clusterroles/system:discovery"));
        assertEquals(1, discovery.path("rules").size(), "no rule added twice");
        JsonNode binding = TestApiServer.json(replicas.get(1).get(RBAC + "/clusterrolebindings/system:discovery"));
        assertEquals(1, binding.path("subjects").size(), "no subject added twice");
      } finally {
        replicas.forEach(TestApiServer::close);
        pool.shutdownNow();
      }
    }
  }
}

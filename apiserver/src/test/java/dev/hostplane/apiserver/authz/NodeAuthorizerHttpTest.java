package dev.hostplane.apiserver.authz;

import static dev.hostplane.apiserver.authz.AuthzFixture.create;
import static dev.hostplane.apiserver.authz.AuthzFixture.namespace;
import static dev.hostplane.apiserver.authz.AuthzFixture.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Node authorizer (mode Node) and the NodeRestriction admission plugin, for kubelet identities. */
class NodeAuthorizerHttpTest {
  @TempDir
  static Path dir;
  static TestApiServer server;
  static HttpClient node1;

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.start(dir);
    create(server, "/api/v1/namespaces", namespace("work"));
    for (String s : new String[] {"s1", "s2", "pull"}) {
      create(server, "/api/v1/namespaces/work/secrets", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":"
          + "{\"name\":\"" + s + "\"}}");
    }
    create(server, "/api/v1/namespaces/work/configmaps", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
        + "\"metadata\":{\"name\":\"c1\"}}");
    create(server, "/api/v1/nodes", node("node2", "{}"));
    create(server, "/api/v1/namespaces/work/pods", pod("p1", "node1", "{\"serviceAccountName\":\"sa1\","
        + "\"imagePullSecrets\":[{\"name\":\"pull\"}],"
        + "\"volumes\":[{\"name\":\"v\",\"secret\":{\"secretName\":\"s1\"}},{\"name\":\"d\",\"persistentVolumeClaim\":"
        + "{\"claimName\":\"claim1\"}}],\"containers\":[{\"name\":\"c\",\"image\":\"busybox\",\"env\":[{\"name\":\"X\","
        + "\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"c1\",\"key\":\"k\"}}}]}]}", ""));
    create(server, "/api/v1/namespaces/work/pods", pod("p2", "node2", "{\"volumes\":[{\"name\":\"v\",\"secret\":"
        + "{\"secretName\":\"s2\"}}],\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}", ""));
    node1 = server.clientFor("system:node:node1", "system:nodes");
    AuthzFixture.eventually("node1's pod is in the graph", () -> code("GET", "/api/v1/namespaces/work/pods/p1",
        null) == 200);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String node(String name, String labels) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":" + labels
        + "}}";
  }

  static String pod(String name, String nodeName, String spec, String annotations) {
    String s = spec.substring(0, spec.length() - 1) + ",\"nodeName\":\"" + nodeName + "\"}";
    return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\""
        + (annotations.isEmpty() ? "" : ",\"annotations\":" + annotations) + "},\"spec\":" + s + "}";
  }

  static int code(String method, String path, String body) {
    try {
      return send(server, node1, method, path, body).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String message(String method, String path, String body) throws Exception {
    HttpResponse<String> r = send(server, node1, method, path, body);
    assertEquals(403, r.statusCode(), r.body());
    return AuthzFixture.JSON.readTree(r.body()).path("message").asText();
  }

  @Test
  void aNodeReadsWhatItsPodsReferenceAndNothingElse() {
    assertEquals(200, code("GET", "/api/v1/namespaces/work/secrets/s1", null));
    assertEquals(200, code("GET", "/api/v1/namespaces/work/secrets/pull", null));
    assertEquals(200, code("GET", "/api/v1/namespaces/work/configmaps/c1", null));
    assertEquals(403, code("GET", "/api/v1/namespaces/work/secrets/s2", null));
    assertEquals(403, code("GET", "/api/v1/namespaces/work/secrets", null), "no listing secrets");
    assertEquals(403, code("DELETE", "/api/v1/namespaces/work/secrets/s1", null), "reading only");
    assertEquals(200, code("GET", "/api/v1/namespaces/work/pods/p1", null));
    assertEquals(403, code("GET", "/api/v1/namespaces/work/pods/p2", null));
    assertEquals(200, code("GET", "/api/v1/pods", null), "system:node lists pods");
    assertEquals(403, code("GET", "/apis/apps/v1/namespaces/work/deployments", null));
  }

  @Test
  void aNodeReadsTheClaimsOfItsPodsAndTheVolumesBoundToThem() throws Exception {
    for (String pv : new String[] {"pv1", "pv2"}) {
      create(server, "/api/v1/persistentvolumes", "{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolume\","
          + "\"metadata\":{\"name\":\"" + pv + "\"},\"spec\":{\"capacity\":{\"storage\":\"1Gi\"},"
          + "\"accessModes\":[\"ReadWriteOnce\"],\"hostPath\":{\"path\":\"/tmp/" + pv + "\"}}}");
    }
    create(server, "/api/v1/namespaces/work/persistentvolumeclaims", "{\"apiVersion\":\"v1\",\"kind\":"
        + "\"PersistentVolumeClaim\",\"metadata\":{\"name\":\"claim1\"},\"spec\":{\"accessModes\":"
        + "[\"ReadWriteOnce\"],\"resources\":{\"requests\":{\"storage\":\"1Gi\"}},\"volumeName\":\"pv1\"}}");
    AuthzFixture.eventually("the bound volume is readable",
        () -> code("GET", "/api/v1/persistentvolumes/pv1", null) == 200);
    assertEquals(200, code("GET", "/api/v1/namespaces/work/persistentvolumeclaims/claim1", null));
    assertEquals(403, code("GET", "/api/v1/persistentvolumes/pv2", null));
    assertEquals(403, code("GET", "/api/v1/persistentvolumes", null));
  }

  @Test
  void aNodeUpdatesTheStatusOfItsOwnPodsOnly() throws Exception {
    String status = "{\"status\":{\"phase\":\"Running\"}}";
    assertEquals(200, code("PATCH", "/api/v1/namespaces/work/pods/p1/status", status));
    assertEquals(403, code("PATCH", "/api/v1/namespaces/work/pods/p2/status", status));
  }

  @Test
  void aNodeCreatesAndDeletesOnlyItsOwnMirrorPods() throws Exception {
    String spec = "{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}";
    String mirror = "{\"kubernetes.io/config.mirror\":\"abc\"}";
    assertEquals("pods \"plain\" is forbidden: pod does not have \"kubernetes.io/config.mirror\" annotation, "
        + "node \"node1\" can only create mirror pods",
        message("POST", "/api/v1/namespaces/work/pods", pod("plain", "node1", spec, "")));
    assertEquals("pods \"elsewhere\" is forbidden: node \"node1\" can only create pods with spec.nodeName set to "
        + "itself", message("POST", "/api/v1/namespaces/work/pods", pod("elsewhere", "node2", spec, mirror)));
    assertEquals(201, code("POST", "/api/v1/namespaces/work/pods", pod("static-web", "node1", spec, mirror)));
    assertEquals("pods \"p2\" is forbidden: node \"node1\" can only delete pods with spec.nodeName set to itself",
        message("DELETE", "/api/v1/namespaces/work/pods/p2", null));
  }

  @Test
  void aNodeWritesItsOwnNodeButNotRestrictedLabelsNorOtherNodes() throws Exception {
    assertEquals("nodes \"node3\" is forbidden: node \"node1\" is not allowed to modify node \"node3\"",
        message("POST", "/api/v1/nodes", node("node3", "{}")));
    assertEquals("nodes \"node1\" is forbidden: node \"node1\" is not allowed to set the following labels: "
        + "node-restriction.kubernetes.io/pool", message("POST", "/api/v1/nodes",
            node("node1", "{\"node-restriction.kubernetes.io/pool\":\"a\"}")));
    assertEquals(201, code("POST", "/api/v1/nodes", node("node1", "{\"kubernetes.io/hostname\":\"node1\"}")));
    assertEquals(200, code("PATCH", "/api/v1/nodes/node1", "{\"metadata\":{\"labels\":{\"zone\":\"b\"}}}"));
    assertEquals(200, code("PATCH", "/api/v1/nodes/node1/status", "{\"status\":{\"phase\":\"Running\"}}"));
    assertEquals("nodes \"node1\" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/pool",
        message("PATCH", "/api/v1/nodes/node1",
            "{\"metadata\":{\"labels\":{\"node-restriction.kubernetes.io/pool\":\"a\"}}}"));
    assertEquals(403, code("PATCH", "/api/v1/nodes/node2", "{\"metadata\":{\"labels\":{\"zone\":\"b\"}}}"));
    assertEquals("nodes \"node1\" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane",
        message("PATCH", "/api/v1/nodes/node1",
            "{\"metadata\":{\"labels\":{\"node-role.kubernetes.io/control-plane\":\"\"}}}"));
    assertEquals(200, code("PATCH", "/api/v1/nodes/node1",
        "{\"metadata\":{\"labels\":{\"topology.kubernetes.io/zone\":\"z1\",\"node.kubernetes.io/pool\":\"p\"}}}"));
    assertEquals("nodes \"node1\" is forbidden: node \"node1\" is not allowed to modify taints",
        message("PATCH", "/api/v1/nodes/node1", "{\"spec\":{\"taints\":[{\"key\":\"k\",\"effect\":\"NoSchedule\"}]}}"));
    assertEquals(200, code("GET", "/api/v1/nodes/node2", null), "system:node reads every node");
  }

  @Test
  void aNodeUsesOnlyItsOwnLease() throws Exception {
    String leases = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";
    assertEquals(201, code("POST", leases, lease("node1")));
    assertEquals(200, code("GET", leases + "/node1", null));
    assertEquals("leases.coordination.k8s.io \"node2\" is forbidden: can only access node lease with the same name "
        + "as the requesting node", message("POST", leases, lease("node2")));
    assertEquals(403, code("GET", leases + "/node2", null));
    assertEquals(403, code("GET", leases, null), "no listing leases");
    assertEquals(403, code("POST", "/apis/coordination.k8s.io/v1/namespaces/work/leases", lease("node1")));
  }

  static String lease(String name) {
    return "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"" + name
        + "\"},\"spec\":{\"holderIdentity\":\"" + name + "\"}}";
  }

  @Test
  void aNodeCreatesEvents() {
    assertEquals(201, code("POST", "/api/v1/namespaces/work/events", "{\"apiVersion\":\"v1\",\"kind\":\"Event\","
        + "\"metadata\":{\"name\":\"e1\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p1\",\"namespace\":"
        + "\"work\"},\"reason\":\"Started\",\"message\":\"m\",\"type\":\"Normal\"}"));
  }

  @Test
  void reviewsAnswerWithTheGraph() throws Exception {
    assertTrue(sar("create", "serviceaccounts", "token", "sa1"), "token for its pod's service account");
    assertFalse(sar("create", "serviceaccounts", "token", "sa2"));
    assertTrue(sar("get", "persistentvolumeclaims", "", "claim1"));
    assertFalse(sar("get", "persistentvolumeclaims", "", "claim2"));
    HttpResponse<String> rules = send(server, node1, "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", "{\"spec\":{\"namespace\":\"work\"}}");
    assertEquals(201, rules.statusCode(), rules.body());
    JsonNode status = AuthzFixture.JSON.readTree(rules.body()).path("status");
    assertTrue(status.path("incomplete").asBoolean(), "a node's rules cannot be listed");
  }

  static boolean sar(String verb, String resource, String subresource, String name) throws Exception {
    HttpResponse<String> r = server.send("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
        "application/json", "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\","
            + "\"spec\":{\"user\":\"system:node:node1\",\"groups\":[\"system:nodes\",\"system:authenticated\"],"
            + "\"resourceAttributes\":{\"verb\":\"" + verb + "\",\"resource\":\"" + resource + "\",\"subresource\":\""
            + subresource + "\",\"namespace\":\"work\",\"name\":\"" + name + "\"}}}");
    assertEquals(201, r.statusCode(), r.body());
    return TestApiServer.json(r).path("status").path("allowed").asBoolean();
  }

  @Test
  void aUserNamedLikeANodeOutsideTheNodesGroupIsNotANode() throws Exception {
    HttpClient impostor = server.clientFor("system:node:node1");
    assertEquals(403, send(server, impostor, "GET", "/api/v1/namespaces/work/secrets/s1", null).statusCode());
  }

  @Test
  void aDeletedPodNoLongerGrantsItsSecrets() throws Exception {
    create(server, "/api/v1/namespaces/work/secrets", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":"
        + "{\"name\":\"short\"}}");
    create(server, "/api/v1/namespaces/work/pods", pod("brief", "node1", "{\"volumes\":[{\"name\":\"v\",\"secret\":"
        + "{\"secretName\":\"short\"}}],\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}", ""));
    AuthzFixture.eventually("granted", () -> code("GET", "/api/v1/namespaces/work/secrets/short", null) == 200);
    assertEquals(200, server.send("DELETE", "/api/v1/namespaces/work/pods/brief?gracePeriodSeconds=0", null, null)
        .statusCode());
    AuthzFixture.eventually("revoked", () -> code("GET", "/api/v1/namespaces/work/secrets/short", null) == 403);
  }
}

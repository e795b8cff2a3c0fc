package dev.hostplane.apiserver.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.protobuf.KubeProtobuf;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** scale, binding, eviction and the self reviews, over HTTP. */
@Timeout(60)
class SubresourcesHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir
  static Path dir;
  static TestApiServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.start(dir);
    server.send("POST", "/api/v1/namespaces", "application/json", "{\"metadata\":{\"name\":\"s\"}}");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String deployment(String name) {
    return "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"" + name + "\"},"
        + "\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":{\"app\":\"" + name + "\"}},\"template\":"
        + "{\"metadata\":{\"labels\":{\"app\":\"" + name + "\"}},\"spec\":{\"containers\":[{\"name\":\"c\","
        + "\"image\":\"nginx\"}]}}}}";
  }

  static String pod(String name, String labels) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":" + labels
        + "},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}";
  }

  @Test
  void scaleReadsAndWritesReplicas() throws Exception {
    assertEquals(201, server.send("POST", "/apis/apps/v1/namespaces/s/deployments", "application/json",
        deployment("web")).statusCode());
    JsonNode scale = TestApiServer.json(server.get("/apis/apps/v1/namespaces/s/deployments/web/scale"));
    assertEquals("Scale", scale.path("kind").asText());
    assertEquals("autoscaling/v1", scale.path("apiVersion").asText());
    assertEquals(1, scale.path("spec").path("replicas").asInt());
    assertEquals("app=web", scale.path("status").path("selector").asText());
    HttpResponse<String> patched = server.send("PATCH", "/apis/apps/v1/namespaces/s/deployments/web/scale",
        "application/merge-patch+json", "{\"spec\":{\"replicas\":3}}");
    assertEquals(200, patched.statusCode(), patched.body());
    assertEquals(3, TestApiServer.json(patched).path("spec").path("replicas").asInt());
    JsonNode dep = TestApiServer.json(server.get("/apis/apps/v1/namespaces/s/deployments/web"));
    assertEquals(3, dep.path("spec").path("replicas").asInt());
    assertEquals(2, dep.path("metadata").path("generation").asInt());
    String stale = scale.path("metadata").path("resourceVersion").asText();
    HttpResponse<String> conflict = server.send("PUT", "/apis/apps/v1/namespaces/s/deployments/web/scale",
        "application/json", "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"web\","
            + "\"resourceVersion\":\"" + stale + "\"},\"spec\":{\"replicas\":4}}");
    assertEquals(409, conflict.statusCode());
    HttpResponse<String> negative = server.send("PUT", "/apis/apps/v1/namespaces/s/deployments/web/scale",
        "application/json", "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"replicas\":-1}}");
    assertEquals(422, negative.statusCode());
  }

  @Test
  void bindingAssignsOnce() throws Exception {
    server.send("POST", "/api/v1/namespaces/s/pods", "application/json", pod("b1", "{}"));
    String binding = "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"b1\"},"
        + "\"target\":{\"kind\":\"Node\",\"name\":\"node-1\"}}";
    HttpResponse<String> first = server.send("POST", "/api/v1/namespaces/s/pods/b1/binding", "application/json",
        binding);
    assertEquals(201, first.statusCode(), first.body());
    JsonNode pod = TestApiServer.json(server.get("/api/v1/namespaces/s/pods/b1"));
    assertEquals("node-1", pod.path("spec").path("nodeName").asText());
    assertEquals(409, server.send("POST", "/api/v1/namespaces/s/pods/b1/binding", "application/json", binding)
        .statusCode());
  }

  @Test
  void evictionRespectsDisruptionBudgets() throws Exception {
    server.send("POST", "/api/v1/namespaces/s/pods", "application/json", pod("e1", "{\"app\":\"free\"}"));
    String eviction = "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"e1\"}}";
    HttpResponse<String> ok = server.send("POST", "/api/v1/namespaces/s/pods/e1/eviction", "application/json",
        eviction);
    assertEquals(201, ok.statusCode(), ok.body());
    assertEquals(404, server.get("/api/v1/namespaces/s/pods/e1").statusCode());

    server.send("POST", "/apis/policy/v1/namespaces/s/poddisruptionbudgets", "application/json",
        "{\"metadata\":{\"name\":\"guard\"},\"spec\":{\"minAvailable\":1,\"selector\":{\"matchLabels\":"
            + "{\"app\":\"kept\"}}}}");
    server.send("POST", "/api/v1/namespaces/s/pods", "application/json", pod("e2", "{\"app\":\"kept\"}"));
    // A running pod covered by a budget that allows no disruption stays.
    server.send("PATCH", "/api/v1/namespaces/s/pods/e2/status", "application/merge-patch+json",
        "{\"status\":{\"phase\":\"Running\"}}");
    HttpResponse<String> refused = server.send("POST", "/api/v1/namespaces/s/pods/e2/eviction",
        "application/json", "{\"metadata\":{\"name\":\"e2\"}}");
    assertEquals(429, refused.statusCode(), refused.body());
    assertEquals("DisruptionBudget",
        TestApiServer.json(refused).path("details").path("causes").get(0).path("reason").asText());
    assertEquals(200, server.get("/api/v1/namespaces/s/pods/e2").statusCode());
  }

  @Test
  void evictionAndBindingAcceptProtobufBodies() throws Exception {
    // kubectl 1.32+ drain posts the Eviction from its typed client as Kubernetes protobuf.
    server.send("POST", "/api/v1/namespaces/s/pods", "application/json", pod("pb1", "{}"));
    server.send("POST", "/api/v1/namespaces/s/pods", "application/json", pod("pb2", "{}"));
    ObjectNode binding = (ObjectNode) JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Binding\","
        + "\"metadata\":{\"name\":\"pb1\"},\"target\":{\"kind\":\"Node\",\"name\":\"node-1\"}}");
    HttpResponse<String> bound = server.send(protobufPost("/api/v1/namespaces/s/pods/pb1/binding", binding));
    assertEquals(201, bound.statusCode(), bound.body());
    assertEquals("node-1", TestApiServer.json(server.get("/api/v1/namespaces/s/pods/pb1"))
        .path("spec").path("nodeName").asText());

    ObjectNode eviction = (ObjectNode) JSON.readTree(
        "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"pb2\"}}");
    HttpResponse<String> evicted = server.send(protobufPost("/api/v1/namespaces/s/pods/pb2/eviction", eviction));
    assertEquals(201, evicted.statusCode(), evicted.body());
    assertEquals(404, server.get("/api/v1/namespaces/s/pods/pb2").statusCode());

    // Without eviction, drain deletes with DeleteOptions, protobuf too (and of any group version, as upstream).
    for (String apiVersion : List.of("v1", "policy/v1")) {
      server.send("POST", "/api/v1/namespaces/s/pods", "application/json", pod("pb3", "{}"));
      ObjectNode options = (ObjectNode) JSON.readTree("{\"apiVersion\":\"" + apiVersion + "\","
          + "\"kind\":\"DeleteOptions\",\"gracePeriodSeconds\":0,\"propagationPolicy\":\"Background\"}");
      HttpResponse<String> deleted = server.send(HttpRequest.newBuilder(server.uri("/api/v1/namespaces/s/pods/pb3"))
          .header("Content-Type", KubeProtobuf.MEDIA_TYPE)
          .method("DELETE", HttpRequest.BodyPublishers.ofByteArray(KubeProtobuf.encode(options)))
          .build());
      assertEquals(200, deleted.statusCode(), deleted.body());
      assertEquals(404, server.get("/api/v1/namespaces/s/pods/pb3").statusCode());
    }
  }

  private static HttpRequest protobufPost(String path, ObjectNode body) {
    return HttpRequest.newBuilder(server.uri(path))
        .header("Content-Type", KubeProtobuf.MEDIA_TYPE)
        .POST(HttpRequest.BodyPublishers.ofByteArray(KubeProtobuf.encode(body)))
        .build();
  }

  @Test
  void selfReviewsAnswerForTheCaller() throws Exception {
    HttpResponse<String> who = server.send("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        "application/json", "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}");
    assertEquals(201, who.statusCode(), who.body());
    JsonNode user = TestApiServer.json(who).path("status").path("userInfo");
    assertEquals("kubernetes-admin", user.path("username").asText());
    assertTrue(user.path("groups").toString().contains("system:masters"));

    HttpResponse<String> can = server.send("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        "application/json", "{\"spec\":{\"resourceAttributes\":{\"verb\":\"create\",\"resource\":\"pods\","
            + "\"namespace\":\"s\"}}}");
    assertTrue(TestApiServer.json(can).path("status").path("allowed").asBoolean());
    HttpResponse<String> anon = server.anonymousClient().send(HttpRequest.newBuilder(
        server.uri("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")).header("Content-Type",
            "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(401, anon.statusCode(), "anonymous users cannot even ask");
    HttpResponse<String> neither = server.send("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        "application/json", "{\"spec\":{}}");
    assertEquals(422, neither.statusCode());

    HttpResponse<String> rules = server.send("POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
        "application/json", "{\"spec\":{\"namespace\":\"s\"}}");
    JsonNode status = TestApiServer.json(rules).path("status");
    assertFalse(status.path("incomplete").asBoolean());
    assertEquals("*", status.path("resourceRules").get(0).path("verbs").get(0).asText());
    JsonNode discovery = TestApiServer.json(server.get("/apis/authorization.k8s.io/v1"));
    assertTrue(discovery.toString().contains("selfsubjectaccessreviews"));
  }
}

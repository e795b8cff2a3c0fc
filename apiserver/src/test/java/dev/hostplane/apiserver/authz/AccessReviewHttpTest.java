package dev.hostplane.apiserver.authz;

import static dev.hostplane.apiserver.authz.AuthzFixture.create;
import static dev.hostplane.apiserver.authz.AuthzFixture.namespace;
import static dev.hostplane.apiserver.authz.AuthzFixture.role;
import static dev.hostplane.apiserver.authz.AuthzFixture.roleBinding;
import static dev.hostplane.apiserver.authz.AuthzFixture.send;
import static dev.hostplane.apiserver.authz.AuthzFixture.user;
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

/** SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectAccessReview and SelfSubjectRulesReview over RBAC. */
class AccessReviewHttpTest {
  static final String AUTHZ = "/apis/authorization.k8s.io/v1";
  @TempDir
  static Path dir;
  static TestApiServer server;
  static HttpClient alice;

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.start(dir);
    create(server, "/api/v1/namespaces", namespace("rev"));
    create(server, "/apis/rbac.authorization.k8s.io/v1/namespaces/rev/roles", role("rev", "cm-editor",
        "[{\"apiGroups\":[\"\"],\"resources\":[\"configmaps\"],\"verbs\":[\"get\",\"update\"]}]"));
    create(server, "/apis/rbac.authorization.k8s.io/v1/namespaces/rev/rolebindings", roleBinding("rev", "alice",
        "Role", "cm-editor", "[" + user("alice") + "]"));
    alice = server.clientFor("alice", "dev-team");
    AuthzFixture.eventually("alice's binding is seen", () -> {
      try {
        return send(server, alice, "GET", "/api/v1/namespaces/rev/configmaps/x", null).statusCode() == 404;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String sar(String spec) {
    return "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\",\"spec\":" + spec + "}";
  }

  @Test
  void subjectAccessReviewAnswersForTheNamedUser() throws Exception {
    HttpResponse<String> yes = server.send("POST", AUTHZ + "/subjectaccessreviews", "application/json",
        sar("{\"user\":\"alice\",\"resourceAttributes\":{\"verb\":\"update\",\"resource\":\"configmaps\","
            + "\"namespace\":\"rev\",\"name\":\"x\"}}"));
    assertEquals(201, yes.statusCode(), yes.body());
    JsonNode review = TestApiServer.json(yes);
    assertTrue(review.path("status").path("allowed").asBoolean());
    assertEquals("alice", review.path("spec").path("user").asText());
    HttpResponse<String> no = server.send("POST", AUTHZ + "/subjectaccessreviews", "application/json",
        sar("{\"user\":\"alice\",\"resourceAttributes\":{\"verb\":\"delete\",\"resource\":\"configmaps\","
            + "\"namespace\":\"rev\"}}"));
    assertFalse(TestApiServer.json(no).path("status").path("allowed").asBoolean());
    assertFalse(TestApiServer.json(no).path("status").path("denied").asBoolean(), "RBAC has no opinion");
    HttpResponse<String> group = server.send("POST", AUTHZ + "/subjectaccessreviews", "application/json",
        sar("{\"groups\":[\"system:masters\"],\"nonResourceAttributes\":{\"verb\":\"get\",\"path\":\"/metrics\"}}"));
    assertTrue(TestApiServer.json(group).path("status").path("allowed").asBoolean());
  }

  @Test
  void subjectAccessReviewsAreValidatedAsUpstream() throws Exception {
    HttpResponse<String> nobody = server.send("POST", AUTHZ + "/subjectaccessreviews", "application/json",
        sar("{\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"pods\"}}"));
    assertEquals(422, nobody.statusCode(), nobody.body());
    assertTrue(nobody.body().contains("at least one of user or group must be specified"), nobody.body());
    HttpResponse<String> both = server.send("POST", AUTHZ + "/subjectaccessreviews", "application/json",
        sar("{\"user\":\"a\",\"resourceAttributes\":{},\"nonResourceAttributes\":{}}"));
    assertEquals(422, both.statusCode());
    assertTrue(both.body().contains("cannot be specified in combination with resourceAttributes"), both.body());
    assertEquals(404, server.send("POST", "/apis/authorization.k8s.io/v1/namespaces/rev/subjectaccessreviews",
        "application/json", sar("{\"user\":\"a\",\"resourceAttributes\":{}}")).statusCode());
  }

  @Test
  void localSubjectAccessReviewIsBoundToItsNamespace() throws Exception {
    String path = AUTHZ + "/namespaces/rev/localsubjectaccessreviews";
    HttpResponse<String> ok = server.send("POST", path, "application/json",
        "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"LocalSubjectAccessReview\",\"spec\":{\"user\":"
            + "\"alice\",\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"configmaps\",\"namespace\":\"rev\"}}}");
    assertEquals(201, ok.statusCode(), ok.body());
    assertTrue(TestApiServer.json(ok).path("status").path("allowed").asBoolean());
    assertEquals("rev", TestApiServer.json(ok).path("metadata").path("namespace").asText());
    HttpResponse<String> other = server.send("POST", path, "application/json",
        "{\"kind\":\"LocalSubjectAccessReview\",\"spec\":{\"user\":\"alice\",\"resourceAttributes\":{\"verb\":"
            + "\"get\",\"resource\":\"configmaps\",\"namespace\":\"default\"}}}");
    assertEquals(400, other.statusCode());
    assertEquals("spec.resourceAttributes.namespace must match namespace: rev",
        TestApiServer.json(other).path("message").asText());
  }

  @Test
  void aUserWithoutTheRightCannotReviewOthers() throws Exception {
    HttpResponse<String> r = send(server, alice, "POST", AUTHZ + "/subjectaccessreviews",
        sar("{\"user\":\"bob\",\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"pods\"}}"));
    assertEquals(403, r.statusCode());
  }

  @Test
  void selfReviewsUseTheCallersBindings() throws Exception {
    HttpResponse<String> can = send(server, alice, "POST", AUTHZ + "/selfsubjectaccessreviews",
        "{\"spec\":{\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"configmaps\",\"namespace\":\"rev\"}}}");
    assertEquals(201, can.statusCode(), can.body());
    assertTrue(TestApiServer.json(can).path("status").path("allowed").asBoolean());
    HttpResponse<String> cannot = send(server, alice, "POST", AUTHZ + "/selfsubjectaccessreviews",
        "{\"spec\":{\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"configmaps\",\"namespace\":\"other\"}}}");
    assertFalse(TestApiServer.json(cannot).path("status").path("allowed").asBoolean());

    HttpResponse<String> rules = send(server, alice, "POST", AUTHZ + "/selfsubjectrulesreviews",
        "{\"spec\":{\"namespace\":\"rev\"}}");
    assertEquals(201, rules.statusCode(), rules.body());
    JsonNode status = TestApiServer.json(rules).path("status");
    assertFalse(status.path("incomplete").asBoolean(), "a non-node user's rules are complete");
    String resourceRules = status.path("resourceRules").toString();
    assertTrue(resourceRules.contains("\"configmaps\""), resourceRules);
    assertTrue(resourceRules.contains("selfsubjectaccessreviews"), "system:basic-user's rules: " + resourceRules);
    assertTrue(status.path("nonResourceRules").toString().contains("/apis/*"), "system:discovery's rules");
    HttpResponse<String> elsewhere = send(server, alice, "POST", AUTHZ + "/selfsubjectrulesreviews",
        "{\"spec\":{\"namespace\":\"default\"}}");
    assertFalse(TestApiServer.json(elsewhere).path("status").path("resourceRules").toString().contains("configmaps"));
  }
}

package dev.hostplane.apiserver.authn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Requests of the authentication tests against one server: as the admin, with a bearer token, or anonymous. */
final class AuthnHttp {
  private final TestApiServer server;

  AuthnHttp(TestApiServer server) {
    this.server = server;
  }

  /**
   * Lets every authenticated identity read (ClusterRole {@code view}) and read the issuer discovery documents, so
   * that authentication tests see 200 once a credential is accepted; waits until the authorizer applies it.
   */
  void grantReaders() throws Exception {
    for (String role : List.of("view", "system:service-account-issuer-discovery")) {
      HttpResponse<String> r = server.send("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
          "application/json",
          "{\"metadata\":{\"name\":\"authn-test-" + role.replace(':', '-') + "\"},\"roleRef\":{\"apiGroup\":"
              + "\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"" + role + "\"},\"subjects\":"
              + "[{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"Group\",\"name\":\"system:authenticated\"}]}");
      if (r.statusCode() != 201 && r.statusCode() != 409) {
        throw new AssertionError(r.body());
      }
    }
    String review = "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\",\"spec\":"
        + "{\"user\":\"probe\",\"groups\":[\"system:authenticated\"],\"nonResourceAttributes\":"
        + "{\"verb\":\"get\",\"path\":\"/.well-known/openid-configuration\"}}}";
    String listing = "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\",\"spec\":"
        + "{\"user\":\"probe\",\"groups\":[\"system:authenticated\"],\"resourceAttributes\":"
        + "{\"verb\":\"list\",\"resource\":\"namespaces\"}}}";
    for (int i = 0; i < 200; i++) {
      if (allowed(review) && allowed(listing)) {
        return;
      }
      Thread.sleep(25);
    }
    throw new AssertionError("the reader bindings never took effect");
  }

  private boolean allowed(String review) throws Exception {
    HttpResponse<String> r = server.send("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
        "application/json", review);
    return r.statusCode() / 100 == 2 && TestApiServer.json(r).path("status").path("allowed").asBoolean();
  }

  String serviceAccount(String ns, String name) throws Exception {
    HttpResponse<String> r = create("/api/v1/namespaces/" + ns + "/serviceaccounts",
        "{\"metadata\":{\"name\":\"" + name + "\"}}");
    return TestApiServer.json(r).path("metadata").path("uid").asText();
  }

  String tokenRequest(String ns, String name, String body) throws Exception {
    HttpResponse<String> r = server.send("POST", "/api/v1/namespaces/" + ns + "/serviceaccounts/" + name + "/token",
        "application/json", body);
    assertEquals(201, r.statusCode(), r.body());
    return TestApiServer.json(r).path("status").path("token").asText();
  }

  HttpResponse<String> create(String path, String body) throws Exception {
    HttpResponse<String> r = server.send("POST", path, "application/json", body);
    assertEquals(201, r.statusCode(), r.body());
    return r;
  }

  JsonNode review(String token, List<String> audiences) throws Exception {
    String auds = audiences.isEmpty() ? "" : ",\"audiences\":[\"" + String.join("\",\"", audiences) + "\"]";
    HttpResponse<String> r = server.send("POST", "/apis/authentication.k8s.io/v1/tokenreviews", "application/json",
        "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"spec\":{\"token\":\"" + token
            + "\"" + auds + "}}");
    assertEquals(201, r.statusCode(), r.body());
    return TestApiServer.json(r).path("status");
  }

  JsonNode whoami(String token, Map<String, String> headers) throws Exception {
    HttpResponse<String> r = as(token, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
        "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}", headers);
    assertEquals(201, r.statusCode(), r.body());
    return TestApiServer.json(r).path("status").path("userInfo");
  }

  HttpResponse<String> as(String token, String method, String path, String body) throws Exception {
    return as(token, method, path, body, Map.of());
  }

  HttpResponse<String> as(String token, String method, String path, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(20))
        .header("Authorization", "Bearer " + token);
    headers.forEach(b::header);
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    return server.anonymousClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> anonymous(String method, String path) throws Exception {
    return server.anonymousClient().send(HttpRequest.newBuilder(server.uri(path)).method(method,
        HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  static List<String> strings(JsonNode n) {
    List<String> out = new java.util.ArrayList<>();
    n.forEach(x -> out.add(x.asText()));
    return out;
  }
}

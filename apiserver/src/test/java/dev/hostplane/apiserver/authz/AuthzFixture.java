package dev.hostplane.apiserver.authz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Requests as a chosen identity, and admin set-up, for the authorization tests. */
final class AuthzFixture {
  static final ObjectMapper JSON = new ObjectMapper();

  private AuthzFixture() {}

  static HttpResponse<String> send(TestApiServer server, HttpClient client, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(20));
    String contentType = method.equals("PATCH") ? "application/merge-patch+json" : "application/json";
    b.header("Content-Type", contentType);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Creates (POST) as the admin; fails the test unless 201. */
  static JsonNode create(TestApiServer server, String path, String body) throws Exception {
    HttpResponse<String> r = server.send("POST", path, "application/json", body);
    assertTrue(r.statusCode() == 201, "POST " + path + ": " + r.statusCode() + " " + r.body());
    return JSON.readTree(r.body());
  }

  static String clusterRole(String name, String rules) {
    return "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\""
        + name + "\"},\"rules\":" + rules + "}";
  }

  static String role(String ns, String name, String rules) {
    return "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"Role\",\"metadata\":{\"name\":\"" + name
        + "\",\"namespace\":\"" + ns + "\"},\"rules\":" + rules + "}";
  }

  static String roleBinding(String ns, String name, String roleKind, String role, String subjects) {
    return "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\""
        + name + "\",\"namespace\":\"" + ns + "\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\","
        + "\"kind\":\"" + roleKind + "\",\"name\":\"" + role + "\"},\"subjects\":" + subjects + "}";
  }

  static String clusterRoleBinding(String name, String role, String subjects) {
    return "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRoleBinding\",\"metadata\":{"
        + "\"name\":\"" + name + "\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":"
        + "\"ClusterRole\",\"name\":\"" + role + "\"},\"subjects\":" + subjects + "}";
  }

  static String user(String name) {
    return "{\"kind\":\"User\",\"apiGroup\":\"rbac.authorization.k8s.io\",\"name\":\"" + name + "\"}";
  }

  static String group(String name) {
    return "{\"kind\":\"Group\",\"apiGroup\":\"rbac.authorization.k8s.io\",\"name\":\"" + name + "\"}";
  }

  static String namespace(String name) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}";
  }

  /** Polls {@code condition} for up to 10 s (the authorizer sees writes once their watch events arrive). */
  static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(25);
    }
    assertTrue(condition.getAsBoolean(), what);
  }
}

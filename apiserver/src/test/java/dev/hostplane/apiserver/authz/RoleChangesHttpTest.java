package dev.hostplane.apiserver.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decisions follow every change of what a user is granted: a role's rules edited, the role deleted and
 * recreated, a binding removed (decisions use rules compiled per subject; every RBAC change drops them).
 */
class RoleChangesHttpTest {
  private static final String ROLE = "/apis/rbac.authorization.k8s.io/v1/clusterroles";

  @Test
  void editedDeletedAndRecreatedRolesTakeEffect(@TempDir Path dir) throws Exception {
    try (TestApiServer s = TestApiServer.start(dir)) {
      HttpClient dana = s.clientFor("dana");
      assertEquals(201, s.send("POST", ROLE, "application/json", role("get", "list")).statusCode());
      assertEquals(201, s.send("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "application/json",
          "{\"metadata\":{\"name\":\"dana\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":"
              + "\"ClusterRole\",\"name\":\"cm-reader\"},\"subjects\":[{\"apiGroup\":\"rbac.authorization.k8s.io\","
              + "\"kind\":\"User\",\"name\":\"dana\"}]}").statusCode());
      await(s, dana, 200);

      // The rules lose "list": denied; get back: allowed.
      String current = s.get(ROLE + "/cm-reader").body();
      String withoutList = current.replace("\"get\",\"list\"", "\"get\"");
      assertEquals(200, s.send("PUT", ROLE + "/cm-reader", "application/json", withoutList).statusCode());
      await(s, dana, 403);
      assertEquals(200, s.send("DELETE", ROLE + "/cm-reader", null, null).statusCode());
      await(s, dana, 403);
      assertEquals(201, s.send("POST", ROLE, "application/json", role("list")).statusCode());
      await(s, dana, 200);
      assertEquals(200, s.send("DELETE", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/dana", null, null)
          .statusCode());
      await(s, dana, 403);
    }
  }

  private static String role(String... verbs) {
    return "{\"metadata\":{\"name\":\"cm-reader\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"configmaps\"],"
        + "\"verbs\":[\"" + String.join("\",\"", verbs) + "\"]}]}";
  }

  /** Waits up to 5 s for listing config maps as the client to answer {@code code}. */
  private static void await(TestApiServer s, HttpClient client, int code) throws Exception {
    int last = -1;
    for (int i = 0; i < 100; i++) {
      last = client.send(HttpRequest.newBuilder(s.uri("/api/v1/namespaces/default/configmaps")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode();
      if (last == code) {
        return;
      }
      Thread.sleep(50);
    }
    assertEquals(code, last);
  }
}

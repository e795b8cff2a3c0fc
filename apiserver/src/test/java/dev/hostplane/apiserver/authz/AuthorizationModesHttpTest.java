package dev.hostplane.apiserver.authz;

import static dev.hostplane.apiserver.authz.AuthzFixture.create;
import static dev.hostplane.apiserver.authz.AuthzFixture.send;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each --authorization-mode lets through, with system:masters always allowed. */
class AuthorizationModesHttpTest {
  @TempDir
  Path dir;

  @Test
  void alwaysAllowLetsEveryoneDoAnything() throws Exception {
    try (TestApiServer server = TestApiServer.start(dir, "--authorization-mode=AlwaysAllow")) {
      HttpClient someone = server.clientFor("someone");
      assertEquals(200, send(server, someone, "GET", "/api/v1/namespaces/default/secrets", null).statusCode());
      // Anonymous requests authenticate only on the public-info paths: elsewhere 401 whatever the mode.
      assertEquals(401, send(server, server.anonymousClient(), "GET", "/api/v1/nodes", null).statusCode());
      assertEquals(200, send(server, server.anonymousClient(), "GET", "/readyz/etcd", null).statusCode());
    }
  }

  @Test
  void alwaysDenyLeavesOnlyThePrivilegedGroup() throws Exception {
    try (TestApiServer server = TestApiServer.start(dir, "--authorization-mode=AlwaysDeny")) {
      assertEquals(403, send(server, server.clientFor("someone"), "GET", "/api", null).statusCode());
      assertEquals(200, server.get("/api/v1/namespaces").statusCode());
    }
  }

  @Test
  void withoutNodeModeKubeletsGetOnlyWhatRbacBindsToThem() throws Exception {
    try (TestApiServer server = TestApiServer.start(dir, "--authorization-mode=RBAC")) {
      create(server, "/api/v1/namespaces/default/secrets", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\","
          + "\"metadata\":{\"name\":\"s\"}}");
      create(server, "/api/v1/namespaces/default/pods", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":"
          + "{\"name\":\"p\"},\"spec\":{\"nodeName\":\"n1\",\"volumes\":[{\"name\":\"v\",\"secret\":{\"secretName\":"
          + "\"s\"}}],\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}");
      HttpClient kubelet = server.clientFor("system:node:n1", "system:nodes");
      Thread.sleep(300);
      assertEquals(403, send(server, kubelet, "GET", "/api/v1/namespaces/default/secrets/s", null).statusCode());
      assertEquals(403, send(server, kubelet, "GET", "/api/v1/nodes", null).statusCode(),
          "system:node is bound to nobody");
    }
  }

  @Test
  void rbacThenAlwaysAllowFallsThrough() throws Exception {
    try (TestApiServer server = TestApiServer.start(dir, "--authorization-mode=RBAC,AlwaysAllow")) {
      assertEquals(200, send(server, server.clientFor("someone"), "GET", "/api/v1/namespaces/default/secrets",
          null).statusCode());
    }
  }
}

package dev.hostplane.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.authz.Authorizer;
import dev.hostplane.apiserver.filter.RequestInfo;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cost of an authorization decision with 1,000 ClusterRoles and 1,000 bindings (500 ClusterRoleBindings, 500
 * RoleBindings over 10 namespaces) on top of the bootstrap policy: p50/p99 of the authorizer chain (Node, RBAC) per
 * request, printed for {@code docs/benchmarks.md}. Decisions are also checked for correctness.
 */
class AuthorizationBenchmarkTest {
  static final int ROLES = 1000;
  static final int DECISIONS = 200_000;
  @TempDir
  Path dir;

  @Test
  void decisionLatencyWithAThousandRolesAndBindings() throws Exception {
    try (TestApiServer server = TestApiServer.start(dir)) {
      String rbac = "/apis/rbac.authorization.k8s.io/v1";
      List<String[]> writes = new ArrayList<>();
      for (int ns = 0; ns < 10; ns++) {
        writes.add(new String[] {"/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\","
            + "\"metadata\":{\"name\":\"bench-" + ns + "\"}}"});
      }
      post(server, writes);
      writes.clear();
      for (int i = 0; i < ROLES; i++) {
        writes.add(new String[] {rbac + "/clusterroles", "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
            + "\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"bench-" + i + "\"},\"rules\":["
            + "{\"apiGroups\":[\"bench.example.com\"],\"resources\":[\"things-" + i + "\"],\"verbs\":[\"get\",\"list\"]},"
            + "{\"apiGroups\":[\"\"],\"resources\":[\"configmaps\"],\"resourceNames\":[\"cm-" + i + "\"],"
            + "\"verbs\":[\"get\"]},{\"apiGroups\":[\"apps\"],\"resources\":[\"deployments/scale\"],"
            + "\"verbs\":[\"update\"]}]}"});
      }
      post(server, writes);
      writes.clear();
      for (int i = 0; i < ROLES; i++) {
        String ref = "\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":"
            + "\"bench-" + i + "\"},\"subjects\":[{\"kind\":\"User\",\"apiGroup\":\"rbac.authorization.k8s.io\","
            + "\"name\":\"user-" + i + "\"},{\"kind\":\"Group\",\"apiGroup\":\"rbac.authorization.k8s.io\","
            + "\"name\":\"group-" + (i % 50) + "\"}]";
        if (i % 2 == 0) {
          writes.add(new String[] {rbac + "/clusterrolebindings", "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
              + "\"kind\":\"ClusterRoleBinding\",\"metadata\":{\"name\":\"bench-" + i + "\"}," + ref + "}"});
        } else {
          writes.add(new String[] {rbac + "/namespaces/bench-" + (i % 10) + "/rolebindings",
              "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"RoleBinding\",\"metadata\":{\"name\":"
                  + "\"bench-" + i + "\"}," + ref + "}"});
        }
      }
      post(server, writes);

      Authorizer authorizer = server.server().authorizer();
      UserInfo[] users = new UserInfo[ROLES];
      for (int i = 0; i < ROLES; i++) {
        users[i] = new UserInfo("user-" + i, "", List.of("group-" + (i % 50), "team-" + (i % 7),
            "system:authenticated"), Map.of());
      }
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (authorizer.authorize(users[ROLES - 1], things(ROLES - 1, ROLES - 1)) != Authorizer.Decision.ALLOW
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      // Warm-up, then measure one decision at a time.
      java.util.Random random = new java.util.Random(42);
      for (int i = 0; i < 50_000; i++) {
        int u = random.nextInt(ROLES);
        authorizer.authorize(users[u], things(u, random.nextInt(ROLES)));
      }
      long[] nanos = new long[DECISIONS];
      int allowed = 0;
      int wrong = 0;
      for (int i = 0; i < DECISIONS; i++) {
        int u = random.nextInt(ROLES);
        int target = random.nextBoolean() ? u : random.nextInt(ROLES);
        RequestInfo request = things(u, target);
        long t0 = System.nanoTime();
        Authorizer.Decision d = authorizer.authorize(users[u], request);
        nanos[i] = System.nanoTime() - t0;
        boolean expected = target == u || (target % 50 == u % 50 && (target % 2 == 0 || target % 10 == u % 10));
        if ((d == Authorizer.Decision.ALLOW) != expected) {
          wrong++;
        }
        if (d == Authorizer.Decision.ALLOW) {
          allowed++;
        }
      }
      Arrays.sort(nanos);
      double p50 = nanos[DECISIONS / 2] / 1000.0;
      double p99 = nanos[DECISIONS * 99 / 100] / 1000.0;
      double p999 = nanos[DECISIONS * 999 / 1000] / 1000.0;
      System.out.printf("authorization decision, %d ClusterRoles, %d bindings, %d decisions (%d allowed): "
          + "p50 %.1f us, p99 %.1f us, p99.9 %.1f us%n", ROLES, ROLES, DECISIONS, allowed, p50, p99, p999);
      assertEquals(0, wrong, "every decision as the bindings say");
      assertTrue(p99 < 1000, "p99 under a millisecond, was " + p99 + " us");
    }
  }

  /** user u asks for things-{target} in the namespace of user u's RoleBinding. */
  static RequestInfo things(int u, int target) {
    return new RequestInfo(true, "", "get", "apis", "bench.example.com", "v1", "bench-" + (u % 10),
        "things-" + target, "", "x", List.of());
  }

  static void post(TestApiServer server, List<String[]> writes) throws Exception {
    Semaphore window = new Semaphore(32);
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (String[] w : writes) {
      window.acquire();
      HttpRequest r = HttpRequest.newBuilder(server.uri(w[0])).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(w[1])).build();
      all.add(server.client().sendAsync(r, HttpResponse.BodyHandlers.ofString())
          .whenComplete((x, e) -> window.release()));
    }
    for (CompletableFuture<HttpResponse<String>> f : all) {
      HttpResponse<String> r = f.get();
      assertEquals(201, r.statusCode(), r.body());
    }
  }
}

package dev.hostplane.ops.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Phase "authz": what authentication and authorization add to a request on a cluster with 1,000 ClusterRoles and
 * 1,000 ClusterRoleBindings. Half of the bindings grant unrelated rules to {@code system:authenticated} (so that
 * RBAC has 500 bound roles to look through for every authenticated user), half to other users. A ServiceAccount
 * allowed to read ConfigMaps by a RoleBinding to {@code view} gets a token from the TokenRequest API; GETs of one
 * ConfigMap, one at a time, are timed with that token and with the kubeconfig's identity (usually the admin
 * certificate, in {@code system:masters}, which skips RBAC). The difference is the added latency.
 */
final class AuthzPhase {
  static final int ROLES = 1000;
  static final String LABEL = "hostplane.dev/bench";
  private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);

  private AuthzPhase() {}

  static void run(RunContext ctx) {
    BenchOptions o = ctx.options();
    String ns = o.namespace();
    Http2Client admin = ctx.client();
    ctx.log().println("bench: authz: creating " + ROLES + " ClusterRoles and " + ROLES + " ClusterRoleBindings");
    try {
      LoadLoop.Result made = LoadLoop.run(admin, o.concurrency(), Duration.ofMinutes(5), 2L * ROLES,
          i -> i < ROLES ? role((int) i) : binding((int) (i - ROLES)));
      if (made.ok() < 2L * ROLES) {
        // A re-run with --keep may find them: 409s are fine, anything else is not.
        if (!made.firstError().contains("409")) {
          throw new BenchException("authz: cannot create the roles and bindings: " + made.firstError());
        }
      }
      call(admin, HttpRequest.post("/api/v1/namespaces/" + ns + "/serviceaccounts",
          json("{\"metadata\":{\"name\":\"bench-reader\"}}")), true);
      call(admin, HttpRequest.post("/apis/rbac.authorization.k8s.io/v1/namespaces/" + ns + "/rolebindings",
          json("{\"metadata\":{\"name\":\"bench-reader-view\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\","
              + "\"kind\":\"ClusterRole\",\"name\":\"view\"},\"subjects\":[{\"kind\":\"ServiceAccount\","
              + "\"name\":\"bench-reader\",\"namespace\":\"" + ns + "\"}]}")), true);
      call(admin, ctx.configMaps().create(ns, "authz-target"), true);
      HttpResponse issued = call(admin, HttpRequest.post("/api/v1/namespaces/" + ns
          + "/serviceaccounts/bench-reader/token", json("{\"spec\":{\"expirationSeconds\":3600}}")), false);
      String token = issued.json().path("status").path("token").asText();
      ClientConfig c = ctx.config();
      ClientConfig asReader = new ClientConfig(c.server(), c.tlsServerName(), c.trustedCas(),
          c.insecureSkipTlsVerify(), List.of(), null, token);
      String target = ConfigMaps.object(ns, "authz-target");
      try (Http2Client reader = Http2Client.connect(asReader, 1, OPEN_TIMEOUT)) {
        awaitAllowed(reader, target);
        // Warm both paths (JIT, token cache), then measure one request at a time, alternating the two identities
        // request by request so that drift (JIT, GC, other load) hits both alike.
        LoadLoop.run(admin, 1, Duration.ofSeconds(2), Long.MAX_VALUE, i -> HttpRequest.get(target));
        LoadLoop.run(reader, 1, Duration.ofSeconds(2), Long.MAX_VALUE, i -> HttpRequest.get(target));
        Latencies asAdmin = new Latencies();
        Latencies asToken = new Latencies();
        LoadLoop.Result r = LoadLoop.run(1, o.duration(), Long.MAX_VALUE, i -> {
          boolean withToken = i % 2 == 1;
          long started = System.nanoTime();
          return (withToken ? reader : admin).send(HttpRequest.get(target)).thenApply(res -> {
            (withToken ? asToken : asAdmin).record(System.nanoTime() - started);
            return res.ok() ? null : res.describe();
          });
        });
        Latencies.Summary base = asAdmin.summary();
        Latencies.Summary rbac = asToken.summary();
        ctx.log().printf("bench: authz: %d GETs as the kubeconfig's user, %d with the token%n", base.count(),
            rbac.count());
        ctx.table().add("authz", "GET, kubeconfig user p50 / p99", micros(base.p50Millis()) + " / "
            + micros(base.p99Millis()) + " us");
        ctx.table().add("authz", "GET, token + RBAC p50 / p99", micros(rbac.p50Millis()) + " / "
            + micros(rbac.p99Millis()) + " us");
        ctx.table().add("authz", "added by authn + RBAC p50 / p99",
            micros(rbac.p50Millis() - base.p50Millis()) + " / " + micros(rbac.p99Millis() - base.p99Millis()) + " us");
        ctx.reportErrors("authz", r);
      }
    } finally {
      if (!o.keep()) {
        for (String kind : List.of("clusterrolebindings", "clusterroles")) {
          admin.call(HttpRequest.delete("/apis/rbac.authorization.k8s.io/v1/" + kind + "?labelSelector=" + LABEL
              + "%3Dauthz"), Duration.ofMinutes(2));
        }
      }
    }
  }

  /** Waits (up to 10 s) until the new RoleBinding is in effect for the token. */
  private static void awaitAllowed(Http2Client reader, String target) {
    HttpResponse last = null;
    for (int i = 0; i < 100; i++) {
      last = reader.call(HttpRequest.get(target), Duration.ofSeconds(10));
      if (last.ok()) {
        return;
      }
      Namespaces.sleep(Duration.ofMillis(100));
    }
    throw new BenchException("authz: the service account cannot read its ConfigMap: " + last.describe());
  }

  private static HttpRequest role(int i) {
    return HttpRequest.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", json("{\"metadata\":{\"name\":"
        + "\"bench-authz-" + i + "\",\"labels\":{\"" + LABEL + "\":\"authz\"}},\"rules\":[{\"apiGroups\":["
        + "\"bench" + i + ".example.com\"],\"resources\":[\"widgets\",\"gadgets/status\"],\"verbs\":[\"get\","
        + "\"list\",\"watch\"]},{\"nonResourceURLs\":[\"/bench/" + i + "/*\"],\"verbs\":[\"get\"]}]}"));
  }

  private static HttpRequest binding(int i) {
    String subject = i % 2 == 0
        ? "{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"Group\",\"name\":\"system:authenticated\"}"
        : "{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"User\",\"name\":\"bench-user-" + i + "\"}";
    return HttpRequest.post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", json("{\"metadata\":{"
        + "\"name\":\"bench-authz-" + i + "\",\"labels\":{\"" + LABEL + "\":\"authz\"}},\"roleRef\":{\"apiGroup\":"
        + "\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"bench-authz-" + i + "\"},\"subjects\":["
        + subject + "]}"));
  }

  private static String micros(double millis) {
    return String.format(java.util.Locale.ROOT, "%.0f", millis * 1000);
  }

  private static HttpResponse call(Http2Client client, HttpRequest request, boolean conflictOk) {
    HttpResponse r = client.call(request, Duration.ofSeconds(30));
    if (!r.ok() && !(conflictOk && r.status() == 409)) {
      throw new BenchException("authz: " + request + ": " + r.describe());
    }
    return r;
  }

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

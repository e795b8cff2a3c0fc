package dev.hostplane.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real kubectl, the oldest and newest supported (1.27 and 1.33), authenticating otherwise than by the admin
 * certificate: {@code kubectl create token} and the token it prints, static tokens from {@code --token-auth-file},
 * {@code kubectl auth whoami}, and impersonation ({@code --as}, {@code --as-group}, {@code --as-uid}).
 */
@Tag("slow")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KubectlAuthE2ETest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir
  static Path root;
  private static E2eApiServer server;

  static Stream<String> versions() {
    return Stream.of("1.27", "1.33");
  }

  @BeforeAll
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  static void start() throws Exception {
    Path tokens = root.resolve("tokens.csv");
    Files.writeString(tokens, "alice-static-token,alice,uid-alice,\"developers,testers\"\n");
    Path dir = root.resolve("apiserver");
    server = E2eApiServer.start(dir, 0, dir.resolve("admin.kubeconfig"), List.of("--token-auth-file=" + tokens));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("versions")
  void createTokenThenUseItAndAskWhoAmI(String version) throws Exception {
    Kubectl admin = Kubectl.of(version, server.kubeconfig(), root.resolve("admin-" + version));
    String ns = "auth-" + version.replace('.', '-');
    admin.ok("create", "namespace", ns);
    admin.ok("-n", ns, "create", "serviceaccount", "robot");
    admin.ok("-n", ns, "create", "rolebinding", "robot-view", "--clusterrole=view", "--serviceaccount=" + ns + ":robot");

    String token = admin.ok("-n", ns, "create", "token", "robot").stdout().trim();
    JsonNode claims = claims(token);
    assertEquals("system:serviceaccount:" + ns + ":robot", claims.path("sub").asText());
    assertEquals(3600, claims.path("exp").asLong() - claims.path("iat").asLong());

    Kubectl robot = Kubectl.of(version, tokenKubeconfig("robot-" + version, token), root.resolve("robot-" + version));
    robot.ok("auth", "whoami").assertRow("Username", "system:serviceaccount:" + ns + ":robot");
    JsonNode review = robot.ok("auth", "whoami", "-o", "json").json();
    List<String> groups = strings(review.path("status").path("userInfo").path("groups"));
    assertEquals(List.of("system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"), groups);
    robot.ok("-n", ns, "get", "serviceaccounts");

    // Options of create token: duration, audience (a token for another audience does not open the API).
    String short20m = admin.ok("-n", ns, "create", "token", "robot", "--duration=20m").stdout().trim();
    JsonNode c = claims(short20m);
    assertEquals(1200, c.path("exp").asLong() - c.path("iat").asLong());
    String vault = admin.ok("-n", ns, "create", "token", "robot", "--audience=vault").stdout().trim();
    assertEquals("vault", claims(vault).path("aud").get(0).asText());
    Kubectl wrongAudience = Kubectl.of(version, tokenKubeconfig("vault-" + version, vault),
        root.resolve("vault-" + version));
    wrongAudience.fails("auth", "whoami").assertStderrContains("Unauthorized");
    admin.fails("-n", ns, "create", "token", "robot", "--duration=5m")
        .assertStderrContains("may not specify a duration less than 10 minutes");

    // A token bound to a pod carries the pod and dies with it.
    admin.create("apiVersion: v1\nkind: Pod\nmetadata:\n  name: worker\nspec:\n  serviceAccountName: robot\n"
        + "  containers:\n  - name: c\n    image: busybox\n", "-n", ns);
    String bound = admin.ok("-n", ns, "create", "token", "robot", "--bound-object-kind=Pod",
        "--bound-object-name=worker").stdout().trim();
    assertEquals("worker", claims(bound).path("kubernetes.io").path("pod").path("name").asText());
    Kubectl worker = Kubectl.of(version, tokenKubeconfig("worker-" + version, bound),
        root.resolve("worker-" + version));
    worker.ok("auth", "whoami", "-o", "json");
    admin.ok("-n", ns, "delete", "pod", "worker", "--wait=true");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    Kubectl.Result r;
    do {
      r = worker.run("auth", "whoami");
    } while (r.exitCode() == 0 && System.nanoTime() < deadline);
    r.assertFailure().assertStderrContains("Unauthorized");
  }

  @ParameterizedTest(name = "kubectl {0}")
  @MethodSource("versions")
  void staticTokenUserAndImpersonation(String version) throws Exception {
    Kubectl alice = Kubectl.of(version, tokenKubeconfig("alice-" + version, "alice-static-token"),
        root.resolve("alice-" + version));
    JsonNode me = alice.ok("auth", "whoami", "-o", "json").json().path("status").path("userInfo");
    assertEquals("alice", me.path("username").asText());
    assertEquals("uid-alice", me.path("uid").asText());
    assertEquals(List.of("developers", "testers", "system:authenticated"), strings(me.path("groups")));
    // (--raw: kubectl's discovery client shows a refused discovery request only as "unknown".)
    alice.fails("get", "--raw", "/api/v1/namespaces", "--as=bob").assertStderrContains("Error from server (Forbidden): "
        + "users \"bob\" is forbidden: User \"alice\" cannot impersonate resource \"users\" in API group \"\" at the "
            + "cluster scope");

    Kubectl admin = Kubectl.of(version, server.kubeconfig(), root.resolve("admin-imp-" + version));
    JsonNode bob = admin.ok("auth", "whoami", "--as=bob", "--as-group=readers", "-o", "json").json()
        .path("status").path("userInfo");
    assertEquals("bob", bob.path("username").asText());
    assertEquals(List.of("readers", "system:authenticated"), strings(bob.path("groups")));
    if (!version.equals("1.27")) { // --as-uid arrived in kubectl 1.28
      JsonNode withUid = admin.ok("auth", "whoami", "--as=bob", "--as-uid=uid-bob", "-o", "json").json()
          .path("status").path("userInfo");
      assertEquals("uid-bob", withUid.path("uid").asText());
    }
  }

  private static Path tokenKubeconfig(String name, String token) throws Exception {
    Path file = root.resolve(name + ".kubeconfig");
    Files.writeString(file, "apiVersion: v1\nkind: Config\nclusters:\n- name: hostplane\n  cluster:\n"
        + "    server: " + server.url() + "\n    certificate-authority: " + server.dir().resolve("pki/ca.crt")
        + "\nusers:\n- name: " + name + "\n  user:\n    token: " + token + "\ncontexts:\n- name: " + name
        + "\n  context:\n    cluster: hostplane\n    user: " + name + "\ncurrent-context: " + name + "\n");
    return file;
  }

  private static JsonNode claims(String jwt) throws Exception {
    String[] parts = jwt.split("\\.");
    assertEquals(3, parts.length, jwt);
    return JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asText()));
    assertTrue(n.isArray(), n::toString);
    return out;
  }
}

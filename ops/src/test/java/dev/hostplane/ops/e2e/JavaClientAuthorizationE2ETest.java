package dev.hostplane.ops.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AuthenticationV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.AuthenticationV1TokenRequest;
import io.kubernetes.client.openapi.models.RbacV1Subject;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1RoleRef;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SelfSubjectReview;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1TokenRequestSpec;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.credentials.AccessTokenAuthentication;
import io.kubernetes.client.util.credentials.ClientCertificateAuthentication;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authorization matrix through the official Kubernetes Java client: identities authenticated by client
 * certificate, static token, service account token (from the TokenRequest API) and impersonation, each against
 * the same operations; the answer (2xx, 401 or 403) is what RBAC and the bootstrap policy say.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JavaClientAuthorizationE2ETest {
  @TempDir
  static Path root;
  private static E2eApiServer server;
  private static ApiClient admin;
  private static final AtomicInteger SEQ = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    Path tokens = root.resolve("tokens.csv");
    Files.writeString(tokens, "alice-token,alice,uid-alice,developers\ncarol-token,carol,uid-carol,\n");
    Path dir = root.resolve("apiserver");
    server = E2eApiServer.start(dir, 0, dir.resolve("admin.kubeconfig"), List.of("--token-auth-file=" + tokens));
    try (Reader r = Files.newBufferedReader(server.kubeconfig())) {
      admin = ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(r)).build();
    }
    CoreV1Api core = new CoreV1Api(admin);
    RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(admin);
    core.createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("team"))).execute();
    core.createNamespacedSecret("team", new V1Secret().metadata(new V1ObjectMeta().name("s1"))
        .putStringDataItem("password", "p")).execute();
    core.createNamespacedServiceAccount("team", new V1ServiceAccount().metadata(new V1ObjectMeta().name("robot")))
        .execute();
    // alice's group may edit in team; bob's group may view everywhere; robot may view in team; carol nothing.
    rbac.createNamespacedRoleBinding("team", roleBinding("developers-edit", "ClusterRole", "edit",
        new RbacV1Subject().kind("Group").apiGroup("rbac.authorization.k8s.io").name("developers"))).execute();
    rbac.createNamespacedRoleBinding("team", roleBinding("robot-view", "ClusterRole", "view",
        new RbacV1Subject().kind("ServiceAccount").name("robot").namespace("team"))).execute();
    rbac.createClusterRoleBinding(new V1ClusterRoleBinding().metadata(new V1ObjectMeta().name("auditors-view"))
        .roleRef(new V1RoleRef().apiGroup("rbac.authorization.k8s.io").kind("ClusterRole").name("view"))
        .addSubjectsItem(new RbacV1Subject().kind("Group").apiGroup("rbac.authorization.k8s.io").name("auditors")))
        .execute();
    Thread.sleep(300); // bindings take effect once the authorizer's watch has seen them (milliseconds)
  }

  private static V1RoleBinding roleBinding(String name, String kind, String role, RbacV1Subject subject) {
    return new V1RoleBinding().metadata(new V1ObjectMeta().name(name))
        .roleRef(new V1RoleRef().apiGroup("rbac.authorization.k8s.io").kind(kind).name(role))
        .addSubjectsItem(subject);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** The operations of the matrix, each returning the HTTP status it got. */
  private static Map<String, Integer> operations(ApiClient client) {
    CoreV1Api core = new CoreV1Api(client);
    Map<String, Integer> codes = new LinkedHashMap<>();
    codes.put("list pods in team", status(() -> core.listNamespacedPod("team").execute()));
    codes.put("create configmap in team", status(() -> core.createNamespacedConfigMap("team",
        new V1ConfigMap().metadata(new V1ObjectMeta().name("cm-" + SEQ.incrementAndGet()))).execute()));
    codes.put("read secret in team", status(() -> core.readNamespacedSecret("s1", "team").execute()));
    codes.put("list namespaces", status(() -> core.listNamespace().execute()));
    codes.put("list nodes", status(() -> core.listNode().execute()));
    codes.put("list pods in default", status(() -> core.listNamespacedPod("default").execute()));
    return codes;
  }

  private interface Call {
    void run() throws ApiException;
  }

  private static int status(Call c) {
    try {
      c.run();
      return 200;
    } catch (ApiException e) {
      return e.getCode();
    }
  }

  private static Map<String, Integer> expect(int pods, int create, int secret, int namespaces, int nodes,
      int defaultPods) {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("list pods in team", pods);
    m.put("create configmap in team", create);
    m.put("read secret in team", secret);
    m.put("list namespaces", namespaces);
    m.put("list nodes", nodes);
    m.put("list pods in default", defaultPods);
    return m;
  }

  private static ApiClient withToken(String token) throws Exception {
    return new ClientBuilder().setBasePath(server.url()).setVerifyingSsl(true)
        .setCertificateAuthority(Files.readAllBytes(server.dir().resolve("pki/ca.crt")))
        .setAuthentication(new AccessTokenAuthentication(token)).build();
  }

  private static ApiClient withCertificate(String user, String... groups) throws Exception {
    Path pki = server.dir().resolve("pki");
    CertificateAuthority ca = CertificateAuthority.load(pki.resolve("ca.crt"), pki.resolve("ca.key"));
    CertifiedKey key = ca.issueClient(user, List.of(groups), Duration.ofHours(1));
    Path dir = Files.createDirectories(root.resolve("certs-" + user));
    key.write(dir.resolve("tls.crt"), dir.resolve("tls.key"));
    return new ClientBuilder().setBasePath(server.url()).setVerifyingSsl(true)
        .setCertificateAuthority(Files.readAllBytes(pki.resolve("ca.crt")))
        .setAuthentication(new ClientCertificateAuthentication(Files.readAllBytes(dir.resolve("tls.crt")),
            Files.readAllBytes(dir.resolve("tls.key")))).build();
  }

  @Test
  void theAdminCertificateMayDoEverything() {
    assertEquals(expect(200, 200, 200, 200, 200, 200), operations(admin));
  }

  @Test
  void aStaticTokenUserGetsWhatItsGroupIsBoundTo() throws Exception {
    assertEquals(expect(200, 200, 200, 403, 403, 403), operations(withToken("alice-token")));
  }

  @Test
  void aClientCertificateUserGetsWhatItsOrganizationIsBoundTo() throws Exception {
    assertEquals(expect(200, 403, 403, 200, 403, 200), operations(withCertificate("bob", "auditors")));
  }

  @Test
  void aServiceAccountTokenFromTheTokenRequestApiGetsItsRoleBinding() throws Exception {
    AuthenticationV1TokenRequest issued = new CoreV1Api(admin).createNamespacedServiceAccountToken("robot", "team",
        new AuthenticationV1TokenRequest().spec(new V1TokenRequestSpec().expirationSeconds(3600L))).execute();
    ApiClient robot = withToken(issued.getStatus().getToken());
    assertEquals(expect(200, 403, 403, 403, 403, 403), operations(robot));
    V1SelfSubjectReview who = new AuthenticationV1Api(robot).createSelfSubjectReview(new V1SelfSubjectReview())
        .execute();
    assertEquals("system:serviceaccount:team:robot", who.getStatus().getUserInfo().getUsername());
  }

  @Test
  void anAuthenticatedUserWithoutBindingsIsForbiddenEverywhereAndABadTokenIsUnauthorized() throws Exception {
    assertEquals(expect(403, 403, 403, 403, 403, 403), operations(withToken("carol-token")));
    assertEquals(expect(401, 401, 401, 401, 401, 401), operations(withToken("not-a-token")));
    ApiClient anonymous = new ClientBuilder().setBasePath(server.url()).setVerifyingSsl(true)
        .setCertificateAuthority(Files.readAllBytes(server.dir().resolve("pki/ca.crt"))).build();
    assertEquals(expect(401, 401, 401, 401, 401, 401), operations(anonymous));
  }

  @Test
  void impersonationActsAsTheTargetOnlyForThoseAllowedToImpersonate() throws Exception {
    ApiClient asAlice;
    try (Reader r = Files.newBufferedReader(server.kubeconfig())) {
      asAlice = ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(r)).build();
    }
    asAlice.addDefaultHeader("Impersonate-User", "alice");
    asAlice.addDefaultHeader("Impersonate-Group", "developers");
    assertEquals(expect(200, 200, 200, 403, 403, 403), operations(asAlice));

    ApiClient aliceAsBob = withToken("alice-token");
    aliceAsBob.addDefaultHeader("Impersonate-User", "bob");
    Map<String, Integer> refused = operations(aliceAsBob);
    assertTrue(refused.values().stream().allMatch(c -> c == 403), refused.toString());
  }
}

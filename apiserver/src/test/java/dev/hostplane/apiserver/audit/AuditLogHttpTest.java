package dev.hostplane.apiserver.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostplane.apiserver.ApiServerConfig;
import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The audit log of a running server, read back line by line and checked field by field. */
@Timeout(60)
class AuditLogHttpTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Pattern MICROS = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
  static final String POLICY = """
      apiVersion: audit.k8s.io/v1
      kind: Policy
      omitManagedFields: true
      rules:
      - level: None
        nonResourceURLs: ["/readyz*", "/healthz*", "/livez*"]
      - level: RequestResponse
        namespaces: [rr]
      - level: Metadata
      """;

  @TempDir
  static Path dir;
  static TestApiServer server;
  static Path log;

  @BeforeAll
  static void start() throws Exception {
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, POLICY);
    log = dir.resolve("logs/audit.log");
    server = TestApiServer.start(dir, "--audit-policy-file=" + policy, "--audit-log-path=" + log,
        "--audit-log-mode=batch");
    for (String ns : List.of("md", "rr")) {
      assertEquals(201, server.send("POST", "/api/v1/namespaces", "application/json",
          "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}").statusCode());
    }
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** The events of one request, in order, once {@code count} of them are in the log. */
  static List<JsonNode> events(String auditId, int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<JsonNode> out = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      out.clear();
      if (Files.exists(log)) {
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
          JsonNode e = JSON.readTree(line);
          if (e.path("auditID").asText().equals(auditId)) {
            out.add(e);
          }
        }
      }
      if (out.size() >= count) {
        return out;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("expected " + count + " events for " + auditId + ", got " + out);
  }

  static String auditId(HttpResponse<?> r) {
    return r.headers().firstValue("Audit-ID").orElseThrow(() -> new AssertionError("no Audit-ID header"));
  }

  static String configMap(String name) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},"
        + "\"data\":{\"k\":\"v\"}}";
  }

  static void assertCommon(JsonNode e, String id, String stage, String level) {
    assertEquals("Event", e.path("kind").asText());
    assertEquals("audit.k8s.io/v1", e.path("apiVersion").asText());
    assertEquals(level, e.path("level").asText());
    assertEquals(id, e.path("auditID").asText());
    assertEquals(stage, e.path("stage").asText());
    assertTrue(MICROS.matcher(e.path("requestReceivedTimestamp").asText()).matches(), e.toString());
    assertTrue(MICROS.matcher(e.path("stageTimestamp").asText()).matches(), e.toString());
    assertEquals("127.0.0.1", e.path("sourceIPs").get(0).asText());
    assertTrue(e.path("userAgent").asText().startsWith("Java-http-client"), e.toString());
  }

  @Test
  void createAtMetadataLevel() throws Exception {
    HttpResponse<String> r = server.send("POST", "/api/v1/namespaces/md/configmaps", "application/json",
        configMap("c1"));
    assertEquals(201, r.statusCode());
    String id = auditId(r);
    List<JsonNode> events = events(id, 2);
    assertEquals(2, events.size(), events.toString());
    JsonNode received = events.get(0);
    JsonNode complete = events.get(1);
    assertCommon(received, id, "RequestReceived", "Metadata");
    assertCommon(complete, id, "ResponseComplete", "Metadata");
    for (JsonNode e : events) {
      assertEquals("/api/v1/namespaces/md/configmaps", e.path("requestURI").asText());
      assertEquals("create", e.path("verb").asText());
      assertEquals("kubernetes-admin", e.path("user").path("username").asText());
      assertTrue(e.path("user").path("groups").toString().contains("system:masters"), e.toString());
      assertFalse(e.has("impersonatedUser"));
      assertFalse(e.has("requestObject"));
      assertFalse(e.has("responseObject"));
    }
    // Authorization comes after RequestReceived, so only the later stage carries its decision.
    assertFalse(received.has("annotations"));
    assertEquals("allow", complete.path("annotations").path("authorization.k8s.io/decision").asText());
    assertFalse(received.has("responseStatus"));
    assertEquals("{\"resource\":\"configmaps\",\"namespace\":\"md\",\"apiVersion\":\"v1\"}",
        received.path("objectRef").toString());
    assertEquals("{\"resource\":\"configmaps\",\"namespace\":\"md\",\"name\":\"c1\",\"apiVersion\":\"v1\"}",
        complete.path("objectRef").toString());
    assertEquals("{\"metadata\":{},\"code\":201}", complete.path("responseStatus").toString());
    assertEquals(received.path("requestReceivedTimestamp"), complete.path("requestReceivedTimestamp"));
  }

  @Test
  void createAtRequestResponseLevelLogsBothBodiesWithoutManagedFields() throws Exception {
    HttpResponse<String> r = server.send("POST", "/api/v1/namespaces/rr/configmaps", "application/json",
        configMap("c2"));
    assertEquals(201, r.statusCode());
    assertTrue(r.body().contains("managedFields"));
    List<JsonNode> events = events(auditId(r), 2);
    JsonNode complete = events.get(1);
    assertCommon(complete, auditId(r), "ResponseComplete", "RequestResponse");
    assertEquals(JSON.readTree(configMap("c2")), complete.path("requestObject"));
    JsonNode response = complete.path("responseObject");
    assertEquals(TestApiServer.json(r).path("metadata").path("uid"), response.path("metadata").path("uid"));
    assertEquals("v", response.path("data").path("k").asText());
    assertFalse(response.path("metadata").has("managedFields"), response.toString());
    assertEquals("c2", complete.path("objectRef").path("name").asText());
    assertEquals(201, complete.path("responseStatus").path("code").asInt());
    assertFalse(events.get(0).has("requestObject"), "RequestReceived comes before the body is read");
  }

  @Test
  void failedAuthenticationIsAudited() throws Exception {
    HttpResponse<String> r = server.anonymousClient().send(HttpRequest.newBuilder(
        server.uri("/api/v1/namespaces/md/secrets")).header("Authorization", "Bearer forged").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(401, r.statusCode());
    List<JsonNode> events = events(auditId(r), 2);
    JsonNode complete = events.get(1);
    assertCommon(complete, auditId(r), "ResponseComplete", "Metadata");
    assertEquals("", complete.path("user").path("username").asText());
    assertEquals(401, complete.path("responseStatus").path("code").asInt());
    assertEquals("Unauthorized", complete.path("responseStatus").path("reason").asText());
  }

  @Test
  void anImpersonatedRequestRecordsBothIdentities() throws Exception {
    HttpResponse<String> r = server.client().send(HttpRequest.newBuilder(
        server.uri("/api/v1/namespaces/md/configmaps")).header("Impersonate-User", "jane")
        .header("Impersonate-Group", "qa").GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(403, r.statusCode(), r.body()); // jane may not list: the admin acted as jane
    List<JsonNode> events = events(auditId(r), 2);
    for (JsonNode e : events) {
      assertEquals("kubernetes-admin", e.path("user").path("username").asText(), e.toString());
      assertEquals("jane", e.path("impersonatedUser").path("username").asText(), e.toString());
      assertEquals("[\"qa\",\"system:authenticated\"]", e.path("impersonatedUser").path("groups").toString());
    }
    assertEquals(403, events.get(1).path("responseStatus").path("code").asInt());
  }

  @Test
  void aRefusedImpersonationIsAuditedWithTheRealUser() throws Exception {
    HttpResponse<String> r = server.clientFor("mallory").send(HttpRequest.newBuilder(
        server.uri("/api/v1/namespaces/md/configmaps")).header("Impersonate-User", "kubernetes-admin").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, r.statusCode(), r.body());
    List<JsonNode> events = events(auditId(r), 2);
    JsonNode complete = events.get(1);
    assertEquals("mallory", complete.path("user").path("username").asText());
    assertTrue(complete.path("impersonatedUser").isMissingNode() || complete.path("impersonatedUser").isNull(),
        complete.toString());
    assertEquals(403, complete.path("responseStatus").path("code").asInt());
  }

  @Test
  void aDeniedRequestCarriesItsStatus() throws Exception {
    HttpResponse<String> r = server.clientFor("nobody").send(HttpRequest.newBuilder(
        server.uri("/api/v1/namespaces/md/secrets")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(403, r.statusCode());
    List<JsonNode> events = events(auditId(r), 2);
    JsonNode complete = events.get(1);
    assertCommon(complete, auditId(r), "ResponseComplete", "Metadata");
    assertEquals("nobody", complete.path("user").path("username").asText());
    assertEquals("list", complete.path("verb").asText());
    JsonNode status = complete.path("responseStatus");
    assertEquals("Failure", status.path("status").asText());
    assertEquals("Forbidden", status.path("reason").asText());
    assertEquals(403, status.path("code").asInt());
    assertEquals(TestApiServer.json(r).path("message").asText(), status.path("message").asText());
    assertEquals("forbid", complete.path("annotations").path("authorization.k8s.io/decision").asText());
  }

  @Test
  void aWatchHasResponseStartedThenResponseComplete() throws Exception {
    HttpResponse<String> r = server.get("/api/v1/namespaces/md/configmaps?watch=true&timeoutSeconds=1");
    assertEquals(200, r.statusCode());
    List<JsonNode> events = events(auditId(r), 3);
    assertEquals(List.of("RequestReceived", "ResponseStarted", "ResponseComplete"),
        events.stream().map(e -> e.path("stage").asText()).toList());
    assertEquals("watch", events.get(1).path("verb").asText());
    assertEquals(200, events.get(1).path("responseStatus").path("code").asInt());
    assertEquals(200, events.get(2).path("responseStatus").path("code").asInt());
  }

  @Test
  void theClientsAuditIdIsKept() throws Exception {
    HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/version"))
        .header("Audit-ID", "client-chosen-id").GET().build());
    assertEquals("client-chosen-id", auditId(r));
    JsonNode complete = events("client-chosen-id", 2).get(1);
    assertEquals("get", complete.path("verb").asText());
    assertFalse(complete.has("objectRef"));
    assertEquals("/version", complete.path("requestURI").asText());
  }

  @Test
  void policyLevelNoneWritesNothingButStillAnswersWithAnAuditId() throws Exception {
    HttpResponse<String> r = server.get("/readyz");
    String id = auditId(r);
    server.send("POST", "/api/v1/namespaces/md/configmaps", "application/json", configMap("marker"));
    Thread.sleep(300);
    assertFalse(Files.readString(log).contains(id));
    String metrics = server.get("/metrics").body();
    assertTrue(metrics.contains("apiserver_audit_level_total{level=\"None\"}"), metrics);
    assertTrue(metrics.contains("apiserver_audit_event_total "), metrics);
    assertTrue(metrics.contains("apiserver_audit_error_total{plugin=\"log\"} 0.0"), metrics);
  }

  @Test
  void badPoliciesAndFlagsFailStartUp() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Loud\n");
    Flags.FlagException e = assertThrows(Flags.FlagException.class, () -> TestApiServer.config(dir,
        "--audit-policy-file=" + bad, "--audit-log-path=-"));
    assertTrue(e.getMessage().startsWith("--audit-policy-file: " + bad + ": rules[0].level: Unsupported value: "
        + "\"Loud\""), e.getMessage());
    Flags.FlagException mode = assertThrows(Flags.FlagException.class, () -> TestApiServer.config(dir,
        "--audit-log-mode=async"));
    assertTrue(mode.getMessage().contains("allowed modes are \"batch,blocking,blocking-strict\""));
    ApiServerConfig off = TestApiServer.config(dir, "--audit-log-path=" + log);
    assertEquals(null, off.audit());
  }
}

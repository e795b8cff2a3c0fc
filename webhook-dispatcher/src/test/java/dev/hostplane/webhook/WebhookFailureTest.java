package dev.hostplane.webhook;

import static dev.hostplane.webhook.WebhookFixture.hook;
import static dev.hostplane.webhook.WebhookFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Webhooks that cannot be called or answer wrongly, under failurePolicy Fail and Ignore. */
class WebhookFailureTest {
  @TempDir
  static Path dir;
  static WebhookFixture f;
  static WebhookServer server;
  static int closedPort;
  static int counter;

  @BeforeAll
  static void start() throws Exception {
    f = WebhookFixture.start(dir, Duration.ofSeconds(30));
    server = f.server(List.of(), WebhookServer::allow);
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
  }

  @AfterAll
  static void stop() {
    server.close();
    f.close();
  }

  @AfterEach
  void reset() throws Exception {
    f.clearWebhooks();
    server.respond(WebhookServer::allow);
  }

  /** A misbehaviour, and the reason upstream gives for it (a regular expression, after "failed calling webhook"). */
  static Stream<Arguments> misbehaviours() {
    String post = "failed to call webhook: Post \"https://127\\.0\\.0\\.1:\\d+/hook\\?timeout=1s\": ";
    return Stream.of(
        Arguments.of("hangs", (Function<JsonNode, WebhookServer.Reply>) r -> WebhookServer.Reply.hangs(),
            post + "context deadline exceeded"),
        Arguments.of("answers late", (Function<JsonNode, WebhookServer.Reply>) r -> WebhookServer.allow(r)
            .after(Duration.ofMillis(1500)), post + "context deadline exceeded"),
        Arguments.of("answers garbage", (Function<JsonNode, WebhookServer.Reply>) r ->
            WebhookServer.Reply.raw(200, "<html>surprise</html>"), "failed to call webhook: .+"),
        Arguments.of("answers an array", (Function<JsonNode, WebhookServer.Reply>) r ->
            WebhookServer.Reply.raw(200, "[]"),
            "failed to call webhook: json: cannot unmarshal array into Go value of type v1.AdmissionReview"),
        Arguments.of("answers 500", (Function<JsonNode, WebhookServer.Reply>) r ->
            WebhookServer.Reply.raw(500, "boom"),
            Pattern.quote("failed to call webhook: an error on the server (\"boom\") has prevented the request "
                + "from succeeding")),
        Arguments.of("echoes the wrong uid", (Function<JsonNode, WebhookServer.Reply>) r -> {
          ObjectNode out = WebhookServer.response(r, true);
          ((ObjectNode) out.get("response")).put("uid", "not-the-uid");
          return WebhookServer.Reply.json(out);
        }, "received invalid webhook response: expected response\\.uid=\"[0-9a-f-]{36}\", got \"not-the-uid\""),
        Arguments.of("answers another version", (Function<JsonNode, WebhookServer.Reply>) r -> {
          ObjectNode out = WebhookServer.response(r, true);
          out.put("apiVersion", "admission.k8s.io/v1beta1");
          return WebhookServer.Reply.json(out);
        }, Pattern.quote("received invalid webhook response: expected webhook response of admission.k8s.io/v1, "
            + "Kind=AdmissionReview, got admission.k8s.io/v1beta1, Kind=AdmissionReview")),
        Arguments.of("omits the response", (Function<JsonNode, WebhookServer.Reply>) r -> {
          ObjectNode out = WebhookServer.response(r, true);
          out.remove("response");
          return WebhookServer.Reply.json(out);
        }, "received invalid webhook response: webhook response was absent"),
        Arguments.of("sends a patch without patchType", (Function<JsonNode, WebhookServer.Reply>) r -> {
          ObjectNode out = WebhookServer.response(r, true);
          ((ObjectNode) out.get("response")).put("patch", "W10=");
          return WebhookServer.Reply.json(out);
        }, "received invalid webhook response: validating webhook may not return response\\.patch"),
        Arguments.of("closes the connection", (Function<JsonNode, WebhookServer.Reply>) r ->
            WebhookServer.Reply.closes(), post + "EOF"));
  }

  @ParameterizedTest(name = "a webhook that {0}")
  @MethodSource("misbehaviours")
  void failClosedRefusesWithInternalErrorAndIgnoreAdmits(String what, Function<JsonNode, WebhookServer.Reply> reply,
      String reason) throws Exception {
    server.respond(reply);
    ObjectNode h = hook("broken.example.com", server, "/hook");
    h.put("timeoutSeconds", 1);
    f.register(false, "broken", h);
    String name = "broken-" + (++counter);
    HttpResponse<String> r = f.createConfigMap("default", name);
    assertEquals(500, r.statusCode(), r.body());
    JsonNode status = json(r);
    assertEquals("InternalError", status.path("reason").asText());
    String message = status.path("message").asText();
    assertTrue(Pattern.matches("Internal error occurred: failed calling webhook \"broken\\.example\\.com\": "
        + reason, message), message);
    assertEquals(404, f.api.get("/api/v1/namespaces/default/configmaps/" + name).statusCode());

    f.clearWebhooks();
    h.put("name", "ignored.example.com").put("failurePolicy", "Ignore");
    f.register(false, "ignored", h);
    HttpResponse<String> ok = f.createConfigMap("default", name);
    assertEquals(201, ok.statusCode(), ok.body());
    String metrics = f.api.get("/metrics").body();
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("apiserver_admission_webhook_fail_open_count{")
        && l.contains("name=\"ignored.example.com\"") && l.contains("type=\"validating\"")), metrics);
  }

  @Test
  void aPooledConnectionTheWebhookClosedIsReplacedWithoutFailingTheRequest() throws Exception {
    server.respond(r -> WebhookServer.allow(r).thenClose());
    int before = server.acceptedConnections();
    f.register(false, "closer", hook("closer.example.com", server, "/hook"));
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = f.createConfigMap("default", "closer-" + i);
      assertEquals(201, r.statusCode(), r.body());
      Thread.sleep(100); // the webhook closes its side after each answer
    }
    assertEquals(5, server.acceptedConnections() - before);
  }

  @Test
  void aWebhookThatIsDownFailsWithTheDialError() throws Exception {
    ObjectNode h = hook("down.example.com", server, "/hook");
    ((ObjectNode) h.get("clientConfig")).put("url", "https://127.0.0.1:" + closedPort + "/hook");
    f.register(true, "down", h);
    HttpResponse<String> r = f.createConfigMap("default", "down-1");
    assertEquals(500, r.statusCode(), r.body());
    assertEquals("Internal error occurred: failed calling webhook \"down.example.com\": failed to call webhook: "
        + "Post \"https://127.0.0.1:" + closedPort + "/hook?timeout=5s\": dial tcp 127.0.0.1:" + closedPort
        + ": connect: connection refused", json(r).path("message").asText());

    f.clearWebhooks();
    h.put("name", "down-ignored.example.com").put("failurePolicy", "Ignore");
    f.register(true, "down-ignored", h);
    assertEquals(201, f.createConfigMap("default", "down-2").statusCode());
  }

  @Test
  void aWebhookWithAnUntrustedCertificateFails() throws Exception {
    ObjectNode h = hook("untrusted.example.com", server, "/hook");
    WebhookServer other = f.server(List.of(), WebhookServer::allow);
    ((ObjectNode) h.get("clientConfig")).put("caBundle",
        java.util.Base64.getEncoder().encodeToString(WebhookServer.pem(
            dev.hostplane.apiserver.pki.CertificateAuthority.generate("other-ca", Duration.ofDays(1)))));
    other.close();
    f.register(false, "untrusted", h);
    HttpResponse<String> r = f.createConfigMap("default", "untrusted-1");
    assertEquals(500, r.statusCode(), r.body());
    assertTrue(json(r).path("message").asText().contains("failed calling webhook \"untrusted.example.com\": "
        + "failed to call webhook: Post"), r.body());
    assertTrue(server.receivedFor("untrusted-1").isEmpty());
  }

  @Test
  void theCallTimeoutIsCappedByTheRequestDeadline() throws Exception {
    server.respond(r -> WebhookServer.Reply.hangs());
    ObjectNode h = hook("slow.example.com", server, "/slow");
    h.put("timeoutSeconds", 10);
    f.register(false, "slow", h);
    long start = System.nanoTime();
    HttpResponse<String> r = f.api.send("POST", "/api/v1/namespaces/default/configmaps?timeout=2s",
        "application/json", WebhookFixture.configMap("slow-1"));
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue(r.statusCode() == 504 || r.statusCode() == 500, r.statusCode() + " " + r.body());
    assertTrue(tookMs < 5000, "took " + tookMs + " ms");
    String uri = server.receivedFor("slow-1").get(0).uri();
    java.util.regex.Matcher m = Pattern.compile("/slow\\?timeout=(1\\.\\d+|2)s").matcher(uri);
    assertTrue(m.matches(), uri);
  }
}

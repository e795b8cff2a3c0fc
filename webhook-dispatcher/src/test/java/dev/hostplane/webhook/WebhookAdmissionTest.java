package dev.hostplane.webhook;

import static dev.hostplane.webhook.WebhookFixture.hook;
import static dev.hostplane.webhook.WebhookFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admission webhooks end to end: a real apiserver with the plugin, real HTTPS webhooks. */
class WebhookAdmissionTest {
  @TempDir
  static Path dir;
  static WebhookFixture f;
  static WebhookServer server;

  @BeforeAll
  static void start() throws Exception {
    f = WebhookFixture.start(dir, Duration.ofSeconds(30));
    server = f.server(List.of(), WebhookServer::allow);
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
    server.received().clear();
  }

  @Test
  void mutatingPatchIsStoredAndTheReviewCarriesEveryRequestField() throws Exception {
    server.respond(r -> WebhookServer.patch(r, "[{\"op\":\"add\",\"path\":\"/metadata/labels\","
        + "\"value\":{\"patched\":\"yes\"}}]"));
    f.register(true, "patcher", hook("patch.example.com", server, "/mutate"));

    HttpResponse<String> created = f.createConfigMap("default", "patched-1");
    assertEquals(201, created.statusCode(), created.body());
    assertEquals("yes", json(created).path("metadata").path("labels").path("patched").asText());
    JsonNode stored = json(f.api.get("/api/v1/namespaces/default/configmaps/patched-1"));
    assertEquals("yes", stored.path("metadata").path("labels").path("patched").asText());

    WebhookServer.Received got = server.receivedFor("patched-1").get(0);
    assertEquals("/mutate?timeout=5s", got.uri());
    JsonNode review = got.review();
    assertEquals("admission.k8s.io/v1", review.path("apiVersion").asText());
    assertEquals("AdmissionReview", review.path("kind").asText());
    JsonNode req = review.path("request");
    assertEquals(36, req.path("uid").asText().length());
    assertEquals("{\"group\":\"\",\"version\":\"v1\",\"kind\":\"ConfigMap\"}", req.path("kind").toString());
    assertEquals("{\"group\":\"\",\"version\":\"v1\",\"resource\":\"configmaps\"}",
        req.path("resource").toString());
    assertEquals(req.path("kind"), req.path("requestKind"));
    assertEquals(req.path("resource"), req.path("requestResource"));
    assertFalse(req.has("subResource"));
    assertEquals("patched-1", req.path("name").asText());
    assertEquals("default", req.path("namespace").asText());
    assertEquals("CREATE", req.path("operation").asText());
    assertEquals("kubernetes-admin", req.path("userInfo").path("username").asText());
    assertTrue(req.path("userInfo").path("groups").toString().contains("system:masters"));
    assertEquals("v", req.path("object").path("data").path("k").asText());
    assertTrue(req.path("oldObject").isNull());
    assertFalse(req.path("dryRun").asBoolean());
    assertEquals("CreateOptions", req.path("options").path("kind").asText());
    assertEquals("meta.k8s.io/v1", req.path("options").path("apiVersion").asText());
  }

  @Test
  void updateSendsOldObjectAndDeleteSendsOnlyOldObject() throws Exception {
    ObjectNode h = hook("observe.example.com", server, "/observe");
    WebhookFixture.rules(h, List.of("*"), "", "v1", "configmaps");
    f.register(false, "observer", h);
    assertEquals(201, f.createConfigMap("default", "cycle-1").statusCode());
    JsonNode current = json(f.api.get("/api/v1/namespaces/default/configmaps/cycle-1"));
    ((ObjectNode) current.path("data")).put("k", "w");
    HttpResponse<String> updated = f.api.send("PUT", "/api/v1/namespaces/default/configmaps/cycle-1",
        "application/json", current.toString());
    assertEquals(200, updated.statusCode(), updated.body());
    HttpResponse<String> deleted = f.api.send("DELETE", "/api/v1/namespaces/default/configmaps/cycle-1", null,
        null);
    assertEquals(200, deleted.statusCode(), deleted.body());

    List<WebhookServer.Received> got = server.receivedFor("cycle-1");
    assertEquals(List.of("CREATE", "UPDATE", "DELETE"),
        got.stream().map(r -> r.review().path("request").path("operation").asText()).toList());
    JsonNode update = got.get(1).review().path("request");
    assertEquals("w", update.path("object").path("data").path("k").asText());
    assertEquals("v", update.path("oldObject").path("data").path("k").asText());
    assertEquals("UpdateOptions", update.path("options").path("kind").asText());
    JsonNode delete = got.get(2).review().path("request");
    assertTrue(delete.path("object").isNull());
    assertEquals("w", delete.path("oldObject").path("data").path("k").asText());
    assertEquals("DeleteOptions", delete.path("options").path("kind").asText());
  }

  @Test
  void validatingDenialCarriesTheWebhookMessageAndCode() throws Exception {
    server.respond(r -> r.path("request").path("name").asText().startsWith("forbidden")
        ? WebhookServer.deny(r, 403, "forbidden names are not welcome") : WebhookServer.deny(r, 0, "no"));
    f.register(false, "denier", hook("deny.example.com", server, "/deny"));

    HttpResponse<String> denied = f.createConfigMap("default", "forbidden-1");
    assertEquals(403, denied.statusCode());
    JsonNode status = json(denied);
    assertEquals("Status", status.path("kind").asText());
    assertEquals("Failure", status.path("status").asText());
    assertEquals("admission webhook \"deny.example.com\" denied the request: forbidden names are not welcome",
        status.path("message").asText());
    HttpResponse<String> plain = f.createConfigMap("default", "other-1");
    assertEquals(400, plain.statusCode());
    assertEquals("admission webhook \"deny.example.com\" denied the request: no", json(plain).path("message")
        .asText());
    assertEquals(404, f.api.get("/api/v1/namespaces/default/configmaps/forbidden-1").statusCode());
  }

  @Test
  void warningsReachTheClientAsWarningHeaders() throws Exception {
    server.respond(r -> {
      ObjectNode out = WebhookServer.response(r, true);
      ((ObjectNode) out.get("response")).putArray("warnings").add("this configmap is deprecated");
      ((ObjectNode) out.get("response")).putObject("auditAnnotations").put("checked", "true");
      return WebhookServer.Reply.json(out);
    });
    f.register(false, "warner", hook("warn.example.com", server, "/warn"));
    HttpResponse<String> r = f.createConfigMap("default", "warned-1");
    assertEquals(201, r.statusCode());
    assertTrue(r.headers().allValues("Warning").stream()
        .anyMatch(w -> w.startsWith("299 - ") && w.contains("this configmap is deprecated")),
        r.headers().map().toString());
  }

  @Test
  void dryRunCallsSideEffectFreeWebhooksWithDryRunTrue() throws Exception {
    f.register(false, "dry", hook("dry.example.com", server, "/dry"));
    HttpResponse<String> r = f.api.send("POST", "/api/v1/namespaces/default/configmaps?dryRun=All",
        "application/json", WebhookFixture.configMap("dry-1"));
    assertEquals(201, r.statusCode(), r.body());
    JsonNode req = server.receivedFor("dry-1").get(0).review().path("request");
    assertTrue(req.path("dryRun").asBoolean());
    assertEquals("[\"All\"]", req.path("options").path("dryRun").toString());
    assertEquals(404, f.api.get("/api/v1/namespaces/default/configmaps/dry-1").statusCode());
  }

  @Test
  void dryRunIsRefusedForAWebhookWithSideEffects() throws Exception {
    // v1 refuses sideEffects Some; such objects exist when written under v1beta1, so this one goes straight to
    // storage, as an old object would be found there.
    ObjectNode h = hook("effects.example.com", server, "/effects");
    h.put("sideEffects", "Some");
    ObjectNode cfg = WebhookServer.JSON.createObjectNode();
    cfg.put("apiVersion", "admissionregistration.k8s.io/v1").put("kind", "ValidatingWebhookConfiguration");
    cfg.putObject("metadata").put("name", "effects").put("uid", java.util.UUID.randomUUID().toString())
        .put("creationTimestamp", "2024-01-01T00:00:00Z");
    cfg.putArray("webhooks").add(h);
    var store = f.context.registry().store("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations");
    store.storage().create(store.key("", "effects"), dev.hostplane.apiserver.api.Codecs.writeJson(cfg))
        .toCompletableFuture().get();
    f.awaitWebhooks("effects.example.com", true);

    HttpResponse<String> dry = f.api.send("POST", "/api/v1/namespaces/default/configmaps?dryRun=All",
        "application/json", WebhookFixture.configMap("effects-1"));
    assertEquals(400, dry.statusCode(), dry.body());
    assertEquals("admission webhook \"effects.example.com\" does not support dry run",
        json(dry).path("message").asText());
    assertEquals(0, server.receivedFor("effects-1").size());
    assertEquals(201, f.createConfigMap("default", "effects-2").statusCode());
  }

  @Test
  void ifNeededWebhookIsCalledAgainWhenALaterWebhookChangedTheObject() throws Exception {
    server.respond(r -> {
      String uri = server.received().get(server.received().size() - 1).uri();
      if (uri.startsWith("/first")) {
        return WebhookServer.allow(r);
      }
      return WebhookServer.patch(r, "[{\"op\":\"add\",\"path\":\"/data/second\",\"value\":\"x\"}]");
    });
    ObjectNode first = hook("first.example.com", server, "/first");
    first.put("reinvocationPolicy", "IfNeeded");
    ObjectNode never = hook("never.example.com", server, "/never-again");
    WebhookServer second = server;
    f.register(true, "a-first", first, never);
    f.register(true, "b-second", hook("second.example.com", second, "/second"));

    assertEquals(201, f.createConfigMap("default", "reinvoke-1").statusCode());
    List<String> calls = server.receivedFor("reinvoke-1").stream().map(r -> r.uri().replaceAll("\\?.*", ""))
        .toList();
    assertEquals(List.of("/first", "/never-again", "/second", "/first"), calls);
    JsonNode reinvoked = server.receivedFor("reinvoke-1").get(3).review().path("request").path("object");
    assertEquals("x", reinvoked.path("data").path("second").asText());
  }

  @Test
  void namespaceAndObjectSelectorsChooseWhatIsSent() throws Exception {
    f.namespace("watched", "team", "a");
    f.namespace("ignored", "team", "b");
    ObjectNode byNamespace = hook("ns.example.com", server, "/ns");
    byNamespace.putObject("namespaceSelector").putObject("matchLabels").put("team", "a");
    ObjectNode byObject = hook("obj.example.com", server, "/obj");
    byObject.putObject("objectSelector").putArray("matchExpressions").addObject().put("key", "audit")
        .put("operator", "Exists");
    f.register(false, "selectors", byNamespace, byObject);

    assertEquals(201, f.createConfigMap("watched", "sel-1").statusCode());
    assertEquals(201, f.createConfigMap("ignored", "sel-2").statusCode());
    assertEquals(201, f.createConfigMap("ignored", "sel-3", "audit", "yes").statusCode());
    assertEquals(List.of("/ns"), paths(server.receivedFor("sel-1")));
    assertEquals(List.of(), paths(server.receivedFor("sel-2")));
    assertEquals(List.of("/obj"), paths(server.receivedFor("sel-3")));
  }

  @Test
  void namespaceSelectorOfANamespaceUsesItsOwnLabels() throws Exception {
    ObjectNode h = hook("nsself.example.com", server, "/nsself");
    WebhookFixture.rules(h, List.of("CREATE"), "", "v1", "namespaces");
    h.putObject("namespaceSelector").putObject("matchLabels").put("tier", "gold");
    f.register(false, "nsself", h);
    f.namespace("gold-ns", "tier", "gold");
    f.namespace("silver-ns", "tier", "silver");
    assertEquals(1, server.receivedFor("gold-ns").size());
    assertEquals("gold-ns", server.receivedFor("gold-ns").get(0).review().path("request").path("namespace")
        .asText());
    assertEquals(0, server.receivedFor("silver-ns").size());
  }

  @Test
  void matchConditionsSkipOrFailTheCall() throws Exception {
    ObjectNode h = hook("cel.example.com", server, "/cel");
    h.putArray("matchConditions").addObject().put("name", "only-important")
        .put("expression", "has(object.metadata.labels) && object.metadata.labels['important'] == 'true'"
            + " && request.userInfo.username == 'kubernetes-admin'");
    f.register(false, "cel", h);
    HttpResponse<String> cel1 = f.createConfigMap("default", "cel-1", "important", "true");
    assertEquals(201, cel1.statusCode(), cel1.body());
    assertEquals(201, f.createConfigMap("default", "cel-2", "important", "false").statusCode());
    assertEquals(1, server.receivedFor("cel-1").size());
    assertEquals(0, server.receivedFor("cel-2").size());

    // An expression that does not compile is refused when the configuration is written.
    ObjectNode syntax = hook("celsyntax.example.com", server, "/cel");
    syntax.putArray("matchConditions").addObject().put("name", "broken").put("expression", "object.(");
    String cfg = "{\"apiVersion\":\"admissionregistration.k8s.io/v1\",\"kind\":\"ValidatingWebhookConfiguration\","
        + "\"metadata\":{\"name\":\"celsyntax\"},\"webhooks\":[" + syntax + "]}";
    HttpResponse<String> invalid = f.api.send("POST", WebhookFixture.CONFIGS + "validatingwebhookconfigurations",
        "application/json", cfg);
    assertEquals(422, invalid.statusCode(), invalid.body());
    assertTrue(json(invalid).path("message").asText().startsWith("ValidatingWebhookConfiguration."
        + "admissionregistration.k8s.io \"celsyntax\" is invalid: webhooks[0].matchConditions[0].expression: "
        + "Invalid value: \"object.(\": compilation failed: "), invalid.body());

    f.clearWebhooks();
    ObjectNode broken = hook("celerr.example.com", server, "/celerr");
    broken.putArray("matchConditions").addObject().put("name", "bad").put("expression", "object.nope.deeper");
    f.register(false, "celerr", broken);
    HttpResponse<String> r = f.createConfigMap("default", "cel-3");
    assertEquals(500, r.statusCode(), r.body());
    assertTrue(json(r).path("message").asText().startsWith(
        "Internal error occurred: failed calling webhook \"celerr.example.com\": failed to evaluate match "
            + "conditions: expression 'bad' resulted in error"), r.body());

    f.clearWebhooks();
    broken.put("name", "celerr-ignore.example.com").put("failurePolicy", "Ignore");
    f.register(false, "celerr-ignore", broken);
    assertEquals(201, f.createConfigMap("default", "cel-4").statusCode());
    assertEquals(0, server.receivedFor("cel-4").size());
  }

  @Test
  void configurationChangesApplyWithoutRestart() throws Exception {
    server.respond(r -> WebhookServer.deny(r, 0, "closed"));
    f.register(false, "gate", hook("gate.example.com", server, "/gate"));
    assertEquals(400, f.createConfigMap("default", "gate-1").statusCode());

    // Narrow the rule to secrets: configmaps pass again.
    JsonNode cfg = json(f.api.get(WebhookFixture.CONFIGS + "validatingwebhookconfigurations/gate"));
    ObjectNode hook0 = (ObjectNode) cfg.path("webhooks").get(0);
    WebhookFixture.rules(hook0, List.of("CREATE"), "", "v1", "secrets");
    HttpResponse<String> put = f.api.send("PUT", WebhookFixture.CONFIGS + "validatingwebhookconfigurations/gate",
        "application/json", cfg.toString());
    assertEquals(200, put.statusCode(), put.body());
    eventually(() -> f.createConfigMap("default", "gate-" + System.nanoTime()).statusCode() == 201);

    f.api.send("DELETE", WebhookFixture.CONFIGS + "validatingwebhookconfigurations/gate", null, null);
    f.awaitWebhooks("gate.example.com", false);
    String secret = "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"gate-s\"}}";
    assertEquals(201, f.api.send("POST", "/api/v1/namespaces/default/secrets", "application/json", secret)
        .statusCode());
  }

  @Test
  void webhookConfigurationsThemselvesAreNeverSentToWebhooks() throws Exception {
    server.respond(r -> WebhookServer.deny(r, 0, "everything is closed"));
    ObjectNode all = hook("all.example.com", server, "/all");
    all.putArray("rules").addObject().put("scope", "*").set("operations",
        WebhookServer.JSON.createArrayNode().add("*"));
    ObjectNode rule = (ObjectNode) all.path("rules").get(0);
    rule.putArray("apiGroups").add("*");
    rule.putArray("apiVersions").add("*");
    rule.putArray("resources").add("*/*");
    f.register(false, "lockout", all);
    assertEquals(400, f.createConfigMap("default", "lockout-1").statusCode());
    HttpResponse<String> del = f.api.send("DELETE", WebhookFixture.CONFIGS
        + "validatingwebhookconfigurations/lockout", null, null);
    assertEquals(200, del.statusCode(), del.body());
  }

  @Test
  void statusSubresourceIsSentWithItsSubResource() throws Exception {
    ObjectNode h = hook("status.example.com", server, "/status");
    WebhookFixture.rules(h, List.of("UPDATE"), "", "v1", "namespaces/status");
    f.register(false, "status", h);
    f.namespace("status-ns");
    JsonNode ns = json(f.api.get("/api/v1/namespaces/status-ns"));
    HttpResponse<String> r = f.api.send("PUT", "/api/v1/namespaces/status-ns/status", "application/json",
        ns.toString());
    assertEquals(200, r.statusCode(), r.body());
    JsonNode req = server.receivedFor("status-ns").get(0).review().path("request");
    assertEquals("status", req.path("subResource").asText());
    assertEquals("status", req.path("requestSubResource").asText());
    assertEquals("Namespace", req.path("kind").path("kind").asText());
  }

  @Test
  void connectIsAdmittedWithTheOptionsAsObject() throws Exception {
    server.respond(r -> r.path("request").path("object").path("command").toString().contains("rm")
        ? WebhookServer.deny(r, 403, "no rm") : WebhookServer.allow(r));
    ObjectNode h = hook("exec.example.com", server, "/exec");
    WebhookFixture.rules(h, List.of("CONNECT"), "", "v1", "pods/exec");
    f.register(false, "exec", h);
    var pods = f.context.registry().store("", "v1", "pods");
    ObjectNode options = WebhookServer.JSON.createObjectNode().put("kind", "PodExecOptions").put("apiVersion", "v1");
    options.putArray("command").add("ls");
    pods.admitConnect("default", "web-0", "exec", options, dev.hostplane.apiserver.authn.UserInfo.ANONYMOUS,
        null).toCompletableFuture().get();
    JsonNode req = server.receivedFor("web-0").get(0).review().path("request");
    assertEquals("CONNECT", req.path("operation").asText());
    assertEquals("exec", req.path("subResource").asText());
    assertEquals("PodExecOptions", req.path("kind").path("kind").asText());
    assertEquals("PodExecOptions", req.path("options").path("kind").asText());

    options.putArray("command").add("rm");
    try {
      pods.admitConnect("default", "web-0", "exec", options, dev.hostplane.apiserver.authn.UserInfo.ANONYMOUS,
          null).toCompletableFuture().get();
      throw new AssertionError("expected a refusal");
    } catch (java.util.concurrent.ExecutionException e) {
      var status = ((dev.hostplane.apiserver.api.ApiException) e.getCause()).status();
      assertEquals(403, status.code());
      assertEquals("admission webhook \"exec.example.com\" denied the request: no rm", status.message());
    }
  }

  @Test
  void metricsHaveUpstreamNamesAndLabels() throws Exception {
    server.respond(r -> r.path("request").path("name").asText().equals("metric-2")
        ? WebhookServer.deny(r, 0, "no") : WebhookServer.allow(r));
    f.register(false, "metered", hook("metered.example.com", server, "/m"));
    assertEquals(201, f.createConfigMap("default", "metric-1").statusCode());
    assertEquals(400, f.createConfigMap("default", "metric-2").statusCode());
    String metrics = f.api.get("/metrics").body();
    assertTrue(metrics.contains("apiserver_admission_webhook_admission_duration_seconds_bucket{"), metrics);
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("apiserver_admission_webhook_request_total{")
        && l.contains("name=\"metered.example.com\"") && l.contains("code=\"200\"")
        && l.contains("rejected=\"false\"") && l.contains("type=\"validating\"")
        && l.contains("operation=\"CREATE\"")));
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("apiserver_admission_webhook_rejection_count{")
        && l.contains("name=\"metered.example.com\"") && l.contains("error_type=\"no_error\"")
        && l.contains("rejection_code=\"400\"")), metrics);
  }

  static List<String> paths(List<WebhookServer.Received> received) {
    return received.stream().map(r -> r.uri().replaceAll("\\?.*", "")).toList();
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void eventually(Check check) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(20);
    }
  }
}

package dev.hostplane.webhook;

import static dev.hostplane.webhook.WebhookFixture.hook;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review versions, matchPolicy across served versions, and audit annotations. */
class WebhookVersionsAndAuditTest {
  @TempDir
  Path dir;

  @Test
  void versionsPoliciesAndAuditAnnotations() throws Exception {
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n"
        + "- level: Metadata\n  resources:\n  - group: \"\"\n    resources: [\"configmaps\"]\n");
    Path log = dir.resolve("audit.log");
    try (WebhookFixture f = WebhookFixture.start(dir.resolve("server"), Duration.ofSeconds(30),
        "--audit-policy-file=" + policy, "--audit-log-path=" + log);
        WebhookServer server = f.server(List.of(), r -> {
          ObjectNode out = WebhookServer.response(r, true);
          ((ObjectNode) out.get("response")).putObject("auditAnnotations").put("decision", "looked-fine");
          return WebhookServer.Reply.json(out);
        })) {
      // v1beta1 when it is the only version the webhook accepts; the answer must be v1beta1 too.
      ObjectNode beta = hook("beta.example.com", server, "/beta");
      beta.putArray("admissionReviewVersions").add("v1beta1");
      f.register(false, "beta", beta);
      HttpResponse<String> r = f.createConfigMap("default", "audited-1");
      assertEquals(201, r.statusCode(), r.body());
      assertEquals("admission.k8s.io/v1beta1", server.receivedFor("audited-1").get(0).review().path("apiVersion")
          .asText());
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      String line = null;
      while (line == null && System.nanoTime() < deadline) {
        line = Files.exists(log) ? Files.readAllLines(log).stream()
            .filter(l -> l.contains("audited-1") && l.contains("ResponseComplete")).findFirst().orElse(null) : null;
        Thread.sleep(20);
      }
      assertTrue(line != null, "no audit event for the create");
      JsonNode event = WebhookServer.JSON.readTree(line);
      assertEquals("looked-fine", event.path("annotations").path("beta.example.com/decision").asText(), line);
      f.clearWebhooks();

      // HorizontalPodAutoscalers are served as autoscaling/v2 and v1 from one storage: a rule for v2 matches a v1
      // request under Equivalent (sent as v2, with the v1 request kind), and not under Exact.
      ObjectNode equivalent = hook("equivalent.example.com", server, "/eq");
      WebhookFixture.rules(equivalent, List.of("CREATE"), "autoscaling", "v2", "horizontalpodautoscalers");
      ObjectNode exact = hook("exact.example.com", server, "/exact");
      WebhookFixture.rules(exact, List.of("CREATE"), "autoscaling", "v2", "horizontalpodautoscalers");
      exact.put("matchPolicy", "Exact");
      f.register(false, "hpa", equivalent, exact);
      String hpa = "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":{\"name\":"
          + "\"hpa-1\"},\"spec\":{\"scaleTargetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":"
          + "\"web\"},\"minReplicas\":1,\"maxReplicas\":3,\"targetCPUUtilizationPercentage\":50}}";
      HttpResponse<String> created = f.api.send("POST",
          "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers", "application/json", hpa);
      assertEquals(201, created.statusCode(), created.body());
      List<WebhookServer.Received> got = server.receivedFor("hpa-1");
      assertEquals(List.of("/eq"), WebhookAdmissionTest.paths(got));
      JsonNode req = got.get(0).review().path("request");
      assertEquals("v2", req.path("resource").path("version").asText());
      assertEquals("v1", req.path("requestResource").path("version").asText());
      assertEquals("v1", req.path("requestKind").path("version").asText());
      assertEquals("autoscaling/v2", req.path("object").path("apiVersion").asText());
      assertTrue(req.path("object").path("spec").has("metrics"), req.path("object").toString());
    }
  }
}

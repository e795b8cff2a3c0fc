package dev.hostplane.webhook;

import static dev.hostplane.webhook.WebhookFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks referenced by Service: resolved through the Service's Endpoints (ready addresses, the port named as
 * the Service port), dialled through the cluster egress, verified as {@code <name>.<namespace>.svc}.
 */
class ServiceWebhookTest {
  @TempDir
  Path dir;

  @Test
  void serviceWebhookIsReachedThroughItsEndpointsAndCallsAreSpread() throws Exception {
    try (WebhookFixture f = WebhookFixture.start(dir, Duration.ofSeconds(30));
        WebhookServer a = f.server(List.of("hooks.webhooks.svc"), WebhookServer::allow);
        WebhookServer b = f.server(List.of("hooks.webhooks.svc"), WebhookServer::allow)) {
      f.namespace("webhooks");
      String svc = "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"hooks\"},\"spec\":{"
          + "\"ports\":[{\"name\":\"https\",\"port\":443,\"targetPort\":8443}]}}";
      HttpResponse<String> created = f.api.send("POST", "/api/v1/namespaces/webhooks/services",
          "application/json", svc);
      assertEquals(201, created.statusCode(), created.body());
      // Endpoints on loopback cannot pass validation (upstream refuses them), so they are written to storage as
      // an endpoints controller's would be for pods on this host.
      writeEndpoints(f, "webhooks", "hooks", a.port(), b.port());

      ObjectNode h = WebhookServer.JSON.createObjectNode();
      h.put("name", "svc.example.com");
      h.putObject("clientConfig").put("caBundle", a.caBundle()).putObject("service").put("namespace", "webhooks")
          .put("name", "hooks").put("path", "/validate");
      WebhookFixture.rules(h, List.of("CREATE"), "", "v1", "configmaps");
      h.put("sideEffects", "None");
      h.putArray("admissionReviewVersions").add("v1");
      f.register(false, "svc", h);

      for (int i = 0; i < 6; i++) {
        HttpResponse<String> r = f.createConfigMap("default", "svc-" + i);
        assertEquals(201, r.statusCode(), r.body());
      }
      assertEquals(3, a.received().size());
      assertEquals(3, b.received().size());
      WebhookServer.Received got = a.received().get(0);
      assertEquals("/validate?timeout=10s", got.uri());
      assertEquals("hooks.webhooks.svc", got.host());

      // A Service with no endpoints: the call fails (Fail: the request is refused).
      String empty = "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"empty\"},\"spec\":{"
          + "\"ports\":[{\"name\":\"https\",\"port\":443}]}}";
      assertEquals(201, f.api.send("POST", "/api/v1/namespaces/webhooks/services", "application/json", empty)
          .statusCode());
      f.clearWebhooks();
      ((ObjectNode) h.path("clientConfig").path("service")).put("name", "empty");
      h.put("name", "empty.example.com");
      f.register(false, "empty", h);
      HttpResponse<String> refused = f.createConfigMap("default", "svc-empty");
      assertEquals(500, refused.statusCode(), refused.body());
      assertEquals("Internal error occurred: failed calling webhook \"empty.example.com\": failed to call "
          + "webhook: no endpoints available for service \"empty\"", json(refused).path("message").asText());
      assertTrue(f.api.get("/metrics").body().contains("rejection_code=\"503\""));
    }
  }

  static void writeEndpoints(WebhookFixture f, String ns, String name, int... ports) throws Exception {
    ObjectNode eps = WebhookServer.JSON.createObjectNode();
    eps.put("apiVersion", "v1").put("kind", "Endpoints");
    eps.putObject("metadata").put("name", name).put("namespace", ns).put("uid", UUID.randomUUID().toString())
        .put("creationTimestamp", "2025-01-01T00:00:00Z");
    ArrayNode subsets = eps.putArray("subsets");
    for (int port : ports) {
      ObjectNode s = subsets.addObject();
      s.putArray("addresses").addObject().put("ip", "127.0.0.1");
      s.putArray("ports").addObject().put("name", "https").put("port", port).put("protocol", "TCP");
    }
    var store = f.context.registry().store("", "v1", "endpoints");
    store.storage().create(store.key(ns, name), Codecs.writeJson(eps)).toCompletableFuture().get();
  }
}

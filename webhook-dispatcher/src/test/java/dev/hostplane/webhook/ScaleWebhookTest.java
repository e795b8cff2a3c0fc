package dev.hostplane.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code scale} subresource as upstream sends it to webhooks: subresource {@code scale}, an
 * {@code autoscaling/v1 Scale} as object and oldObject, patches to the Scale applied to the parent, and webhooks
 * for the parent resource alone not called.
 */
class ScaleWebhookTest {
  private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";

  @TempDir
  Path dir;

  @Test
  void scaleWritesReachScaleWebhooksAsScaleObjectsAndTheirPatchesLand() throws Exception {
    try (WebhookFixture f = WebhookFixture.start(dir, Duration.ofSeconds(30));
        WebhookServer scaleHook = f.server(List.of("localhost"),
            review -> WebhookServer.patch(review, "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":5}]"));
        WebhookServer parentHook = f.server(List.of("localhost"), WebhookServer::allow)) {
      ObjectNode onScale = WebhookFixture.hook("scale.example.com", scaleHook, "/scale");
      WebhookFixture.rules(onScale, List.of("UPDATE"), "apps", "v1", "deployments/scale");
      f.register(true, "scale", onScale);
      ObjectNode onParent = WebhookFixture.hook("parent.example.com", parentHook, "/parent");
      WebhookFixture.rules(onParent, List.of("UPDATE"), "apps", "v1", "deployments");
      f.register(false, "parent", onParent);

      HttpResponse<String> created = f.api.send("POST", DEPLOYMENTS, "application/json", """
          {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1,
           "selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
           "spec":{"containers":[{"name":"c","image":"nginx"}]}}}}""");
      assertEquals(201, created.statusCode(), created.body());

      HttpResponse<String> scaled = f.api.send("PATCH", DEPLOYMENTS + "/web/scale", "application/merge-patch+json",
          "{\"spec\":{\"replicas\":3}}");
      assertEquals(200, scaled.statusCode(), scaled.body());
      assertEquals(5, WebhookServer.JSON.readTree(scaled.body()).path("spec").path("replicas").asInt(),
          "the webhook's patch of the Scale is the answer");
      JsonNode stored = WebhookServer.JSON.readTree(f.api.send("GET", DEPLOYMENTS + "/web", null, null).body());
      assertEquals(5, stored.path("spec").path("replicas").asInt(), "and lands in the Deployment");

      JsonNode request = scaleHook.receivedFor("web").get(0).review().path("request");
      assertEquals("scale", request.path("subResource").asText());
      assertEquals("autoscaling", request.path("kind").path("group").asText());
      assertEquals("Scale", request.path("kind").path("kind").asText());
      assertEquals("deployments", request.path("resource").path("resource").asText());
      assertEquals("Scale", request.path("object").path("kind").asText());
      assertEquals(3, request.path("object").path("spec").path("replicas").asInt());
      assertEquals(1, request.path("oldObject").path("spec").path("replicas").asInt());
      assertTrue(parentHook.receivedFor("web").isEmpty(), "a webhook for deployments alone is not called");

      // An update of the Deployment itself goes to the parent's webhook, not the scale one.
      int scaleCalls = scaleHook.received().size();
      HttpResponse<String> labelled = f.api.send("PATCH", DEPLOYMENTS + "/web", "application/merge-patch+json",
          "{\"metadata\":{\"labels\":{\"tier\":\"front\"}}}");
      assertEquals(200, labelled.statusCode(), labelled.body());
      assertEquals(1, parentHook.receivedFor("web").size());
      assertEquals(scaleCalls, scaleHook.received().size());
    }
  }
}

package dev.hostplane.apiserver.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.MediaType;
import dev.hostplane.apiserver.registry.ResourceCatalog;
import dev.hostplane.apiserver.registry.types.BuiltinResources;
import dev.hostplane.apiserver.registry.types.NodePortAllocator;
import dev.hostplane.apiserver.registry.types.ServiceAddressAllocator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenApiDocumentsTest {
  private static final ResourceCatalog CATALOG =
      BuiltinResources.catalog(new ServiceAddressAllocator("10.96.0.0/12"), new NodePortAllocator());
  private static final OpenApiDocuments DOCS = new OpenApiDocuments(CATALOG);

  @Test
  void v2JsonHasDefinitionsGvksAndPatchOperationsWithFieldValidation() {
    JsonNode doc = Codecs.readTree(DOCS.v2Json().bytes(), MediaType.JSON);
    assertEquals("2.0", doc.path("swagger").asText());
    JsonNode pod = doc.path("definitions").path("io.k8s.api.core.v1.Pod");
    assertEquals("Pod", pod.path("x-kubernetes-group-version-kind").get(0).path("kind").asText());
    assertFalse(doc.toString().contains("\"description\":\"Pod is"), "no prose");
    JsonNode patch = doc.path("paths").path("/apis/apps/v1/namespaces/{namespace}/deployments/{name}")
        .path("patch");
    assertEquals("patchAppsV1NamespacedDeployment", patch.path("operationId").asText());
    assertEquals("Deployment", patch.path("x-kubernetes-group-version-kind").path("kind").asText());
    assertTrue(names(patch.path("parameters")).contains("fieldValidation"));
    assertEquals("patchRbacAuthorizationV1ClusterRole", doc.path("paths")
        .path("/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}").path("patch").path("operationId").asText());
    assertTrue(doc.path("paths").has("/api/v1/nodes/{name}"));
  }

  @Test
  void v2ProtobufParsesBackToTheSameDocument() {
    Proto d = Proto.parse(DOCS.v2Protobuf().bytes());
    assertEquals("2.0", d.string(1));
    assertEquals("Kubernetes", d.message(2).string(1));
    // definitions (9) -> NamedSchema (1) {name 1, Schema 2}
    Map<String, Proto> defs = new java.util.HashMap<>();
    for (Proto named : d.message(9).messages(1)) {
      defs.put(named.string(1), named.message(2));
    }
    JsonNode json = Codecs.readTree(DOCS.v2Json().bytes(), MediaType.JSON);
    assertEquals(json.path("definitions").size(), defs.size());
    Proto podSpec = defs.get("io.k8s.api.core.v1.PodSpec");
    assertEquals(List.of("object"), podSpec.message(22).strings(1));
    assertTrue(podSpec.strings(19).contains("containers"));
    Proto containers = null;
    for (Proto p : podSpec.message(25).messages(1)) {
      if (p.string(1).equals("containers")) {
        containers = p.message(2);
      }
    }
    assertNotNull(containers);
    assertEquals("#/definitions/io.k8s.api.core.v1.Container", containers.message(23).messages(1).get(0).string(1));
    Map<String, String> ext = new java.util.HashMap<>();
    for (Proto named : containers.messages(31)) {
      ext.put(named.string(1), named.message(2).string(2).trim());
    }
    assertEquals("\"name\"", ext.get("x-kubernetes-patch-merge-key"));
    assertEquals("\"merge\"", ext.get("x-kubernetes-patch-strategy"));
    Proto pod = defs.get("io.k8s.api.core.v1.Pod");
    String gvk = pod.messages(31).get(0).message(2).string(2);
    assertEquals("[{\"group\":\"\",\"kind\":\"Pod\",\"version\":\"v1\"}]", gvk.trim());
    // paths (8) -> NamedPathItem (2) -> PathItem.patch (8) -> parameters (8) -> Parameter (1) -> NonBody (2)
    // -> query (3) -> name (4)
    boolean found = false;
    for (Proto item : d.message(8).messages(2)) {
      if (!item.string(1).equals("/api/v1/namespaces/{namespace}/pods/{name}")) {
        continue;
      }
      Proto op = item.message(2).message(8);
      assertEquals("patchCoreV1NamespacedPod", op.string(5));
      for (Proto param : op.messages(8)) {
        Proto nonBody = param.message(1).message(2);
        if (nonBody != null && nonBody.message(3) != null && "fieldValidation".equals(nonBody.message(3).string(4))) {
          found = true;
        }
      }
      assertTrue(op.messages(13).stream().anyMatch(e -> e.string(1).equals("x-kubernetes-group-version-kind")));
    }
    assertTrue(found, "PATCH /api/v1/.../pods/{name} has the fieldValidation query parameter");
  }

  @Test
  void v3IndexListsEveryGroupVersionWithTheSha512OfItsDocument() throws Exception {
    JsonNode index = Codecs.readTree(DOCS.v3Index(), MediaType.JSON);
    List<String> keys = new ArrayList<>();
    index.path("paths").fieldNames().forEachRemaining(keys::add);
    assertTrue(keys.containsAll(List.of("api/v1", "apis/apps/v1", "apis/autoscaling/v2", "apis/autoscaling/v1",
        "apis/discovery.k8s.io/v1", "apis/rbac.authorization.k8s.io/v1")), keys.toString());
    for (String key : keys) {
      String url = index.path("paths").path(key).path("serverRelativeURL").asText();
      OpenApiDocuments.Document d = DOCS.v3(key).orElseThrow();
      String hex = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(d.bytes()));
      assertEquals("/openapi/v3/" + key + "?hash=" + hex, url);
      assertEquals(128, d.hash().length());
    }
  }

  @Test
  void v3GroupVersionDocumentCarriesItsSchemasAndPatchOperations() {
    JsonNode doc = Codecs.readTree(DOCS.v3("apis/apps/v1").orElseThrow().bytes(), MediaType.JSON);
    assertEquals("3.0.0", doc.path("openapi").asText());
    JsonNode schemas = doc.path("components").path("schemas");
    JsonNode deployment = schemas.path("io.k8s.api.apps.v1.Deployment");
    assertEquals("Deployment", deployment.path("x-kubernetes-group-version-kind").get(0).path("kind").asText());
    assertEquals("#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec",
        deployment.path("properties").path("spec").path("$ref").asText());
    assertTrue(schemas.has("io.k8s.api.core.v1.Container"), "referenced core types come along");
    assertTrue(schemas.has("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
    assertFalse(schemas.has("io.k8s.api.batch.v1.Job"), "other group-versions' kinds stay out");
    assertFalse(new String(DOCS.v3("apis/apps/v1").orElseThrow().bytes(), StandardCharsets.UTF_8)
        .contains("#/definitions/"));
    JsonNode op = doc.path("paths").path("/apis/apps/v1/namespaces/{namespace}/deployments/{name}").path("patch");
    assertEquals("apps", op.path("x-kubernetes-group-version-kind").path("group").asText());
    boolean fv = false;
    for (JsonNode p : op.path("parameters")) {
      fv |= p.path("name").asText().equals("fieldValidation") && p.path("in").asText().equals("query");
    }
    assertTrue(fv);
  }

  private static List<String> names(JsonNode params) {
    List<String> out = new ArrayList<>();
    params.forEach(p -> out.add(p.path("name").asText()));
    return out;
  }

  /** A tiny protobuf reader: length-delimited and varint fields, by number. */
  static final class Proto {
    private final Map<Integer, List<byte[]>> fields = new java.util.HashMap<>();

    static Proto parse(byte[] b) {
      Proto p = new Proto();
      int[] pos = {0};
      while (pos[0] < b.length) {
        long key = varint(b, pos);
        int field = (int) (key >>> 3);
        int wire = (int) (key & 7);
        if (wire == 2) {
          int len = (int) varint(b, pos);
          byte[] v = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + len);
          pos[0] += len;
          p.fields.computeIfAbsent(field, k -> new ArrayList<>()).add(v);
        } else if (wire == 0) {
          long v = varint(b, pos);
          p.fields.computeIfAbsent(field, k -> new ArrayList<>()).add(new byte[] {(byte) v});
        } else {
          throw new AssertionError("unexpected wire type " + wire);
        }
      }
      return p;
    }

    private static long varint(byte[] b, int[] pos) {
      long v = 0;
      for (int shift = 0; ; shift += 7) {
        byte x = b[pos[0]++];
        v |= (long) (x & 0x7f) << shift;
        if ((x & 0x80) == 0) {
          return v;
        }
      }
    }

    String string(int f) {
      List<byte[]> v = fields.get(f);
      return v == null ? null : new String(v.get(0), StandardCharsets.UTF_8);
    }

    List<String> strings(int f) {
      List<String> out = new ArrayList<>();
      fields.getOrDefault(f, List.of()).forEach(v -> out.add(new String(v, StandardCharsets.UTF_8)));
      return out;
    }

    Proto message(int f) {
      List<byte[]> v = fields.get(f);
      return v == null ? null : parse(v.get(0));
    }

    List<Proto> messages(int f) {
      List<Proto> out = new ArrayList<>();
      fields.getOrDefault(f, List.of()).forEach(v -> out.add(parse(v)));
      return out;
    }
  }
}

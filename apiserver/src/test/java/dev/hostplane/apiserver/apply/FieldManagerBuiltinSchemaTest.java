package dev.hostplane.apiserver.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.openapi.SchemaPatchView;
import dev.hostplane.apiserver.openapi.Schemas;
import dev.hostplane.apiserver.registry.GroupVersionKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Field management with the real built-in schemas (not a test-side schema). */
class FieldManagerBuiltinSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static FieldManager configMaps() {
    return new FieldManager(SchemaPatchView.of(Schemas.builtin().byGvk(new GroupVersionKind("", "v1", "ConfigMap"))
        .orElseThrow()), "ConfigMap", false);
  }

  private static List<String> managers(ObjectNode obj) {
    List<String> out = new ArrayList<>();
    obj.path("metadata").path("managedFields").forEach(e -> out.add(e.path("manager").asText() + "/"
        + e.path("operation").asText()));
    return out;
  }

  @Test
  void applyingTheSameValueSharesOwnershipWithAnUpdater() throws Exception {
    FieldManager fm = configMaps();
    ObjectNode created = (ObjectNode) JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
        + "{\"name\":\"x\",\"namespace\":\"d\",\"annotations\":{\"a\":\"1\"}},\"data\":{\"mode\":\"slow\"}}");
    ObjectNode live = fm.update(null, created, "kubectl-client-side-apply", "", "v1", Instant.EPOCH);
    assertEquals(List.of("kubectl-client-side-apply/Update"), managers(live));
    ObjectNode config = (ObjectNode) JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
        + "{\"name\":\"x\",\"namespace\":\"d\"},\"data\":{\"mode\":\"slow\"}}");
    ObjectNode applied = fm.apply(live, config, "other", false, "v1", Instant.EPOCH);
    assertEquals(List.of("kubectl-client-side-apply/Update", "other/Apply"),
        managers(applied).stream().sorted().toList(), applied.toString());
  }

  @Test
  void applyOverHttpKeepsTheUpdatersOwnership(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    try (var server = dev.hostplane.apiserver.testing.TestApiServer.start(dir)) {
      server.send("POST", "/api/v1/namespaces", "application/json", "{\"metadata\":{\"name\":\"d\"}}");
      var created = server.send("POST", "/api/v1/namespaces/d/configmaps?fieldManager=kubectl-client-side-apply",
          "application/json", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\","
              + "\"annotations\":{\"a\":\"1\"}},\"data\":{\"mode\":\"slow\"}}");
      assertEquals(List.of("kubectl-client-side-apply/Update"), managers((ObjectNode) JSON.readTree(created.body())));
      var applied = server.send("PATCH", "/api/v1/namespaces/d/configmaps/x?fieldManager=other",
          "application/apply-patch+yaml", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
              + "{\"name\":\"x\",\"namespace\":\"d\"},\"data\":{\"mode\":\"slow\"}}");
      assertEquals(List.of("kubectl-client-side-apply/Update", "other/Apply"),
          managers((ObjectNode) JSON.readTree(applied.body())).stream().sorted().toList(), applied.body());
      var conflict = server.send("PATCH", "/api/v1/namespaces/d/configmaps/x?fieldManager=other",
          "application/apply-patch+yaml", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
              + "{\"name\":\"x\",\"namespace\":\"d\"},\"data\":{\"mode\":\"fast\"}}");
      assertEquals(409, conflict.statusCode(), conflict.body());
    }
  }
}

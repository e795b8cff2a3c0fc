package dev.hostplane.apiserver.registry.types;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.protobuf.KubeProtobuf;
import dev.hostplane.apiserver.registry.ResourceCatalog;
import dev.hostplane.apiserver.registry.ResourceType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The everyday manifests of {@link ValidObjectsTest} (one or more for every served resource) survive protobuf:
 * every member they set has a proto field, so JSON -> protobuf -> JSON loses nothing.
 */
class ProtobufRoundTripOfManifestsTest {
  private static final ResourceCatalog CATALOG = BuiltinResources.catalog(
      new ServiceAddressAllocator("10.96.0.0/16"), new NodePortAllocator());

  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> manifests() {
    return ValidObjectsTest.manifests();
  }

  @ParameterizedTest
  @MethodSource("manifests")
  void manifestSurvivesProtobuf(String group, String version, String resource, String json) {
    if (json == null) {
      return;
    }
    ResourceType type = CATALOG.find(group, version, resource).orElseThrow();
    ObjectNode obj = Trees.obj(json);
    ObjectNode input = obj.objectNode();
    input.put("kind", type.kind());
    input.put("apiVersion", type.apiVersion());
    input.setAll(obj);
    ObjectNode output = KubeProtobuf.decode(KubeProtobuf.encode(input));
    List<String> diffs = new ArrayList<>();
    diff("", input, output, diffs);
    assertEquals(List.of(), diffs);
  }

  private static void diff(String path, JsonNode e, JsonNode a, List<String> out) {
    if (e != null && a != null && e.isObject() && a.isObject()) {
      java.util.TreeSet<String> names = new java.util.TreeSet<>();
      e.fieldNames().forEachRemaining(names::add);
      a.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        diff(path + "." + n, e.get(n), a.get(n), out);
      }
    } else if (e != null && a != null && e.isArray() && a.isArray() && e.size() == a.size()) {
      Iterator<JsonNode> ie = e.elements();
      Iterator<JsonNode> ia = a.elements();
      for (int i = 0; ie.hasNext(); i++) {
        diff(path + "[" + i + "]", ie.next(), ia.next(), out);
      }
    } else if (e == null || !e.equals(a)) {
      out.add(path + ": " + e + " -> " + a);
    }
  }
}

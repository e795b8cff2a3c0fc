package dev.hostplane.apiserver.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.TestJson;
import dev.hostplane.apiserver.apply.ManagedFields.Identity;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ManagedFieldsTest {
  static JsonNode j(String singleQuoted) {
    return TestJson.parse(singleQuoted.replace('\'', '"'));
  }

  @Test
  void decodesAndEncodesEntriesInUpstreamOrder() {
    JsonNode list = j("[{'manager':'kubectl-edit','operation':'Update','apiVersion':'apps/v1',"
        + "'time':'2024-05-01T10:00:00Z','fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:paused':{}}}},"
        + "{'manager':'kubectl-create','operation':'Update','apiVersion':'apps/v1',"
        + "'time':'2024-05-01T09:00:00Z','fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:replicas':{}}}},"
        + "{'manager':'kubectl-scale','operation':'Update','apiVersion':'apps/v1',"
        + "'time':'2024-05-01T09:00:00Z','fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:replicas':{}}},"
        + "'subresource':'scale'},"
        + "{'manager':'kubectl','operation':'Apply','apiVersion':'apps/v1',"
        + "'time':'2024-05-01T11:00:00Z','fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:replicas':{}}}}]");
    ManagedFields m = ManagedFields.decode(list);
    assertEquals(4, m.entries().size());
    ManagedFields.Entry scale = m.get(Identity.update("kubectl-scale", "apps/v1", "scale"));
    assertEquals(Instant.parse("2024-05-01T09:00:00Z"), scale.time());
    assertEquals(List.of(FieldPath.fields("spec", "replicas")), scale.fields().paths());
    // Apply first; then by time, manager, apiVersion, subresource
    JsonNode encoded = m.encode();
    assertEquals(List.of("kubectl", "kubectl-create", "kubectl-scale", "kubectl-edit"),
        List.of(encoded.get(0).get("manager").asText(), encoded.get(1).get("manager").asText(),
            encoded.get(2).get("manager").asText(), encoded.get(3).get("manager").asText()));
    assertEquals(list.get(3), encoded.get(0));
    assertEquals(list.get(2), encoded.get(2));
    assertEquals(m, ManagedFields.decode(encoded));
  }

  @Test
  void anApplierIsOneEntryWhateverTheVersionAnUpdaterOnePerVersion() {
    JsonNode list = j("[{'manager':'a','operation':'Apply','apiVersion':'v1','fieldsType':'FieldsV1','fieldsV1':{}},"
        + "{'manager':'a','operation':'Apply','apiVersion':'v2','fieldsType':'FieldsV1','fieldsV1':{'f:x':{}}},"
        + "{'manager':'u','operation':'Update','apiVersion':'v1','fieldsType':'FieldsV1','fieldsV1':{'f:x':{}}},"
        + "{'manager':'u','operation':'Update','apiVersion':'v2','fieldsType':'FieldsV1','fieldsV1':{'f:y':{}}}]");
    ManagedFields m = ManagedFields.decode(list);
    assertEquals(3, m.entries().size());
    assertEquals("v2", m.get(Identity.apply("a", "")).apiVersion());
    assertNull(m.get(Identity.apply("a", "")).time());
    assertEquals("{\"manager\":\"u\",\"operation\":\"Update\",\"apiVersion\":\"v2\"}",
        Identity.update("u", "v2", "").key());
    assertEquals("{\"manager\":\"a\",\"operation\":\"Apply\",\"subresource\":\"status\"}",
        Identity.apply("a", "status").key());
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("[{'manager':'a','operation':'Patch','apiVersion':'v1','fieldsType':'FieldsV1'}]",
            "operation must be `Apply` or `Update`"),
        Arguments.of("[{'manager':'a','operation':'Apply','fieldsType':'FieldsV1'}]", "apiVersion must not be empty"),
        Arguments.of("[{'manager':'a','operation':'Apply','apiVersion':'v1'}]",
            "missing fieldsType in managed fields entry 0"),
        Arguments.of("[{'manager':'a','operation':'Apply','apiVersion':'v1','fieldsType':'FieldsV2'}]",
            "invalid fieldsType \"FieldsV2\" in managed fields entry 0"),
        Arguments.of("[{'manager':'a','operation':'Apply','apiVersion':'v1','fieldsType':'FieldsV1',"
            + "'time':'yesterday'}]", "invalid time in managed fields entry 0: yesterday"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void refusesInvalidEntriesWithUpstreamsReason(String list, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ManagedFields.decode(j(list)));
    assertEquals(message, e.getMessage());
  }

  @Test
  void resetRequestsAreAnEmptyListOrOneEmptyEntry() {
    assertTrue(ManagedFields.isReset(j("[]")));
    assertTrue(ManagedFields.isReset(j("[{}]")));
    assertTrue(ManagedFields.isReset(j("[{'manager':'','fieldsV1':null}]")));
    assertFalse(ManagedFields.isReset(null));
    assertFalse(ManagedFields.isReset(j("null")));
    assertFalse(ManagedFields.isReset(j("[{'manager':'a'}]")));
    assertFalse(ManagedFields.isReset(j("[{},{}]")));
  }

  @Test
  void writingNothingRemovesTheField() {
    ObjectNode obj = (ObjectNode) j("{'metadata':{'name':'x','managedFields':[]}}");
    ManagedFields.EMPTY.writeTo(obj);
    assertEquals(j("{'metadata':{'name':'x'}}"), obj);
    assertEquals(ManagedFields.EMPTY, ManagedFields.read(j("{'metadata':{'managedFields':null}}")));
  }
}

package dev.hostplane.apiserver.patch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.TestJson;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MergePatchTest {
  private static JsonNode json(String s) {
    return TestJson.parse(s);
  }

  /** RFC 7386 Appendix A: original, patch, result. */
  static Stream<Arguments> rfcExamples() {
    return Stream.of(
        Arguments.of("{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"),
        Arguments.of("{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"),
        Arguments.of("{\"a\":\"b\"}", "{\"a\":null}", "{}"),
        Arguments.of("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}"),
        Arguments.of("{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"),
        Arguments.of("{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}"),
        Arguments.of("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}"),
        Arguments.of("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"),
        Arguments.of("[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]"),
        Arguments.of("{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]"),
        Arguments.of("{\"a\":\"foo\"}", "null", "null"),
        Arguments.of("{\"a\":\"foo\"}", "\"bar\"", "\"bar\""),
        Arguments.of("{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}"),
        Arguments.of("[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}"),
        Arguments.of("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}"),
        // RFC 7386 section 3
        Arguments.of("{\"title\":\"Goodbye!\",\"author\":{\"givenName\":\"John\",\"familyName\":\"Doe\"},"
                + "\"tags\":[\"example\",\"sample\"],\"content\":\"This will be unchanged\"}",
            "{\"title\":\"Hello!\",\"phoneNumber\":\"+01-123-456-7890\",\"author\":{\"familyName\":null},"
                + "\"tags\":[\"example\"]}",
            "{\"title\":\"Hello!\",\"author\":{\"givenName\":\"John\"},\"tags\":[\"example\"],"
                + "\"content\":\"This will be unchanged\",\"phoneNumber\":\"+01-123-456-7890\"}"));
  }

  @ParameterizedTest
  @MethodSource("rfcExamples")
  void rfc7386AppendixA(String original, String patch, String result) {
    JsonNode target = json(original);
    JsonNode p = json(patch);
    JsonNode before = target.deepCopy();
    JsonNode patchBefore = p.deepCopy();
    assertEquals(json(result), MergePatch.apply(target, p));
    assertEquals(before, target, "target untouched");
    assertEquals(patchBefore, p, "patch untouched");
  }

  @Test
  void nullsInsideSetValuesArePrunedLikeUpstream() {
    assertEquals(json("{\"a\":[{\"c\":1},null]}"), MergePatch.apply(json("{}"), json("{\"a\":[{\"b\":null,\"c\":1},null]}")));
    assertEquals(json("{\"a\":[{\"b\":null}]}"), MergePatch.apply(json("{\"a\":{\"x\":1}}"),
        json("{\"a\":[{\"b\":null}]}")), "over an object, v4 sets the value as given");
    assertEquals(json("{\"a\":{\"c\":{}}}"), MergePatch.apply(json("{\"a\":\"s\"}"),
        json("{\"a\":{\"b\":null,\"c\":{\"d\":null}}}")));
  }

  @Test
  void resultSharesNoNodesWithInputs() {
    ObjectNode target = (ObjectNode) json("{\"keep\":{\"x\":1}}");
    ObjectNode patch = (ObjectNode) json("{\"add\":{\"y\":2}}");
    ObjectNode out = MergePatch.applyToObject(target, patch);
    ((ObjectNode) out.get("keep")).put("x", 9);
    ((ObjectNode) out.get("add")).put("y", 9);
    assertEquals(json("{\"keep\":{\"x\":1}}"), target);
    assertEquals(json("{\"add\":{\"y\":2}}"), patch);
  }

  @Test
  void applyToObjectRejectsPatchesUpstreamRejects() {
    ObjectNode cm = (ObjectNode) json("{\"data\":{\"a\":\"1\"}}");
    for (String bad : new String[] {"null", "\"x\"", "1", "true"}) {
      ApiException e = assertThrows(ApiException.class, () -> MergePatch.applyToObject(cm, json(bad)));
      assertEquals(400, e.code());
      assertEquals("Invalid JSON Patch", e.getMessage());
    }
    ApiException array = assertThrows(ApiException.class, () -> MergePatch.applyToObject(cm, json("[1]")));
    assertEquals(422, array.code());
    assertEquals("Invalid", array.status().reason());
    assertEquals(" \"\" is invalid: patch: Invalid value: \"[1]\": json: cannot unmarshal array into Go value of "
        + "type map[string]interface {}", array.getMessage());
    assertEquals("patch", array.status().details().causes().get(0).field());
  }

  @Test
  void kubectlScaleAndLabelPatches() {
    ObjectNode deploy = (ObjectNode) json("{\"metadata\":{\"name\":\"d\",\"labels\":{\"app\":\"web\",\"old\":\"x\"}},"
        + "\"spec\":{\"replicas\":1,\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\"}]}}}}");
    ObjectNode out = MergePatch.applyToObject(deploy, json("{\"spec\":{\"replicas\":3},"
        + "\"metadata\":{\"labels\":{\"old\":null,\"new\":\"y\"}}}"));
    assertEquals(json("{\"metadata\":{\"name\":\"d\",\"labels\":{\"app\":\"web\",\"new\":\"y\"}},"
        + "\"spec\":{\"replicas\":3,\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\"}]}}}}"), out);
  }

  static Stream<Arguments> diffs() {
    return Stream.of(
        Arguments.of("{\"a\":1,\"b\":{\"c\":1,\"d\":2},\"e\":[1,2],\"f\":\"x\"}",
            "{\"a\":1,\"b\":{\"c\":1,\"d\":3},\"e\":[1,2,3],\"g\":true}",
            "{\"b\":{\"d\":3},\"e\":[1,2,3],\"g\":true,\"f\":null}"),
        Arguments.of("{\"a\":{\"b\":1}}", "{\"a\":{\"b\":1}}", "{}"),
        Arguments.of("{\"a\":1}", "{\"a\":1.0}", "{}"),
        Arguments.of("{\"a\":{\"b\":1}}", "{\"a\":\"s\"}", "{\"a\":\"s\"}"),
        Arguments.of("{\"a\":\"s\"}", "{\"a\":{\"b\":null}}", "{\"a\":{\"b\":null}}"),
        Arguments.of("{\"a\":null}", "{\"a\":null}", "{}"),
        Arguments.of("{\"a\":[1]}", "{\"a\":[1]}", "{}"),
        Arguments.of("{}", "[1]", "[1]"),
        Arguments.of("[1]", "{\"a\":1}", "{\"a\":1}"));
  }

  @ParameterizedTest
  @MethodSource("diffs")
  void createMergePatchProducesTheMinimalDiff(String original, String modified, String patch) {
    assertEquals(json(patch), MergePatch.createMergePatch(json(original), json(modified)));
  }

  @Test
  void createdPatchesTurnOriginalIntoModified() {
    String[][] pairs = {
        {"{\"a\":1,\"b\":{\"c\":[1,2],\"d\":{\"e\":\"f\"}}}", "{\"b\":{\"c\":[2],\"d\":{\"e\":\"g\",\"h\":1}},\"i\":2}"},
        {"{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}}}", "{\"metadata\":{\"labels\":{\"b\":\"3\"}}}"},
        {"{}", "{\"x\":{\"y\":{\"z\":[{\"k\":\"v\"}]}}}"}};
    for (String[] pair : pairs) {
      JsonNode original = json(pair[0]);
      JsonNode modified = json(pair[1]);
      assertEquals(modified, MergePatch.apply(original, MergePatch.createMergePatch(original, modified)));
    }
  }
}

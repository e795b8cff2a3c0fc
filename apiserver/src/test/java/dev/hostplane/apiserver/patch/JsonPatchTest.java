package dev.hostplane.apiserver.patch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.TestJson;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonPatchTest {
  private static JsonNode json(String s) {
    return TestJson.parse(s);
  }

  private static JsonPatch patch(String s) {
    return JsonPatch.parse(s.getBytes(StandardCharsets.UTF_8));
  }

  /** RFC 6902 Appendix A, examples that succeed: document, patch, result. */
  static Stream<Arguments> rfcSuccesses() {
    return Stream.of(
        Arguments.of("A.1 adding an object member", "{\"foo\":\"bar\"}",
            "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]", "{\"baz\":\"qux\",\"foo\":\"bar\"}"),
        Arguments.of("A.2 adding an array element", "{\"foo\":[\"bar\",\"baz\"]}",
            "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]", "{\"foo\":[\"bar\",\"qux\",\"baz\"]}"),
        Arguments.of("A.3 removing an object member", "{\"baz\":\"qux\",\"foo\":\"bar\"}",
            "[{\"op\":\"remove\",\"path\":\"/baz\"}]", "{\"foo\":\"bar\"}"),
        Arguments.of("A.4 removing an array element", "{\"foo\":[\"bar\",\"qux\",\"baz\"]}",
            "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]", "{\"foo\":[\"bar\",\"baz\"]}"),
        Arguments.of("A.5 replacing a value", "{\"baz\":\"qux\",\"foo\":\"bar\"}",
            "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]", "{\"baz\":\"boo\",\"foo\":\"bar\"}"),
        Arguments.of("A.6 moving a value",
            "{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
            "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
            "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}"),
        Arguments.of("A.7 moving an array element", "{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
            "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
            "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}"),
        Arguments.of("A.8 testing a value: success", "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
            "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
            "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}"),
        Arguments.of("A.10 adding a nested member object", "{\"foo\":\"bar\"}",
            "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
            "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}"),
        Arguments.of("A.11 ignoring unrecognized elements", "{\"foo\":\"bar\"}",
            "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":123}]", "{\"foo\":\"bar\",\"baz\":\"qux\"}"),
        Arguments.of("A.14 ~ escape ordering", "{\"/\":9,\"~1\":10}",
            "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]", "{\"/\":9,\"~1\":10}"),
        Arguments.of("A.16 adding an array value", "{\"foo\":[\"bar\"]}",
            "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
            "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rfcSuccesses")
  void rfc6902AppendixA(String name, String doc, String patch, String result) {
    JsonNode original = json(doc);
    JsonNode before = original.deepCopy();
    assertEquals(json(result), patch(patch).apply(original));
    assertEquals(before, original, "the input document is never mutated");
  }

  /** RFC 6902 Appendix A, examples that must fail, plus failures of our own. */
  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of("A.9 testing a value: error", "{\"baz\":\"qux\"}",
            "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]", "testing value /baz failed: test failed"),
        Arguments.of("A.12 adding to a nonexistent target", "{\"foo\":\"bar\"}",
            "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]",
            "add operation does not apply: doc is missing path: /baz/bat: missing value"),
        Arguments.of("A.13 invalid patch document (repeated op: the last wins)", "{\"foo\":\"bar\"}",
            "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"op\":\"remove\"}]",
            "Unable to remove nonexistent key: baz: missing value"),
        Arguments.of("A.15 comparing strings and numbers", "{\"/\":9,\"~1\":10}",
            "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]", "testing value /~01 failed: test failed"),
        Arguments.of("unknown op", "{}", "[{\"op\":\"frobnicate\",\"path\":\"/a\"}]", "Unexpected kind: frobnicate"),
        Arguments.of("missing op", "{}", "[{\"path\":\"/a\"}]", "Unexpected kind: unknown"),
        Arguments.of("null operation", "{}", "[null]", "Unexpected kind: unknown"),
        Arguments.of("missing path", "{}", "[{\"op\":\"add\",\"value\":1}]", "add operation missing path field"),
        Arguments.of("non-string path", "{}", "[{\"op\":\"add\",\"path\":1}]", "add operation path must be a string"),
        Arguments.of("pointer without slash", "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"a\"}]",
            "JSON pointer must be empty or start with '/': \"a\""),
        Arguments.of("bad escape", "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/~2\"}]",
            "invalid escape in JSON pointer: \"/~2\""),
        Arguments.of("whole document", "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":{}}]",
            "replace operation does not apply: doc is missing path: \"\""),
        Arguments.of("index out of range", "{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/2\",\"value\":1}]",
            "Unable to access invalid index: 2"),
        Arguments.of("remove past the end", "{\"a\":[1]}", "[{\"op\":\"remove\",\"path\":\"/a/1\"}]",
            "Unable to access invalid index: 1: invalid index referenced"),
        Arguments.of("not an index", "{\"a\":[1]}", "[{\"op\":\"replace\",\"path\":\"/a/x\",\"value\":1}]",
            "value was not a proper array index: 'x' in /a/x"),
        Arguments.of("path through a scalar", "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/a/b\",\"value\":1}]",
            "add operation does not apply: doc is missing path: /a/b: missing value"),
        Arguments.of("move into own child", "{\"a\":{\"b\":{}}}",
            "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b/c\"}]",
            "move operation does not apply: cannot move /a into its own child /a/b/c"),
        Arguments.of("move from nowhere", "{}", "[{\"op\":\"move\",\"from\":\"/x\",\"path\":\"/y\"}]",
            "Unable to remove nonexistent key: x: missing value"),
        Arguments.of("copy from nowhere", "{}", "[{\"op\":\"copy\",\"from\":\"/x\",\"path\":\"/y\"}]",
            "copy operation does not apply: doc is missing from path: /x"),
        Arguments.of("test past the end", "{\"a\":[]}", "[{\"op\":\"test\",\"path\":\"/a/0\",\"value\":null}]",
            "Unable to access invalid index: 0: invalid index referenced"),
        Arguments.of("later op fails after earlier ones", "{\"a\":1}",
            "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":2},{\"op\":\"test\",\"path\":\"/a\",\"value\":1}]",
            "testing value /a failed: test failed"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void failuresAre422LikeUpstreamAndChangeNothing(String name, String doc, String patch, String reason) {
    JsonNode original = json(doc);
    JsonNode before = original.deepCopy();
    JsonPatch p = patch(patch);
    JsonPatch.Result r = p.tryApply(original);
    assertFalse(r.succeeded());
    assertEquals(reason, r.error());
    ApiException e = assertThrows(ApiException.class, () -> p.apply(original));
    assertEquals(422, e.code());
    assertEquals("Invalid", e.status().reason());
    assertEquals("the server rejected our request due to an error in our request", e.getMessage());
    assertEquals(json("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
        + "\"message\":\"the server rejected our request due to an error in our request\",\"reason\":\"Invalid\","
        + "\"details\":{},\"code\":422}"), e.status().toJson());
    assertEquals(before, original);
  }

  /** Where evanphx/json-patch v4, which upstream uses, is more lenient than the RFC. */
  static Stream<Arguments> upstreamLeniency() {
    return Stream.of(
        Arguments.of("replace of a missing member adds it", "{}",
            "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":1}]", "{\"a\":1}"),
        Arguments.of("a missing value is null", "{}", "[{\"op\":\"add\",\"path\":\"/a\"}]", "{\"a\":null}"),
        Arguments.of("test of a missing member against null", "{}",
            "[{\"op\":\"test\",\"path\":\"/a\",\"value\":null}]", "{}"),
        Arguments.of("test of null without value", "{\"a\":null}", "[{\"op\":\"test\",\"path\":\"/a\"}]",
            "{\"a\":null}"),
        Arguments.of("negative index counts from the end", "{\"a\":[1,2,3]}",
            "[{\"op\":\"remove\",\"path\":\"/a/-1\"},{\"op\":\"replace\",\"path\":\"/a/-2\",\"value\":9}]",
            "{\"a\":[9,2]}"),
        Arguments.of("add at -1 appends, as v4 counts the new slot", "{\"a\":[1,2]}",
            "[{\"op\":\"add\",\"path\":\"/a/-1\",\"value\":3}]", "{\"a\":[1,2,3]}"),
        Arguments.of("numbers compare by value", "{\"a\":1}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":1.0}]",
            "{\"a\":1}"),
        Arguments.of("objects compare regardless of order", "{\"a\":{\"x\":1,\"y\":[1,{\"z\":2}]}}",
            "[{\"op\":\"test\",\"path\":\"/a\",\"value\":{\"y\":[1,{\"z\":2}],\"x\":1}}]",
            "{\"a\":{\"x\":1,\"y\":[1,{\"z\":2}]}}"),
        Arguments.of("add replaces an existing member", "{\"a\":1}",
            "[{\"op\":\"add\",\"path\":\"/a\",\"value\":2}]", "{\"a\":2}"),
        Arguments.of("move to the same place", "{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a\"}]",
            "{\"a\":1}"),
        Arguments.of("escaped keys", "{\"metadata\":{\"labels\":{}}}",
            "[{\"op\":\"add\",\"path\":\"/metadata/labels/example.com~1tier\",\"value\":\"web\"},"
                + "{\"op\":\"add\",\"path\":\"/metadata/labels/a~0b\",\"value\":\"x\"}]",
            "{\"metadata\":{\"labels\":{\"example.com/tier\":\"web\",\"a~b\":\"x\"}}}"),
        Arguments.of("empty and null patches do nothing", "{\"a\":1}", "[]", "{\"a\":1}"),
        Arguments.of("null patch", "{\"a\":1}", "null", "{\"a\":1}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("upstreamLeniency")
  void behavesLikeUpstreamsLibrary(String name, String doc, String patch, String result) {
    assertEquals(json(result), patch(patch).apply(json(doc)));
  }

  @Test
  void copiesAreIndependent() {
    JsonPatch p = patch("[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/b\"},"
        + "{\"op\":\"replace\",\"path\":\"/b/x\",\"value\":2}]");
    assertEquals(json("{\"a\":{\"x\":1},\"b\":{\"x\":2}}"), p.apply(json("{\"a\":{\"x\":1}}")));
  }

  @Test
  void aPatchCanBeAppliedManyTimes() {
    JsonPatch p = patch("[{\"op\":\"add\",\"path\":\"/l/-\",\"value\":{\"n\":1}}]");
    JsonNode once = p.apply(json("{\"l\":[]}"));
    ((ObjectNode) once.get("l").get(0)).put("n", 99);
    assertEquals(json("{\"l\":[{\"n\":1}]}"), p.apply(json("{\"l\":[]}")));
  }

  @Test
  void copiesCannotBlowUpTheDocument() {
    ObjectNode doc = (ObjectNode) json("{}");
    doc.put("big", "x".repeat(1024 * 1024));
    StringBuilder ops = new StringBuilder("[");
    for (int i = 0; i < 4; i++) {
      ops.append(i > 0 ? "," : "").append("{\"op\":\"copy\",\"from\":\"/big\",\"path\":\"/c").append(i).append("\"}");
    }
    JsonPatch.Result r = patch(ops.append("]").toString()).tryApply(doc);
    assertFalse(r.succeeded());
    assertTrue(r.error().startsWith("Unable to complete the copy, the accumulated size increase of copy is "),
        r.error());
    assertTrue(r.error().endsWith("exceeding the limit 3145728"), r.error());
  }

  @Test
  void patchesThatAreNotArraysOfObjectsAreBadRequests() {
    ApiException notArray = assertThrows(ApiException.class, () -> patch("{\"op\":\"add\"}"));
    assertEquals(400, notArray.code());
    assertEquals("json: cannot unmarshal object into Go value of type jsonpatch.Patch", notArray.getMessage());
    ApiException notObject = assertThrows(ApiException.class, () -> patch("[{\"op\":\"add\"},1]"));
    assertEquals("json: cannot unmarshal number into Go value of type jsonpatch.Operation", notObject.getMessage());
    ApiException malformed = assertThrows(ApiException.class, () -> patch("[{\"op\":"));
    assertEquals(400, malformed.code());
    assertEquals("unexpected end of JSON input", malformed.getMessage());
  }

  @Test
  void tooManyOperationsIs413() {
    String op = "{\"op\":\"test\",\"path\":\"/a\",\"value\":null}";
    String ok = "[" + (op + ",").repeat(JsonPatch.MAX_OPERATIONS - 1) + op + "]";
    assertEquals(JsonPatch.MAX_OPERATIONS, patch(ok).operations().size());
    ApiException e = assertThrows(ApiException.class, () -> patch("[" + (op + ",").repeat(JsonPatch.MAX_OPERATIONS)
        + op + "]"));
    assertEquals(413, e.code());
    assertEquals("RequestEntityTooLarge", e.status().reason());
    assertEquals("Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001",
        e.getMessage());
  }

  @Test
  void applyToObjectPatchesKubernetesObjects() {
    ObjectNode pod = (ObjectNode) json("{\"metadata\":{\"name\":\"p\",\"labels\":{\"app\":\"web\"}},"
        + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1\"}]}}");
    ObjectNode patched = patch("[{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"nginx:2\"},"
        + "{\"op\":\"remove\",\"path\":\"/metadata/labels/app\"}]").applyToObject(pod);
    assertEquals("nginx:2", patched.at("/spec/containers/0/image").textValue());
    assertTrue(patched.at("/metadata/labels").isEmpty());
    assertEquals("nginx:1", pod.at("/spec/containers/0/image").textValue());
  }
}

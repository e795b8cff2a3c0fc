package dev.hostplane.apiserver.patch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.TestJson;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.params.provider.Arguments;

/** Shared helpers of the strategic merge patch tests: JSON with single quotes, and the checks every case makes. */
final class SmpCases {
  private SmpCases() {}

  /** JSON written with {@code '} for {@code "} (no test value contains an apostrophe). */
  static JsonNode json(String singleQuoted) {
    return TestJson.parse(singleQuoted.replace('\'', '"'));
  }

  /** A table row: name, schema, original, patch, expected result. */
  static Arguments row(String name, PatchSchema schema, String original, String patch, String expected) {
    return Arguments.of(name, schema, original, patch, expected);
  }

  /** An error row: name, schema, original, patch, expected code, expected message. */
  static Arguments error(String name, PatchSchema schema, String original, String patch, int code, String message) {
    return Arguments.of(name, schema, original, patch, code, message);
  }

  /**
   * Applies the patch and checks the result, that neither input changed, and that the result shares no container
   * node with either input.
   */
  static void assertPatches(PatchSchema schema, String original, String patch, String expected) {
    ObjectNode orig = (ObjectNode) json(original);
    JsonNode p = json(patch);
    JsonNode origBefore = orig.deepCopy();
    JsonNode patchBefore = p.deepCopy();
    ObjectNode result = StrategicMergePatch.apply(orig, p, schema);
    assertEquals(json(expected), result);
    assertEquals(origBefore, orig, "original untouched");
    assertEquals(patchBefore, p, "patch untouched");
    assertSharesNothing(result, orig, p);
  }

  /** Expects an ApiException with the code and message; inputs unchanged. */
  static ApiException assertFails(PatchSchema schema, String original, String patch, int code, String message) {
    ObjectNode orig = (ObjectNode) json(original);
    JsonNode p = json(patch);
    JsonNode origBefore = orig.deepCopy();
    JsonNode patchBefore = p.deepCopy();
    ApiException e = assertThrows(ApiException.class, () -> StrategicMergePatch.apply(orig, p, schema));
    assertEquals(code, e.code(), e.status().message());
    assertEquals(message, e.status().message());
    assertEquals(origBefore, orig, "original untouched after a failure");
    assertEquals(patchBefore, p, "patch untouched after a failure");
    return e;
  }

  /** No object or array node of the result is an object or array node of the inputs. */
  static void assertSharesNothing(JsonNode result, JsonNode... inputs) {
    Set<JsonNode> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (JsonNode input : inputs) {
      collectContainers(input, seen);
    }
    Set<JsonNode> shared = Collections.newSetFromMap(new IdentityHashMap<>());
    collectContainers(result, shared);
    shared.retainAll(seen);
    assertTrue(shared.isEmpty(), "result shares container nodes with an input: " + shared);
  }

  private static void collectContainers(JsonNode n, Set<JsonNode> into) {
    if (n != null && n.isContainerNode()) {
      into.add(n);
      n.forEach(child -> collectContainers(child, into));
    }
  }
}

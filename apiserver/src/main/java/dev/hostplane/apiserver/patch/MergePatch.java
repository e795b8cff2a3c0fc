package dev.hostplane.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.FieldErrors;
import dev.hostplane.apiserver.patch.internal.JsonValues;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * RFC 7386 JSON Merge Patch ({@code application/merge-patch+json}): a {@code null} member deletes, objects merge
 * recursively, anything else (arrays included) replaces. Inputs are never mutated; results share no nodes with
 * them.
 *
 * <p>Like the library upstream uses (evanphx/json-patch v4), a value that is set rather than merged has its
 * {@code null} members removed at every depth, also inside objects within arrays (the RFC keeps nulls inside
 * arrays); when it replaces an existing object, it is set as given.
 */
public final class MergePatch {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private MergePatch() {}

  /** RFC 7386 {@code MergePatch(target, patch)}: a non-object patch is the result (a null patch gives null). */
  public static JsonNode apply(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return pruneNulls(patch);
    }
    ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : NODES.objectNode();
    merge(result, (ObjectNode) patch);
    return result;
  }

  /**
   * Applies a merge patch to an object as upstream's PATCH handler does: a {@code null} or scalar patch is 400
   * BadRequest {@code Invalid JSON Patch}; an array patch would replace the object with an array, which is 422
   * Invalid on field {@code patch}.
   */
  public static ObjectNode applyToObject(ObjectNode target, JsonNode patch) {
    if (patch == null || patch.isNull() || patch.isValueNode()) {
      throw ApiException.badRequest("Invalid JSON Patch");
    }
    JsonNode result = apply(target, patch);
    if (!result.isObject()) {
      throw ApiException.invalid(null, "", "", List.of(FieldErrors.invalid("patch", result.toString(),
          "json: cannot unmarshal array into Go value of type map[string]interface {}")));
    }
    return (ObjectNode) result;
  }

  /**
   * The merge patch that turns {@code original} into {@code modified} (evanphx's {@code CreateMergePatch}): for two
   * objects, the members that were added or changed (changed objects recursively, changed arrays whole) and
   * {@code null} for members removed; otherwise {@code modified} itself. A member set to {@code null} in
   * {@code modified} cannot be expressed and comes out as a deletion.
   */
  public static JsonNode createMergePatch(JsonNode original, JsonNode modified) {
    if (original == null || !original.isObject() || !modified.isObject()) {
      return modified.deepCopy();
    }
    return diff((ObjectNode) original, (ObjectNode) modified);
  }

  private static void merge(ObjectNode doc, ObjectNode patch) {
    Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (value.isNull()) {
        doc.remove(key);
        continue;
      }
      JsonNode current = doc.get(key);
      if (current == null || current.isNull() || !current.isObject()) {
        doc.set(key, pruneNulls(value));
      } else if (value.isObject()) {
        merge((ObjectNode) current, (ObjectNode) value);
      } else {
        doc.set(key, value.deepCopy()); // v4 sets a non-object over an object without pruning
      }
    }
  }

  /** A copy of {@code value} without null object members at any depth; null array elements stay. */
  private static JsonNode pruneNulls(JsonNode value) {
    if (value.isObject()) {
      ObjectNode out = NODES.objectNode();
      value.fields().forEachRemaining(e -> {
        if (!e.getValue().isNull()) {
          out.set(e.getKey(), pruneNulls(e.getValue()));
        }
      });
      return out;
    }
    if (value.isArray()) {
      ArrayNode out = NODES.arrayNode();
      for (JsonNode item : value) {
        out.add(item.isNull() ? item : pruneNulls(item));
      }
      return out;
    }
    return value.deepCopy();
  }

  private static ObjectNode diff(ObjectNode original, ObjectNode modified) {
    ObjectNode patch = NODES.objectNode();
    modified.fields().forEachRemaining(e -> {
      String key = e.getKey();
      JsonNode now = e.getValue();
      JsonNode before = original.get(key);
      if (before == null) {
        patch.set(key, now.deepCopy());
      } else if (before.isObject() && now.isObject()) {
        ObjectNode sub = diff((ObjectNode) before, (ObjectNode) now);
        if (!sub.isEmpty()) {
          patch.set(key, sub);
        }
      } else if (!JsonValues.equal(before, now)) {
        patch.set(key, now.deepCopy());
      }
    });
    original.fieldNames().forEachRemaining(key -> {
      if (!modified.has(key)) {
        patch.putNull(key);
      }
    });
    return patch;
  }
}

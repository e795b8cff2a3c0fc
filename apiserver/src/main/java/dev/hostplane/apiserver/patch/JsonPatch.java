package dev.hostplane.apiserver.patch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.MediaType;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.patch.internal.JsonPointer;
import dev.hostplane.apiserver.patch.internal.JsonValues;
import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 6902 JSON Patch ({@code application/json-patch+json}), immutable once parsed. Applying it never touches
 * the document it is given: operations run on a deep copy, and a failing operation discards the copy, so a patch
 * applies entirely or not at all.
 *
 * <p>Behaviour follows the library upstream uses (evanphx/json-patch v4) where it is more lenient than the RFC,
 * because clients rely on it: {@code replace} of a missing object member adds it; a missing {@code value} means
 * {@code null}; {@code test} of a missing member succeeds against {@code null}; array indexes may be negative,
 * counting from the end; numbers in {@code test} compare by value. Stricter than v4, and as the RFC says: a pointer
 * must start with {@code /}, {@code ~} must be followed by {@code 0} or {@code 1}, and {@code copy} needs its
 * source to exist. Operations on the whole document (path {@code ""}) fail, as they do upstream.
 *
 * <p>Errors, as upstream's PATCH handler reports them: a patch that is not a JSON array of objects is 400
 * BadRequest; more than {@link #MAX_OPERATIONS} operations is 413; any failure while applying (unknown op, missing
 * path, failed test, copies adding more than {@link #MAX_COPY_BYTES}) is 422 Invalid with upstream's generic
 * message {@code the server rejected our request due to an error in our request}, which, like upstream, leaves the
 * specific reason out; {@link #tryApply} returns it for callers that report failures differently (admission
 * webhooks answer 500 with the reason).
 */
public final class JsonPatch {
  /** Upstream's maxJSONPatchOperations. */
  public static final int MAX_OPERATIONS = 10_000;
  /** Upstream's JSONPatchMaxCopyBytes default: the total size copy operations may add. */
  public static final long MAX_COPY_BYTES = 3L * 1024 * 1024;

  /** The outcome of {@link #tryApply}: the patched document, or null and why it failed. */
  public record Result(JsonNode document, String error) {
    public boolean succeeded() {
      return error == null;
    }
  }

  private final List<JsonNode> operations;

  private JsonPatch(List<JsonNode> operations) {
    this.operations = List.copyOf(operations);
  }

  /** Parses a patch body (JSON). Malformed JSON and wrong shapes are 400, too many operations 413. */
  public static JsonPatch parse(byte[] body) {
    return of(Codecs.readTree(body, MediaType.JSON));
  }

  /**
   * A patch from a decoded document: a JSON array whose elements are objects (a {@code null} element is an
   * operation with no members, and {@code null} as a whole is an empty patch, as Go's decoding makes them). The
   * node is copied.
   */
  public static JsonPatch of(JsonNode patch) {
    if (patch == null || patch.isNull()) {
      return new JsonPatch(List.of());
    }
    if (!patch.isArray()) {
      throw ApiException.badRequest("json: cannot unmarshal " + goKind(patch)
          + " into Go value of type jsonpatch.Patch");
    }
    List<JsonNode> ops = new ArrayList<>();
    for (JsonNode op : patch) {
      if (!op.isObject() && !op.isNull()) {
        throw ApiException.badRequest("json: cannot unmarshal " + goKind(op)
            + " into Go value of type jsonpatch.Operation");
      }
      ops.add(op.isNull() ? JsonNodeFactory.instance.objectNode() : op.deepCopy());
    }
    if (ops.size() > MAX_OPERATIONS) {
      throw ApiException.tooLarge("Request entity too large: The allowed maximum operations in a JSON patch is "
          + MAX_OPERATIONS + ", got " + ops.size());
    }
    return new JsonPatch(ops);
  }

  /** The operations, each an object node; do not mutate them. */
  public List<JsonNode> operations() {
    return operations;
  }

  /** Applies the patch to a copy of {@code document}; throws 422 Invalid as upstream does when any operation fails. */
  public JsonNode apply(JsonNode document) {
    Result r = tryApply(document);
    if (!r.succeeded()) {
      throw new ApiException(new Status(422, "Invalid",
          "the server rejected our request due to an error in our request",
          new Status.Details(null, null, null, null, null, null)));
    }
    return r.document();
  }

  /** Like {@link #apply} for object documents; the result of patching an object is always an object here. */
  public ObjectNode applyToObject(ObjectNode document) {
    return (ObjectNode) apply(document);
  }

  /** Applies the patch to a copy of {@code document}; a failure is reported in the result, never thrown. */
  public Result tryApply(JsonNode document) {
    Run run = new Run(document.deepCopy());
    try {
      for (JsonNode op : operations) {
        run.apply(op);
      }
      return new Result(run.root, null);
    } catch (Failure f) {
      return new Result(null, f.getMessage());
    }
  }

  private static String goKind(JsonNode n) {
    return n.isObject() ? "object" : n.isArray() ? "array" : n.isTextual() ? "string" : n.isNumber() ? "number"
        : n.isBoolean() ? "bool" : "null";
  }

  /** Why an operation failed; never leaves this class. */
  private static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message, null, false, false);
    }
  }

  /** One application of the patch to one (copied) document. */
  private static final class Run {
    private final JsonNode root;
    private long copiedBytes;

    Run(JsonNode root) {
      this.root = root;
    }

    void apply(JsonNode op) throws Failure {
      JsonNode kind = op.get("op");
      String name = kind != null && kind.isTextual() ? kind.textValue() : "unknown";
      switch (name) {
        case "add" -> add(pointer(op, "path", name), value(op));
        case "remove" -> remove(pointer(op, "path", name), name);
        case "replace" -> replace(pointer(op, "path", name), value(op));
        case "move" -> move(pointer(op, "from", name), pointer(op, "path", name));
        case "copy" -> copy(pointer(op, "from", name), pointer(op, "path", name));
        case "test" -> test(pointer(op, "path", name), value(op));
        default -> throw new Failure("Unexpected kind: " + name);
      }
    }

    private void add(JsonPointer path, JsonNode value) throws Failure {
      JsonNode parent = container(path, "add");
      String key = path.last();
      if (parent instanceof ObjectNode obj) {
        obj.set(key, value);
        return;
      }
      ArrayNode arr = (ArrayNode) parent;
      if (key.equals("-")) {
        arr.add(value);
        return;
      }
      int size = arr.size() + 1; // v4 counts the slot being added when resolving negative indexes
      int idx = index(key, path);
      if (idx >= size || idx < -size) {
        throw new Failure("Unable to access invalid index: " + idx);
      }
      arr.insert(idx < 0 ? idx + size : idx, value);
    }

    private JsonNode remove(JsonPointer path, String op) throws Failure {
      JsonNode parent = container(path, op);
      String key = path.last();
      if (parent instanceof ObjectNode obj) {
        if (!obj.has(key)) {
          throw new Failure("Unable to remove nonexistent key: " + key + ": missing value");
        }
        return obj.remove(key);
      }
      ArrayNode arr = (ArrayNode) parent;
      return arr.remove(existingIndex(arr, key, path));
    }

    private void replace(JsonPointer path, JsonNode value) throws Failure {
      JsonNode parent = container(path, "replace");
      String key = path.last();
      if (parent instanceof ObjectNode obj) {
        obj.set(key, value);
        return;
      }
      ArrayNode arr = (ArrayNode) parent;
      arr.set(existingIndex(arr, key, path), value);
    }

    private void move(JsonPointer from, JsonPointer path) throws Failure {
      if (from.isProperPrefixOf(path)) {
        throw new Failure("move operation does not apply: cannot move " + from + " into its own child " + path);
      }
      JsonNode value = remove(from, "move");
      add(path, value);
    }

    private void copy(JsonPointer from, JsonPointer path) throws Failure {
      JsonNode value = get(from, "copy");
      if (value == null) {
        throw new Failure("copy operation does not apply: doc is missing from path: " + from);
      }
      copiedBytes += size(value);
      if (copiedBytes > MAX_COPY_BYTES) {
        throw new Failure("Unable to complete the copy, the accumulated size increase of copy is " + copiedBytes
            + ", exceeding the limit " + MAX_COPY_BYTES);
      }
      add(path, value.deepCopy());
    }

    private void test(JsonPointer path, JsonNode expected) throws Failure {
      JsonNode actual = get(path, "test");
      boolean expectNull = expected.isNull();
      boolean ok = actual == null || actual.isNull() ? expectNull : JsonValues.equal(actual, expected);
      if (!ok) {
        throw new Failure("testing value " + path + " failed: test failed");
      }
    }

    /** The value at {@code path}; null for a missing object member (an invalid array index fails). */
    private JsonNode get(JsonPointer path, String op) throws Failure {
      JsonNode parent = container(path, op);
      String key = path.last();
      if (parent instanceof ObjectNode obj) {
        return obj.get(key);
      }
      ArrayNode arr = (ArrayNode) parent;
      return arr.get(existingIndex(arr, key, path));
    }

    /** The object or array holding the value {@code path} names. */
    private JsonNode container(JsonPointer path, String op) throws Failure {
      if (path.isRoot()) {
        throw new Failure(op + " operation does not apply: doc is missing path: \"\"");
      }
      JsonNode node = root;
      for (String token : path.parent().tokens()) {
        JsonNode next;
        if (node instanceof ObjectNode obj) {
          next = obj.get(token);
        } else if (node instanceof ArrayNode arr) {
          next = arr.get(existingIndex(arr, token, path));
        } else {
          next = null;
        }
        if (next == null) {
          throw new Failure(op + " operation does not apply: doc is missing path: " + path + ": missing value");
        }
        node = next;
      }
      if (!node.isContainerNode()) {
        throw new Failure(op + " operation does not apply: doc is missing path: " + path + ": missing value");
      }
      return node;
    }

    private static int existingIndex(ArrayNode arr, String token, JsonPointer path) throws Failure {
      int idx = index(token, path);
      if (idx >= arr.size() || idx < -arr.size()) {
        throw new Failure("Unable to access invalid index: " + idx + ": invalid index referenced");
      }
      return idx < 0 ? idx + arr.size() : idx;
    }

    private static int index(String token, JsonPointer path) throws Failure {
      try {
        return Integer.parseInt(token);
      } catch (NumberFormatException e) {
        throw new Failure("value was not a proper array index: '" + token + "' in " + path);
      }
    }

    private static JsonPointer pointer(JsonNode op, String member, String name) throws Failure {
      JsonNode p = op.get(member);
      if (p == null || p.isNull()) {
        throw new Failure(name + " operation missing " + member + " field");
      }
      if (!p.isTextual()) {
        throw new Failure(name + " operation " + member + " must be a string");
      }
      try {
        return JsonPointer.parse(p.textValue());
      } catch (IllegalArgumentException e) {
        throw new Failure(e.getMessage());
      }
    }

    // A missing value counts as null, as in evanphx/json-patch v4. Values are copied: the patch stays reusable.
    private static JsonNode value(JsonNode op) {
      JsonNode v = op.get("value");
      return v == null ? JsonNodeFactory.instance.nullNode() : v.deepCopy();
    }

    private static long size(JsonNode value) {
      try {
        return Codecs.mapper().writeValueAsBytes(value).length;
      } catch (JsonProcessingException e) {
        return Long.MAX_VALUE; // cannot happen for a tree; counting it as huge fails the copy safely
      }
    }
  }
}

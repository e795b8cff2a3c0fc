package dev.hostplane.apiserver.registry.types;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;
import java.util.stream.Collectors;

/** Test helpers: objects from single-quoted JSON, and readable cause assertions. */
final class Trees {
  private Trees() {}

  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(JsonParser.Feature.ALLOW_SINGLE_QUOTES, true)
      .configure(JsonParser.Feature.ALLOW_UNQUOTED_FIELD_NAMES, true);

  /** Parses JSON written with single quotes (and bare field names) for readability. */
  static ObjectNode obj(String json) {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("bad test JSON: " + json, e);
    }
  }

  /** What the store does for a create: defaults, prepare, then type validation. */
  static List<Status.Cause> create(Strategy s, ObjectNode obj) {
    s.applyDefaults(obj);
    s.prepareForCreate(obj);
    return s.validate(obj);
  }

  /** What the store does for an update of a stored object. */
  static List<Status.Cause> update(Strategy s, ObjectNode obj, ObjectNode old) {
    s.applyDefaults(obj);
    s.prepareForUpdate(obj, old);
    return s.validateUpdate(obj, old);
  }

  /** Creates {@code obj} and fails unless it is valid; returns it (defaulted and prepared). */
  static ObjectNode created(Strategy s, String json) {
    ObjectNode o = obj(json);
    List<Status.Cause> causes = create(s, o);
    if (!causes.isEmpty()) {
      fail("expected a valid object, got " + render(causes) + "\n" + o.toPrettyString());
    }
    return o;
  }

  /** A copy of {@code base} with a JSON merge patch (RFC 7386) applied: objects merge, null removes. */
  static ObjectNode merged(ObjectNode base, String patch) {
    ObjectNode out = base.deepCopy();
    merge(out, obj(patch));
    return out;
  }

  private static void merge(ObjectNode target, ObjectNode patch) {
    patch.fields().forEachRemaining(e -> {
      if (e.getValue().isNull()) {
        target.remove(e.getKey());
      } else if (e.getValue().isObject() && target.get(e.getKey()) instanceof ObjectNode t) {
        merge(t, (ObjectNode) e.getValue());
      } else {
        target.set(e.getKey(), e.getValue().deepCopy());
      }
    });
  }

  /** "field: message" lines, as the 422 message joins them. */
  static String render(List<Status.Cause> causes) {
    return causes.stream().map(c -> c.field() + ": " + c.message() + " (" + c.reason() + ")")
        .collect(Collectors.joining("\n"));
  }

  /** Asserts one cause has this reason and field and a message containing {@code text}. */
  static void assertCause(List<Status.Cause> causes, String reason, String field, String text) {
    boolean found = causes.stream().anyMatch(c -> c.reason().equals(reason) && c.field().equals(field)
        && c.message().contains(text));
    assertTrue(found, "no " + reason + " at " + field + " containing <" + text + "> among:\n" + render(causes));
  }
}

package dev.hostplane.apiserver.apply.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.apply.FieldSet;
import dev.hostplane.apiserver.patch.PatchSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The bridge between client-side and server-side apply that upstream builds in for the manager {@code kubectl}:
 * conflicts on fields recorded in {@code kubectl.kubernetes.io/last-applied-configuration} with the values the
 * object still has are forgiven (the applier takes them over), and the annotation is kept in step with what is
 * applied. Not API.
 */
public final class LastApplied {
  public static final String ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";
  /** Upstream's total annotation size limit. */
  private static final int MAX_ANNOTATIONS_BYTES = 256 * 1024;

  private LastApplied() {}

  /**
   * The fields of the live object's last-applied annotation whose values the live object still has; null when
   * there is no usable annotation (absent, not JSON, another apiVersion, not identifiable).
   */
  public static FieldSet allowedConflicts(JsonNode live, String apiVersion, PatchSchema root, Updater updater) {
    JsonNode text = live == null ? null : live.path("metadata").path("annotations").get(ANNOTATION);
    if (text == null || !text.isTextual() || text.textValue().isEmpty()) {
      return null;
    }
    JsonNode lastApplied;
    try {
      lastApplied = Codecs.mapper().readTree(text.textValue());
    } catch (JsonProcessingException | RuntimeException e) {
      return null;
    }
    if (lastApplied == null || !lastApplied.isObject()
        || !apiVersion.equals(lastApplied.path("apiVersion").asText(""))) {
      return null;
    }
    try {
      FieldSet fields = updater.fieldSets().of(lastApplied, root, true);
      Comparison cmp = updater.comparer().compare(lastApplied, live, root);
      return fields.difference(cmp.modified()).difference(cmp.added()).difference(cmp.removed());
    } catch (InvalidObjectException e) {
      return null;
    }
  }

  /** Whether {@code obj} carries a non-empty last-applied annotation. */
  public static boolean has(JsonNode obj) {
    JsonNode v = obj == null ? null : obj.path("metadata").path("annotations").get(ANNOTATION);
    return v != null && v.isTextual() && !v.textValue().isEmpty();
  }

  /**
   * Sets the annotation on {@code result} (mutating it) to {@code config} without the annotation, as compact JSON
   * with sorted keys (how upstream encodes it). When the annotations would outgrow their size limit the annotation
   * is removed instead.
   */
  public static void record(ObjectNode result, ObjectNode config) {
    ObjectNode copy = config.deepCopy();
    JsonNode annotations = copy.path("metadata").get("annotations");
    if (annotations instanceof ObjectNode a) {
      a.remove(ANNOTATION);
    }
    String value;
    try {
      value = Codecs.mapper().writeValueAsString(sorted(copy));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    ObjectNode meta = result.get("metadata") instanceof ObjectNode m ? m : result.putObject("metadata");
    ObjectNode target = meta.get("annotations") instanceof ObjectNode a ? a : meta.putObject("annotations");
    target.put(ANNOTATION, value);
    if (size(target) > MAX_ANNOTATIONS_BYTES) {
      target.remove(ANNOTATION);
    }
  }

  private static long size(ObjectNode annotations) {
    long total = 0;
    Iterator<Map.Entry<String, JsonNode>> it = annotations.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      total += e.getKey().getBytes(StandardCharsets.UTF_8).length;
      total += e.getValue().asText("").getBytes(StandardCharsets.UTF_8).length;
    }
    return total;
  }

  /** A copy with object keys sorted at every level, as Go's JSON encoding of maps writes them. */
  static JsonNode sorted(JsonNode v) {
    if (v.isObject()) {
      List<String> keys = new ArrayList<>();
      v.fieldNames().forEachRemaining(keys::add);
      keys.sort(null);
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (String k : keys) {
        out.set(k, sorted(v.get(k)));
      }
      return out;
    }
    if (v.isArray()) {
      var out = JsonNodeFactory.instance.arrayNode();
      v.forEach(x -> out.add(sorted(x)));
      return out;
    }
    return v;
  }
}

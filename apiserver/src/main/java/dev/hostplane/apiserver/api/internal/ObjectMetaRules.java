package dev.hostplane.apiserver.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.FieldErrors;
import dev.hostplane.apiserver.api.NameRule;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The body of {@link Validation#validateObjectMeta} and its parts, over a Jackson tree. Mirrors upstream's
 * {@code ValidateObjectMetaAccessor} and the helpers it calls, in the same order and with the same messages.
 * Where upstream's typed decoding would have rejected a wrongly typed field, a cause says what type was expected.
 * Not API.
 */
public final class ObjectMetaRules {
  static final String FINALIZER_ORPHAN = "orphan";
  static final String FINALIZER_FOREGROUND = "foregroundDeletion";
  static final int FIELD_MANAGER_MAX_LENGTH = 128;
  static final int SUBRESOURCE_MAX_LENGTH = 256;

  private ObjectMetaRules() {}

  public static List<Status.Cause> validate(ObjectNode meta, boolean namespaced, NameRule rule, String path) {
    List<Status.Cause> errs = new ArrayList<>();
    String generateName = string(meta, "generateName", path, errs);
    String name = string(meta, "name", path, errs);
    String namespace = string(meta, "namespace", path, errs);
    if (!generateName.isEmpty()) {
      for (String msg : rule.validate(generateName, true)) {
        errs.add(FieldErrors.invalid(path + ".generateName", generateName, msg));
      }
    }
    if (name.isEmpty()) {
      errs.add(FieldErrors.required(path + ".name", "name or generateName is required"));
    } else {
      for (String msg : rule.validate(name, false)) {
        errs.add(FieldErrors.invalid(path + ".name", name, msg));
      }
    }
    if (namespaced) {
      if (namespace.isEmpty()) {
        errs.add(FieldErrors.required(path + ".namespace", ""));
      } else {
        for (String msg : NameRule.DNS_LABEL.validate(namespace, false)) {
          errs.add(FieldErrors.invalid(path + ".namespace", namespace, msg));
        }
      }
    } else if (!namespace.isEmpty()) {
      errs.add(FieldErrors.forbidden(path + ".namespace", "not allowed on this type"));
    }
    JsonNode generation = meta.path("generation");
    if (!generation.isMissingNode() && !generation.isNull()) {
      if (!generation.isIntegralNumber()) {
        errs.add(FieldErrors.invalid(path + ".generation", generation, "must be an integer"));
      } else if (generation.bigIntegerValue().signum() < 0) {
        errs.add(FieldErrors.invalid(path + ".generation", generation, "must be greater than or equal to 0"));
      }
    }
    errs.addAll(labels(meta.get("labels"), path + ".labels"));
    errs.addAll(annotations(meta.get("annotations"), path + ".annotations"));
    errs.addAll(OwnerReferenceRules.validate(meta.get("ownerReferences"), path + ".ownerReferences"));
    errs.addAll(finalizers(meta.get("finalizers"), path + ".finalizers"));
    errs.addAll(managedFields(meta.get("managedFields"), path + ".managedFields"));
    return errs;
  }

  public static List<Status.Cause> labels(JsonNode labels, String path) {
    List<Status.Cause> errs = new ArrayList<>();
    for (Map.Entry<String, String> e : stringMap(labels, path, errs)) {
      for (String msg : Validation.isQualifiedName(e.getKey())) {
        errs.add(FieldErrors.invalid(path, e.getKey(), msg));
      }
      for (String msg : Validation.isValidLabelValue(e.getValue())) {
        errs.add(FieldErrors.invalid(path, e.getValue(), msg));
      }
    }
    return errs;
  }

  public static List<Status.Cause> annotations(JsonNode annotations, String path) {
    List<Status.Cause> errs = new ArrayList<>();
    long total = 0;
    for (Map.Entry<String, String> e : stringMap(annotations, path, errs)) {
      // Like upstream: the key rule is a qualified name, but case does not matter.
      for (String msg : Validation.isQualifiedName(e.getKey().toLowerCase(Locale.ROOT))) {
        errs.add(FieldErrors.invalid(path, e.getKey(), msg));
      }
      total += Validation.utf8Length(e.getKey()) + (long) Validation.utf8Length(e.getValue());
    }
    if (total > Validation.TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) {
      errs.add(FieldErrors.tooLong(path, Validation.TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
    }
    return errs;
  }

  static List<Status.Cause> finalizers(JsonNode finalizers, String path) {
    List<Status.Cause> errs = new ArrayList<>();
    List<String> names = stringList(finalizers, path, errs);
    for (String f : names) {
      for (String msg : Validation.isQualifiedName(f)) {
        errs.add(FieldErrors.invalid(path, f, msg));
      }
    }
    if (names.contains(FINALIZER_ORPHAN) && names.contains(FINALIZER_FOREGROUND)) {
      errs.add(new Status.Cause(FieldErrors.INVALID, "Invalid value: " + goStringSlice(names) + ": finalizer "
          + FINALIZER_ORPHAN + " and " + FINALIZER_FOREGROUND + " cannot be both set", path));
    }
    return errs;
  }

  static List<Status.Cause> managedFields(JsonNode entries, String path) {
    List<Status.Cause> errs = new ArrayList<>();
    if (entries == null || entries.isNull()) {
      return errs;
    }
    if (!entries.isArray()) {
      errs.add(FieldErrors.invalid(path, entries, "must be an array"));
      return errs;
    }
    for (int i = 0; i < entries.size(); i++) {
      JsonNode entry = entries.get(i);
      String at = path + "[" + i + "]";
      String operation = entry.path("operation").asText("");
      if (!operation.equals("Apply") && !operation.equals("Update")) {
        errs.add(FieldErrors.invalid(at + ".operation", operation, "must be `Apply` or `Update`"));
      }
      String fieldsType = entry.path("fieldsType").asText("");
      if (!fieldsType.isEmpty() && !fieldsType.equals("FieldsV1")) {
        errs.add(FieldErrors.invalid(at + ".fieldsType", fieldsType, "must be `FieldsV1`"));
      }
      errs.addAll(fieldManager(entry.path("manager").asText(""), at + ".manager"));
      if (Validation.utf8Length(entry.path("subresource").asText("")) > SUBRESOURCE_MAX_LENGTH) {
        errs.add(FieldErrors.tooLong(at + ".subresource", SUBRESOURCE_MAX_LENGTH));
      }
    }
    return errs;
  }

  /** Upstream's {@code ValidateFieldManager}: at most 128 bytes, printable characters only. */
  public static List<Status.Cause> fieldManager(String manager, String path) {
    List<Status.Cause> errs = new ArrayList<>();
    if (Validation.utf8Length(manager) > FIELD_MANAGER_MAX_LENGTH) {
      errs.add(FieldErrors.tooLong(path, FIELD_MANAGER_MAX_LENGTH));
    }
    int bytePos = 0;
    for (int i = 0; i < manager.length(); ) {
      int cp = manager.codePointAt(i);
      if (!GoFormat.isPrint(cp)) {
        errs.add(FieldErrors.invalid(path, manager,
            String.format("invalid character U+%04X (at position %d)", cp, bytePos)));
      }
      bytePos += Validation.utf8Length(new String(Character.toChars(cp)));
      i += Character.charCount(cp);
    }
    return errs;
  }

  /** A string field of {@code meta}: "" when absent or null; a cause (and "") when it is not a string. */
  static String string(ObjectNode meta, String field, String path, List<Status.Cause> errs) {
    JsonNode node = meta.get(field);
    if (node == null || node.isNull()) {
      return "";
    }
    if (!node.isTextual()) {
      errs.add(FieldErrors.invalid(path + "." + field, node, "must be a string"));
      return "";
    }
    return node.textValue();
  }

  /** The entries of a string-to-string map; causes for a non-object or non-string values. */
  static List<Map.Entry<String, String>> stringMap(JsonNode node, String path, List<Status.Cause> errs) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (node == null || node.isNull() || node.isMissingNode()) {
      return out;
    }
    if (!node.isObject()) {
      errs.add(FieldErrors.invalid(path, node, "must be a map of string keys to string values"));
      return out;
    }
    node.fields().forEachRemaining(e -> {
      JsonNode v = e.getValue();
      if (v.isTextual()) {
        out.add(Map.entry(e.getKey(), v.textValue()));
      } else if (v.isNull()) {
        out.add(Map.entry(e.getKey(), ""));
      } else {
        errs.add(FieldErrors.invalid(path + "[" + e.getKey() + "]", v, "must be a string"));
      }
    });
    return out;
  }

  static List<String> stringList(JsonNode node, String path, List<Status.Cause> errs) {
    List<String> out = new ArrayList<>();
    if (node == null || node.isNull() || node.isMissingNode()) {
      return out;
    }
    if (!node.isArray()) {
      errs.add(FieldErrors.invalid(path, node, "must be an array of strings"));
      return out;
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode v = node.get(i);
      if (v.isTextual()) {
        out.add(v.textValue());
      } else {
        errs.add(FieldErrors.invalid(path + "[" + i + "]", v, "must be a string"));
      }
    }
    return out;
  }

  /** Go's {@code %#v} of a {@code []string}: {@code []string{"a", "b"}}. */
  static String goStringSlice(List<String> values) {
    StringBuilder sb = new StringBuilder("[]string{");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(GoFormat.quote(values.get(i)));
    }
    return sb.append('}').toString();
  }
}

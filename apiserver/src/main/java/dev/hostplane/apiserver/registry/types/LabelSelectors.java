package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Validation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code metav1.LabelSelector} rules: validation, matching against a label set, and printing as upstream's field
 * errors do. Also the label and annotation checks for metadata nested in specs (pod templates), which the generic
 * store's metadata validation does not reach.
 */
final class LabelSelectors {
  private LabelSelectors() {}

  static final int TOTAL_ANNOTATION_SIZE = 256 * 1024;

  /** Validates matchLabels and matchExpressions of the selector at {@code path} (absent: nothing to check). */
  static void validate(JsonNode selector, String path, CauseList errs) {
    if (selector == null) {
      return;
    }
    validateLabels(Nodes.stringMap(selector, "matchLabels"), path + ".matchLabels", errs);
    List<ObjectNode> exprs = Nodes.objects(selector, "matchExpressions");
    for (int i = 0; i < exprs.size(); i++) {
      ObjectNode e = exprs.get(i);
      String p = path + ".matchExpressions[" + i + "]";
      String op = Nodes.text(e, "operator");
      List<String> values = Nodes.strings(e, "values");
      switch (op) {
        case "In", "NotIn" -> {
          if (values.isEmpty()) {
            errs.required(p + ".values", "must be specified when `operator` is 'In' or 'NotIn'");
          }
        }
        case "Exists", "DoesNotExist" -> {
          if (!values.isEmpty()) {
            errs.forbidden(p + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
          }
        }
        default -> errs.invalid(p + ".operator", op, "not a valid selector operator");
      }
      String key = Nodes.text(e, "key");
      errs.invalidEach(p + ".key", key, Validation.isQualifiedName(key));
      for (int v = 0; v < values.size(); v++) {
        errs.invalidEach(p + ".values[" + v + "]", values.get(v), Validation.isValidLabelValue(values.get(v)));
      }
    }
  }

  /** True when the selector has neither matchLabels nor matchExpressions. */
  static boolean isEmpty(JsonNode selector) {
    return Nodes.isEmpty(selector, "matchLabels") && Nodes.isEmpty(selector, "matchExpressions");
  }

  /**
   * Upstream's LabelSelectorAsSelector(...).Matches(labels): a null selector matches nothing, an empty one
   * everything.
   */
  static boolean matches(JsonNode selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    for (Map.Entry<String, String> e : Nodes.stringMap(selector, "matchLabels").entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    for (ObjectNode e : Nodes.objects(selector, "matchExpressions")) {
      String key = Nodes.text(e, "key");
      List<String> values = Nodes.strings(e, "values");
      boolean has = labels.containsKey(key);
      boolean ok = switch (Nodes.text(e, "operator")) {
        case "In" -> has && values.contains(labels.get(key));
        case "NotIn" -> !has || !values.contains(labels.get(key));
        case "Exists" -> has;
        case "DoesNotExist" -> !has;
        default -> false;
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Go's {@code %#v} of a {@code metav1.LabelSelector}, as upstream prints a bad selector. */
  static CauseList.Raw format(JsonNode selector) {
    StringBuilder b = new StringBuilder("v1.LabelSelector{MatchLabels:");
    Map<String, String> ml = Nodes.stringMap(selector, "matchLabels");
    b.append(CauseList.goStringMap(ml)).append(", MatchExpressions:");
    List<ObjectNode> exprs = Nodes.objects(selector, "matchExpressions");
    if (exprs.isEmpty()) {
      b.append("[]v1.LabelSelectorRequirement(nil)");
    } else {
      b.append("[]v1.LabelSelectorRequirement{");
      for (int i = 0; i < exprs.size(); i++) {
        ObjectNode e = exprs.get(i);
        b.append(i == 0 ? "" : ", ").append("v1.LabelSelectorRequirement{Key:")
            .append(CauseList.quote(Nodes.text(e, "key"))).append(", Operator:")
            .append(CauseList.quote(Nodes.text(e, "operator"))).append(", Values:")
            .append(CauseList.goStrings(Nodes.strings(e, "values"))).append('}');
      }
      b.append('}');
    }
    return new CauseList.Raw(b.append('}').toString());
  }

  /** Upstream ValidateLabels: every key a qualified name, every value a label value, errors at {@code path}. */
  static void validateLabels(Map<String, String> labels, String path, CauseList errs) {
    for (Map.Entry<String, String> e : labels.entrySet()) {
      errs.invalidEach(path, e.getKey(), Validation.isQualifiedName(e.getKey()));
      errs.invalidEach(path, e.getValue(), Validation.isValidLabelValue(e.getValue()));
    }
  }

  /** Upstream ValidateAnnotations: keys are qualified names (case-insensitively), total size at most 256 KiB. */
  static void validateAnnotations(Map<String, String> annotations, String path, CauseList errs) {
    long size = 0;
    for (Map.Entry<String, String> e : annotations.entrySet()) {
      errs.invalidEach(path, e.getKey(), Validation.isQualifiedName(e.getKey().toLowerCase(Locale.ROOT)));
      size += e.getKey().getBytes(StandardCharsets.UTF_8).length
          + e.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    if (size > TOTAL_ANNOTATION_SIZE) {
      errs.tooLong(path, TOTAL_ANNOTATION_SIZE);
    }
  }
}

package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Rules every pod controller shares: a label selector that must select the pods of its template, a template whose
 * pods restart Always (for long-running controllers), an immutable selector, and status reset on create.
 * Paths assume the controller's spec sits at {@code spec}.
 */
final class Workloads {
  private Workloads() {}

  static final String SELECTOR_MISMATCH = "`selector` does not match template `labels`";

  /**
   * spec.selector: Required when absent, each part valid, and Invalid "empty selector is invalid for
   * {@code kindWord}" when it selects everything.
   */
  static void validateSelector(ObjectNode spec, String kindWord, CauseList errs) {
    JsonNode selector = Nodes.obj(spec, "selector");
    if (selector == null) {
      errs.required("spec.selector");
      return;
    }
    LabelSelectors.validate(selector, "spec.selector", errs);
    if (LabelSelectors.isEmpty(selector)) {
      errs.invalid("spec.selector", LabelSelectors.format(selector), "empty selector is invalid for " + kindWord);
    }
  }

  /**
   * The template at {@code templatePath} must exist and, when the selector is not empty, carry labels it matches.
   * Returns the template (null when absent).
   */
  static ObjectNode checkTemplateMatches(JsonNode selector, ObjectNode template, String templatePath,
      CauseList errs) {
    if (template == null) {
      errs.required(templatePath);
      return null;
    }
    Map<String, String> labels = PodTemplates.labels(template);
    if (selector != null && !LabelSelectors.isEmpty(selector) && !LabelSelectors.matches(selector, labels)) {
      errs.invalid(templatePath + ".metadata.labels", labels, SELECTOR_MISMATCH);
    }
    return template;
  }

  /**
   * For controllers whose pods run forever: restartPolicy must be Always and activeDeadlineSeconds unset
   * ("activeDeadlineSeconds in {@code kind} is not Supported").
   */
  static void requireAlwaysRestart(ObjectNode template, String templatePath, String kind, CauseList errs) {
    ObjectNode podSpec = PodTemplates.spec(template);
    String restart = Nodes.text(podSpec, "restartPolicy");
    if (!"Always".equals(restart)) {
      errs.notSupported(templatePath + ".spec.restartPolicy", restart, "Always");
    }
    if (Nodes.has(podSpec, "activeDeadlineSeconds")) {
      errs.forbidden(templatePath + ".spec.activeDeadlineSeconds", "activeDeadlineSeconds in " + kind
          + " is not Supported");
    }
  }

  /** apps/v1: spec.selector may not change ("field is immutable"). */
  static void selectorImmutable(ObjectNode obj, ObjectNode old, CauseList errs) {
    JsonNode selector = Nodes.at(obj, "spec", "selector");
    if (!Nodes.same(selector, Nodes.at(old, "spec", "selector"))) {
      errs.immutable("spec.selector", LabelSelectors.format(selector));
    }
  }

  /** spec.replicas and spec.minReadySeconds must not be negative. */
  static void validateCounts(ObjectNode spec, CauseList errs) {
    FieldChecks.nonNegative(errs, "spec.replicas", spec, "replicas");
    FieldChecks.nonNegative(errs, "spec.minReadySeconds", spec, "minReadySeconds");
  }

  /** Replaces {@code status} with the given fresh value (upstream resets status on create). */
  static void resetStatus(ObjectNode obj, ObjectNode fresh) {
    obj.set("status", fresh);
  }

  /** A status object with the given int fields at 0 (fields upstream serializes even when zero). */
  static ObjectNode zeroStatus(String... fields) {
    ObjectNode s = Nodes.F.objectNode();
    for (String f : fields) {
      s.put(f, 0);
    }
    return s;
  }
}

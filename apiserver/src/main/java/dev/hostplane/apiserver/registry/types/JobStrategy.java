package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * batch/v1 Job: defaults, the generated selector ({@code batch.kubernetes.io/controller-uid=<uid>}) unless
 * manualSelector, pods that restart OnFailure or Never, and upstream's immutable fields.
 */
final class JobStrategy implements Strategy {
  static final String CONTROLLER_UID = "batch.kubernetes.io/controller-uid";
  static final String JOB_NAME = "batch.kubernetes.io/job-name";
  static final String LEGACY_CONTROLLER_UID = "controller-uid";
  static final String LEGACY_JOB_NAME = "job-name";

  @Override
  public void applyDefaults(ObjectNode obj) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    applySpecDefaults(spec);
    Map<String, String> templateLabels = PodTemplates.labels(Nodes.obj(spec, "template"));
    if (!templateLabels.isEmpty() && ObjectMeta.labels(obj).isEmpty()) {
      ObjectMeta.meta(obj).set("labels", Nodes.textObject(templateLabels));
    }
  }

  /** SetDefaults_Job on the spec alone, plus pod template defaults. */
  static void applySpecDefaults(ObjectNode spec) {
    if (!Nodes.has(spec, "completions") && !Nodes.has(spec, "parallelism")) {
      spec.put("completions", 1);
    }
    Nodes.defaultNum(spec, "parallelism", 1);
    Nodes.defaultNum(spec, "backoffLimit", Nodes.has(spec, "backoffLimitPerIndex") ? Integer.MAX_VALUE : 6);
    Nodes.defaultText(spec, "completionMode", "NonIndexed");
    Nodes.defaultBool(spec, "suspend", false);
    ObjectNode failurePolicy = Nodes.obj(spec, "podFailurePolicy");
    Nodes.defaultText(spec, "podReplacementPolicy", failurePolicy != null ? "Failed" : "TerminatingOrFailed");
    if (failurePolicy != null) {
      for (ObjectNode rule : Nodes.objects(failurePolicy, "rules")) {
        for (ObjectNode cond : Nodes.objects(rule, "onPodConditions")) {
          Nodes.defaultText(cond, "status", "True");
        }
      }
    }
    PodTemplates.applyDefaults(Nodes.ensureObj(spec, "template"));
  }

  /**
   * Resets status and, unless spec.manualSelector is true, generates the selector and template labels from
   * metadata.uid (set by the store before this runs) and metadata.name.
   */
  @Override
  public void prepareForCreate(ObjectNode obj) {
    obj.putObject("status");
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    String uid = ObjectMeta.uid(obj);
    if (Nodes.isTrue(spec, "manualSelector") || uid == null || uid.isEmpty()) {
      return;
    }
    String name = ObjectMeta.name(obj) == null ? "" : ObjectMeta.name(obj);
    ObjectNode labels = Nodes.ensureObj(Nodes.ensureObj(Nodes.ensureObj(spec, "template"), "metadata"), "labels");
    for (String key : List.of(LEGACY_JOB_NAME, JOB_NAME)) {
      if (!labels.has(key)) {
        labels.put(key, name);
      }
    }
    for (String key : List.of(LEGACY_CONTROLLER_UID, CONTROLLER_UID)) {
      if (!labels.has(key)) {
        labels.put(key, uid);
      }
    }
    ObjectNode matchLabels = Nodes.ensureObj(Nodes.ensureObj(spec, "selector"), "matchLabels");
    if (!matchLabels.has(CONTROLLER_UID)) {
      matchLabels.put(CONTROLLER_UID, uid);
    }
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    if (!Nodes.isTrue(spec, "manualSelector")) {
      validateGeneratedSelector(obj, errs);
    }
    JsonNode selector = Nodes.obj(spec, "selector");
    if (selector == null) {
      errs.required("spec.selector");
    } else {
      LabelSelectors.validate(selector, "spec.selector", errs);
      Map<String, String> labels = PodTemplates.labels(Nodes.obj(spec, "template"));
      if (!LabelSelectors.matches(selector, labels)) {
        errs.invalid("spec.template.metadata.labels", labels, Workloads.SELECTOR_MISMATCH);
      }
    }
    validateJobSpec(spec, "spec", errs);
    return errs.list();
  }

  private static void validateGeneratedSelector(ObjectNode obj, CauseList errs) {
    String uid = ObjectMeta.uid(obj);
    if (uid == null || uid.isEmpty()) {
      errs.required("metadata.uid");
      return;
    }
    ObjectNode spec = Nodes.obj(obj, "spec");
    Map<String, String> labels = PodTemplates.labels(Nodes.obj(spec, "template"));
    String name = ObjectMeta.name(obj) == null ? "" : ObjectMeta.name(obj);
    String[][] expected = {{LEGACY_CONTROLLER_UID, uid}, {CONTROLLER_UID, uid}, {LEGACY_JOB_NAME, name},
        {JOB_NAME, name}};
    for (String[] e : expected) {
      String path = "spec.template.metadata.labels[" + e[0] + "]";
      if (!labels.containsKey(e[0])) {
        errs.required(path, "must be '" + e[1] + "'");
      } else if (!labels.get(e[0]).equals(e[1])) {
        errs.invalid(path, labels, "must be '" + e[1] + "'");
      }
    }
    JsonNode selector = Nodes.obj(spec, "selector");
    if (selector != null && !LabelSelectors.matches(selector, Map.of(CONTROLLER_UID, uid))) {
      errs.invalid("spec.selector", LabelSelectors.format(selector), "`selector` not auto-generated");
    }
  }

  /** Upstream validateJobSpec: the rules shared by Jobs and CronJob job templates ({@code path} = the spec). */
  static void validateJobSpec(ObjectNode spec, String path, CauseList errs) {
    for (String f : List.of("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
        "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes")) {
      FieldChecks.nonNegative(errs, path + "." + f, spec, f);
    }
    String mode = Nodes.str(spec, "completionMode");
    if (mode != null) {
      FieldChecks.oneOf(errs, path + ".completionMode", spec, "completionMode", "NonIndexed", "Indexed");
      if (mode.equals("Indexed")) {
        if (!Nodes.has(spec, "completions")) {
          errs.required(path + ".completions", "when completion mode is Indexed");
        }
        Long parallelism = Nodes.num(spec, "parallelism");
        if (parallelism != null && parallelism > 100000) {
          errs.invalid(path + ".parallelism", parallelism,
              "must be less than or equal to 100000 when completion mode is Indexed");
        }
      }
    }
    if (Nodes.has(spec, "backoffLimitPerIndex") && !"Indexed".equals(mode)) {
      errs.invalid(path + ".backoffLimitPerIndex", Nodes.num(spec, "backoffLimitPerIndex"),
          "requires indexed completion mode");
    }
    FieldChecks.oneOf(errs, path + ".podReplacementPolicy", spec, "podReplacementPolicy", "TerminatingOrFailed",
        "Failed");
    ObjectNode template = Nodes.obj(spec, "template");
    if (template == null) {
      errs.required(path + ".template");
      return;
    }
    PodTemplates.validate(template, path + ".template", errs);
    String restart = Nodes.text(PodTemplates.spec(template), "restartPolicy");
    if (!restart.equals("OnFailure") && !restart.equals("Never")) {
      errs.notSupported(path + ".template.spec.restartPolicy", restart, "OnFailure", "Never");
    }
    if (Nodes.has(spec, "podFailurePolicy") && !restart.equals("Never")) {
      errs.invalid(path + ".template.spec.restartPolicy", restart,
          "only \"Never\" is supported when podFailurePolicy is specified");
    }
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    ObjectNode spec = Nodes.obj(obj, "spec");
    ObjectNode oldSpec = Nodes.obj(old, "spec");
    boolean indexed = "Indexed".equals(Nodes.text(spec, "completionMode"));
    JsonNode completions = Nodes.get(spec, "completions");
    if (!indexed) {
      FieldChecks.immutable(errs, "spec.completions", completions, Nodes.get(oldSpec, "completions"));
    } else if (!Nodes.same(completions, Nodes.get(oldSpec, "completions"))
        && (completions == null || !Nodes.same(completions, Nodes.get(spec, "parallelism")))) {
      errs.invalid("spec.completions", completions, "can only be modified in tandem with spec.parallelism");
    }
    JsonNode selector = Nodes.get(spec, "selector");
    if (!Nodes.same(selector, Nodes.get(oldSpec, "selector"))) {
      errs.immutable("spec.selector", LabelSelectors.format(selector));
    }
    validateTemplateUpdate(spec, oldSpec, old, errs);
    for (String f : List.of("completionMode", "podFailurePolicy", "backoffLimitPerIndex")) {
      FieldChecks.immutable(errs, "spec." + f, Nodes.get(spec, f), Nodes.get(oldSpec, f));
    }
    return errs.list();
  }

  /**
   * The template is immutable, except that a suspended Job that never started may change its scheduling
   * directives (node affinity, node selector, tolerations, scheduling gates) and template labels and annotations.
   */
  private static void validateTemplateUpdate(ObjectNode spec, ObjectNode oldSpec, ObjectNode old,
      CauseList errs) {
    ObjectNode template = Nodes.obj(spec, "template");
    ObjectNode oldTemplate = Nodes.obj(oldSpec, "template");
    if (template == null || oldTemplate == null) {
      return;
    }
    boolean mutable = Nodes.isTrue(oldSpec, "suspend") && !Nodes.has(Nodes.obj(old, "status"), "startTime");
    ObjectNode a = template.deepCopy();
    ObjectNode b = oldTemplate.deepCopy();
    if (mutable) {
      for (ObjectNode t : List.of(a, b)) {
        ObjectNode meta = Nodes.ensureObj(t, "metadata");
        meta.remove(List.of("labels", "annotations"));
        ObjectNode podSpec = Nodes.ensureObj(t, "spec");
        podSpec.remove(List.of("nodeSelector", "tolerations", "schedulingGates"));
        ObjectNode affinity = Nodes.obj(podSpec, "affinity");
        if (affinity != null) {
          affinity.remove("nodeAffinity");
          if (affinity.isEmpty()) {
            podSpec.remove("affinity");
          }
        }
      }
    }
    if (!Nodes.same(a, b)) {
      errs.immutable("spec.template", template);
    }
  }

  @Override
  public boolean tracksGeneration() {
    return true;
  }

  @Override
  public Map<String, Function<ObjectNode, String>> selectableFields() {
    return Map.of("status.successful", o -> {
      Long n = Nodes.num(Nodes.obj(o, "status"), "succeeded");
      return String.valueOf(n == null ? 0 : n);
    });
  }
}

package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;

/**
 * apps/v1 Deployment: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600;
 * a non-empty selector matching the template, immutable once created; generation tracks spec changes.
 */
final class DeploymentStrategy implements Strategy {
  @Override
  public void applyDefaults(ObjectNode obj) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    Nodes.defaultNum(spec, "replicas", 1);
    ObjectNode strategy = Nodes.ensureObj(spec, "strategy");
    Nodes.defaultText(strategy, "type", "RollingUpdate");
    if ("RollingUpdate".equals(Nodes.text(strategy, "type"))) {
      ObjectNode rolling = Nodes.ensureObj(strategy, "rollingUpdate");
      Nodes.defaultText(rolling, "maxUnavailable", "25%");
      Nodes.defaultText(rolling, "maxSurge", "25%");
    }
    Nodes.defaultNum(spec, "revisionHistoryLimit", 10);
    Nodes.defaultNum(spec, "progressDeadlineSeconds", 600);
    PodTemplates.applyDefaults(Nodes.ensureObj(spec, "template"));
  }

  @Override
  public void prepareForCreate(ObjectNode obj) {
    Workloads.resetStatus(obj, Nodes.F.objectNode());
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    Workloads.validateCounts(spec, errs);
    Workloads.validateSelector(spec, "deployment", errs);
    ObjectNode template = Workloads.checkTemplateMatches(Nodes.obj(spec, "selector"), Nodes.obj(spec, "template"),
        "spec.template", errs);
    if (template != null) {
      PodTemplates.validate(template, "spec.template", errs);
      Workloads.requireAlwaysRestart(template, "spec.template", "Deployment", errs);
    }
    validateStrategy(Nodes.obj(spec, "strategy"), errs);
    FieldChecks.nonNegative(errs, "spec.revisionHistoryLimit", spec, "revisionHistoryLimit");
    Long deadline = Nodes.num(spec, "progressDeadlineSeconds");
    if (deadline != null) {
      FieldChecks.nonNegative(errs, "spec.progressDeadlineSeconds", spec, "progressDeadlineSeconds");
      Long minReady = Nodes.num(spec, "minReadySeconds");
      if (deadline <= (minReady == null ? 0 : minReady)) {
        errs.invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds");
      }
    }
    return errs.list();
  }

  private static void validateStrategy(ObjectNode strategy, CauseList errs) {
    String type = Nodes.text(strategy, "type");
    FieldChecks.requiredOneOf(errs, "spec.strategy.type", strategy, "type", "Recreate", "RollingUpdate");
    ObjectNode rolling = Nodes.obj(strategy, "rollingUpdate");
    if ("Recreate".equals(type) && rolling != null) {
      errs.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'");
    }
    if ("RollingUpdate".equals(type) && rolling != null) {
      validateRolling(rolling, "spec.strategy.rollingUpdate", errs);
    }
  }

  /** maxUnavailable and maxSurge: ints or percents, not both zero. Shared with DaemonSet. */
  static void validateRolling(ObjectNode rolling, String path, CauseList errs) {
    JsonNode unavailable = Nodes.get(rolling, "maxUnavailable");
    JsonNode surge = Nodes.get(rolling, "maxSurge");
    FieldChecks.intOrPercent(errs, path + ".maxUnavailable", unavailable);
    FieldChecks.intOrPercent(errs, path + ".maxSurge", surge);
    boolean noSurge = surge == null || FieldChecks.isZero(surge);
    if (FieldChecks.isZero(unavailable) && noSurge) {
      errs.invalid(path + ".maxUnavailable", new CauseList.Raw(unavailable.asText()),
          "may not be 0 when `maxSurge` is 0");
    }
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    Workloads.selectorImmutable(obj, old, errs);
    return errs.list();
  }

  @Override
  public boolean tracksGeneration() {
    return true;
  }
}

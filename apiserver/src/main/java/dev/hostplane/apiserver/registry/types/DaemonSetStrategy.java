package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;

/** apps/v1 DaemonSet: RollingUpdate maxUnavailable 1 / maxSurge 0, revisionHistoryLimit 10; selector rules. */
final class DaemonSetStrategy implements Strategy {
  @Override
  public void applyDefaults(ObjectNode obj) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    ObjectNode update = Nodes.ensureObj(spec, "updateStrategy");
    Nodes.defaultText(update, "type", "RollingUpdate");
    if ("RollingUpdate".equals(Nodes.text(update, "type"))) {
      ObjectNode rolling = Nodes.ensureObj(update, "rollingUpdate");
      Nodes.defaultNum(rolling, "maxUnavailable", 1);
      Nodes.defaultNum(rolling, "maxSurge", 0);
    }
    Nodes.defaultNum(spec, "revisionHistoryLimit", 10);
    PodTemplates.applyDefaults(Nodes.ensureObj(spec, "template"));
  }

  @Override
  public void prepareForCreate(ObjectNode obj) {
    Workloads.resetStatus(obj, Workloads.zeroStatus("currentNumberScheduled", "numberMisscheduled",
        "desiredNumberScheduled", "numberReady"));
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    FieldChecks.nonNegative(errs, "spec.minReadySeconds", spec, "minReadySeconds");
    Workloads.validateSelector(spec, "daemonset", errs);
    ObjectNode template = Workloads.checkTemplateMatches(Nodes.obj(spec, "selector"), Nodes.obj(spec, "template"),
        "spec.template", errs);
    if (template != null) {
      PodTemplates.validate(template, "spec.template", errs);
      Workloads.requireAlwaysRestart(template, "spec.template", "DaemonSet", errs);
    }
    ObjectNode update = Nodes.obj(spec, "updateStrategy");
    FieldChecks.requiredOneOf(errs, "spec.updateStrategy.type", update, "type", "OnDelete", "RollingUpdate");
    ObjectNode rolling = Nodes.obj(update, "rollingUpdate");
    if ("RollingUpdate".equals(Nodes.text(update, "type")) && rolling != null) {
      DeploymentStrategy.validateRolling(rolling, "spec.updateStrategy.rollingUpdate", errs);
    }
    FieldChecks.nonNegative(errs, "spec.revisionHistoryLimit", spec, "revisionHistoryLimit");
    return errs.list();
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

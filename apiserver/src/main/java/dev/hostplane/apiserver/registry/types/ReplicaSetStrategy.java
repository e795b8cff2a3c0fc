package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** apps/v1 ReplicaSet: replicas 1; selector rules as Deployment (upstream even says "for deployment"). */
final class ReplicaSetStrategy implements Strategy {
  @Override
  public void applyDefaults(ObjectNode obj) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    Nodes.defaultNum(spec, "replicas", 1);
    PodTemplates.applyDefaults(Nodes.ensureObj(spec, "template"));
  }

  @Override
  public void prepareForCreate(ObjectNode obj) {
    Workloads.resetStatus(obj, Workloads.zeroStatus("replicas"));
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
      Workloads.requireAlwaysRestart(template, "spec.template", "ReplicaSet", errs);
    }
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

  @Override
  public Map<String, Function<ObjectNode, String>> selectableFields() {
    return Map.of("status.replicas", o -> {
      Long n = Nodes.num(Nodes.obj(o, "status"), "replicas");
      return String.valueOf(n == null ? 0 : n);
    });
  }
}

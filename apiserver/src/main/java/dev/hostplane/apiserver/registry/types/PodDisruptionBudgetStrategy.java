package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;

/**
 * policy/v1 PodDisruptionBudget: minAvailable and maxUnavailable are ints or percents and not both set (upstream
 * also accepts neither); status reset on create; generation tracks spec changes.
 */
final class PodDisruptionBudgetStrategy implements Strategy {
  @Override
  public void prepareForCreate(ObjectNode obj) {
    Workloads.resetStatus(obj, Workloads.zeroStatus("disruptionsAllowed", "currentHealthy", "desiredHealthy",
        "expectedPods"));
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    if (Nodes.has(spec, "minAvailable") && Nodes.has(spec, "maxUnavailable")) {
      errs.invalid("spec", spec, "minAvailable and maxUnavailable cannot be both set");
    }
    FieldChecks.intOrPercent(errs, "spec.minAvailable", Nodes.get(spec, "minAvailable"));
    FieldChecks.intOrPercent(errs, "spec.maxUnavailable", Nodes.get(spec, "maxUnavailable"));
    LabelSelectors.validate(Nodes.obj(spec, "selector"), "spec.selector", errs);
    FieldChecks.oneOf(errs, "spec.unhealthyPodEvictionPolicy", spec, "unhealthyPodEvictionPolicy", "AlwaysAllow",
        "IfHealthyBudget");
    return errs.list();
  }

  @Override
  public boolean tracksGeneration() {
    return true;
  }
}

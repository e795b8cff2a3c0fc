package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;

/** coordination.k8s.io/v1 Lease: positive duration, non-negative transitions, preferredHolder needs a strategy. */
final class LeaseStrategy implements Strategy {
  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    FieldChecks.positive(errs, "spec.leaseDurationSeconds", spec, "leaseDurationSeconds");
    FieldChecks.nonNegative(errs, "spec.leaseTransitions", spec, "leaseTransitions");
    if (Nodes.has(spec, "preferredHolder") && !Nodes.has(spec, "strategy")) {
      errs.forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined");
    }
    return errs.list();
  }
}

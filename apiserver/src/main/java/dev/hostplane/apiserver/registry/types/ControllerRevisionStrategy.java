package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;

/** apps/v1 ControllerRevision: revision required and non-negative, data required and immutable. */
final class ControllerRevisionStrategy implements Strategy {
  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    if (!Nodes.has(obj, "data")) {
      errs.required("data", "data is mandatory");
    }
    if (!Nodes.has(obj, "revision")) {
      errs.required("revision");
    }
    FieldChecks.nonNegative(errs, "revision", obj, "revision");
    return errs.list();
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    FieldChecks.immutable(errs, "data", Nodes.get(obj, "data"), Nodes.get(old, "data"));
    return errs.list();
  }
}

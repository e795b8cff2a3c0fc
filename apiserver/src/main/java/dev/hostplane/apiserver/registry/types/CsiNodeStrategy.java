package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** storage.k8s.io/v1 CSINode: drivers with unique valid names and a node ID; allocatable counts non-negative. */
final class CsiNodeStrategy implements Strategy {
  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    if (spec == null || !Nodes.has(spec, "drivers")) {
      errs.required("spec.drivers");
      return errs.list();
    }
    Set<String> names = new HashSet<>();
    List<ObjectNode> drivers = Nodes.objects(spec, "drivers");
    for (int i = 0; i < drivers.size(); i++) {
      String p = "spec.drivers[" + i + "]";
      ObjectNode d = drivers.get(i);
      String name = Nodes.text(d, "name");
      CsiDriverStrategy.validateDriverName(name, p + ".name", errs);
      if (!names.add(name)) {
        errs.duplicate(p + ".name", name);
      }
      String nodeId = Nodes.text(d, "nodeID");
      if (nodeId.isEmpty()) {
        errs.required(p + ".nodeID");
      } else if (nodeId.length() > 256) {
        errs.invalid(p + ".nodeID", nodeId, "must be 256 characters or less");
      }
      FieldChecks.nonNegative(errs, p + ".allocatable.count", Nodes.obj(d, "allocatable"), "count");
    }
    return errs.list();
  }

  @Override
  public boolean returnsDeletedObject() {
    return true;
  }
}

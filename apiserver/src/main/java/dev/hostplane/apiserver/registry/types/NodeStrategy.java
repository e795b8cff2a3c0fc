package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * core/v1 Node (cluster-scoped). Unlike most types, status is kept on create: kubelets register with it. podCIDR
 * and providerID may be set once, then never change.
 */
final class NodeStrategy implements Strategy {
  private static final String CIDR_CHANGE = "node updates may not change podCIDR except from \"\" to valid";

  /** Keeps podCIDR and podCIDRs[0] in step; allocatable defaults to capacity. */
  @Override
  public void applyDefaults(ObjectNode obj) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    String single = Nodes.text(spec, "podCIDR");
    if (!single.isEmpty() && Nodes.isEmpty(spec, "podCIDRs")) {
      spec.putArray("podCIDRs").add(single);
    } else if (single.isEmpty() && !Nodes.isEmpty(spec, "podCIDRs")) {
      spec.put("podCIDR", Nodes.strings(spec, "podCIDRs").get(0));
    }
    ObjectNode status = Nodes.obj(obj, "status");
    if (status != null && Nodes.has(status, "capacity") && !Nodes.has(status, "allocatable")) {
      status.set("allocatable", status.get("capacity").deepCopy());
    }
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    List<String> cidrs = Nodes.strings(spec, "podCIDRs");
    for (int i = 0; i < cidrs.size(); i++) {
      if (IpAddresses.parseCidr(cidrs.get(i)) == null) {
        errs.invalid("spec.podCIDRs[" + i + "]", cidrs.get(i), "must be a valid CIDR");
      }
    }
    if (cidrs.size() > 1) {
      boolean dual = cidrs.size() == 2 && IpAddresses.parseCidr(cidrs.get(0)) != null
          && IpAddresses.parseCidr(cidrs.get(1)) != null
          && IpAddresses.parseCidr(cidrs.get(0)).isV4() != IpAddresses.parseCidr(cidrs.get(1)).isV4();
      if (!dual) {
        errs.invalid("spec.podCIDRs", new CauseList.Raw(CauseList.goStrings(cidrs)),
            "may specify no more than one CIDR for each IP family");
      }
    }
    List<ObjectNode> taints = Nodes.objects(spec, "taints");
    for (int i = 0; i < taints.size(); i++) {
      String p = "spec.taints[" + i + "]";
      if (Nodes.text(taints.get(i), "key").isEmpty()) {
        errs.required(p + ".key");
      }
      FieldChecks.requiredOneOf(errs, p + ".effect", taints.get(i), "effect", "NoSchedule", "PreferNoSchedule",
          "NoExecute");
    }
    ObjectNode status = Nodes.obj(obj, "status");
    for (String list : List.of("capacity", "allocatable")) {
      for (Map.Entry<String, String> e : Nodes.stringMap(status, list).entrySet()) {
        Quantities.check(errs, "status." + list + "[" + e.getKey() + "]", e.getValue(), true);
      }
    }
    return errs.list();
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    ObjectNode spec = Nodes.obj(obj, "spec");
    ObjectNode oldSpec = Nodes.obj(old, "spec");
    List<String> before = Nodes.strings(oldSpec, "podCIDRs");
    if (!before.isEmpty() && !before.equals(Nodes.strings(spec, "podCIDRs"))) {
      errs.forbidden("spec.podCIDRs", CIDR_CHANGE);
    }
    String providerId = Nodes.text(oldSpec, "providerID");
    if (!providerId.isEmpty() && !providerId.equals(Nodes.text(spec, "providerID"))) {
      errs.forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid");
    }
    return errs.list();
  }

  @Override
  public Map<String, Function<ObjectNode, String>> selectableFields() {
    return Map.of("spec.unschedulable",
        o -> String.valueOf(Nodes.isTrue(Nodes.obj(o, "spec"), "unschedulable")));
  }
}

package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.GracefulDeletion;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * core/v1 Pod ({@code pkg/registry/core/pod/strategy.go}): defaults, status {phase: Pending, qosClass} on create,
 * the pod update rules (spec immutable except images, activeDeadlineSeconds, added tolerations), graceful deletion.
 */
final class PodStrategy implements Strategy, GracefulDeletion {
  /** Upstream's message for a forbidden pod spec change (without the Go diff upstream appends). */
  static final String UPDATE_FORBIDDEN = "pod updates may not change fields other than `spec.containers[*].image`,"
      + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
      + "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
      + "negative)";

  @Override
  public void applyDefaults(ObjectNode obj) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    PodSpecDefaults.applyToSpec(spec);
    PodSpecDefaults.applyPodOnly(spec);
  }

  @Override
  public void prepareForCreate(ObjectNode obj) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    ObjectNode status = obj.putObject("status");
    status.put("phase", "Pending");
    status.put("qosClass", PodQos.classify(spec));
    if (!Nodes.isEmpty(spec, "schedulingGates")) {
      ObjectNode cond = status.putArray("conditions").addObject();
      cond.put("type", "PodScheduled");
      cond.put("status", "False");
      cond.putNull("lastProbeTime");
      cond.putNull("lastTransitionTime");
      cond.put("reason", "SchedulingGated");
      cond.put("message", "Scheduling is blocked due to non-empty scheduling gates");
    }
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    PodSpecValidation.validate(spec == null ? Nodes.F.objectNode() : spec, "spec", true, errs);
    return errs.list();
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    ObjectNode oldSpec = Nodes.obj(old, "spec");
    if (spec == null || oldSpec == null) {
      errs.required("spec");
      return errs.list();
    }
    PodSpecValidation.validate(spec, "spec", true, errs);
    if (!validateDeadline(spec, oldSpec, errs)) {
      return errs.list();
    }
    for (String list : List.of("containers", "initContainers")) {
      if (Nodes.objects(spec, list).size() != Nodes.objects(oldSpec, list).size()) {
        errs.forbidden("spec." + list, "pod updates may not add or remove containers");
        return errs.list();
      }
    }
    validateTolerationUpdate(spec, oldSpec, errs);
    // Munge the mutable fields of the new spec back to the old values; anything left different is forbidden.
    ObjectNode munged = spec.deepCopy();
    for (String list : List.of("containers", "initContainers")) {
      List<ObjectNode> oldCs = Nodes.objects(oldSpec, list);
      List<ObjectNode> newCs = Nodes.objects(munged, list);
      for (int i = 0; i < newCs.size(); i++) {
        copyField(oldCs.get(i), newCs.get(i), "image");
      }
    }
    copyField(oldSpec, munged, "activeDeadlineSeconds");
    copyField(oldSpec, munged, "tolerations");
    Long oldGrace = Nodes.num(oldSpec, "terminationGracePeriodSeconds");
    Long newGrace = Nodes.num(spec, "terminationGracePeriodSeconds");
    if (oldGrace != null && oldGrace < 0 && newGrace != null && newGrace == 1) {
      copyField(oldSpec, munged, "terminationGracePeriodSeconds");
    }
    if (!Nodes.same(munged, oldSpec)) {
      errs.forbidden("spec", UPDATE_FORBIDDEN);
    }
    return errs.list();
  }

  /** activeDeadlineSeconds may be set or lowered, never raised or unset. False when checking should stop. */
  private static boolean validateDeadline(ObjectNode spec, ObjectNode oldSpec, CauseList errs) {
    Long now = Nodes.num(spec, "activeDeadlineSeconds");
    Long before = Nodes.num(oldSpec, "activeDeadlineSeconds");
    if (now != null) {
      if (now < 0 || now > Integer.MAX_VALUE) {
        errs.invalid("spec.activeDeadlineSeconds", now, "must be between 0 and 2147483647, inclusive");
        return false;
      }
      if (before != null && before < now) {
        errs.invalid("spec.activeDeadlineSeconds", now, "must be less than or equal to previous value");
        return false;
      }
    } else if (before != null) {
      errs.invalid("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value");
    }
    return true;
  }

  /** Existing tolerations must stay; only a NoExecute toleration's tolerationSeconds may change. */
  private static void validateTolerationUpdate(ObjectNode spec, ObjectNode oldSpec, CauseList errs) {
    List<ObjectNode> now = Nodes.objects(spec, "tolerations");
    for (ObjectNode old : Nodes.objects(oldSpec, "tolerations")) {
      boolean kept = now.stream().anyMatch(t -> sameToleration(t, old));
      if (!kept) {
        errs.forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds");
        return;
      }
    }
  }

  private static boolean sameToleration(ObjectNode a, ObjectNode b) {
    for (String f : List.of("key", "operator", "value", "effect")) {
      if (!Nodes.text(a, f).equals(Nodes.text(b, f))) {
        return false;
      }
    }
    return true;
  }

  private static void copyField(ObjectNode from, ObjectNode to, String field) {
    JsonNode v = Nodes.get(from, field);
    if (v == null) {
      to.remove(field);
    } else {
      to.set(field, v.deepCopy());
    }
  }

  /**
   * The requested period, else spec.terminationGracePeriodSeconds, else 30; 0 for pods never scheduled or already
   * finished; negative periods become 1.
   */
  @Override
  public Long gracePeriod(ObjectNode obj, Long requested) {
    ObjectNode spec = Nodes.obj(obj, "spec");
    long period;
    if (requested != null) {
      period = requested;
    } else {
      Long fromSpec = Nodes.num(spec, "terminationGracePeriodSeconds");
      period = fromSpec != null ? fromSpec : PodSpecDefaults.DEFAULT_GRACE_SECONDS;
    }
    if (Nodes.text(spec, "nodeName").isEmpty()) {
      period = 0;
    }
    String phase = Nodes.text(Nodes.obj(obj, "status"), "phase");
    if (phase.equals("Succeeded") || phase.equals("Failed")) {
      period = 0;
    }
    return period < 0 ? 1L : period;
  }

  @Override
  public Map<String, Function<ObjectNode, String>> selectableFields() {
    Map<String, Function<ObjectNode, String>> m = new LinkedHashMap<>();
    m.put("spec.nodeName", o -> Nodes.str(Nodes.obj(o, "spec"), "nodeName"));
    m.put("spec.restartPolicy", o -> Nodes.str(Nodes.obj(o, "spec"), "restartPolicy"));
    m.put("spec.schedulerName", o -> Nodes.str(Nodes.obj(o, "spec"), "schedulerName"));
    m.put("spec.serviceAccountName", o -> Nodes.str(Nodes.obj(o, "spec"), "serviceAccountName"));
    m.put("spec.hostNetwork", o -> String.valueOf(Nodes.isTrue(Nodes.obj(o, "spec"), "hostNetwork")));
    m.put("status.phase", o -> Nodes.str(Nodes.obj(o, "status"), "phase"));
    m.put("status.podIP", o -> {
      ArrayNode ips = Nodes.arr(Nodes.obj(o, "status"), "podIPs");
      String first = ips != null && !ips.isEmpty() ? Nodes.str(ips.get(0), "ip") : null;
      return first != null ? first : Nodes.str(Nodes.obj(o, "status"), "podIP");
    });
    m.put("status.nominatedNodeName", o -> Nodes.str(Nodes.obj(o, "status"), "nominatedNodeName"));
    return Map.copyOf(m);
  }

  @Override
  public boolean returnsDeletedObject() {
    return true;
  }
}

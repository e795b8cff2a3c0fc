package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * apps/v1 StatefulSet: OrderedReady, RollingUpdate with partition 0, revisionHistoryLimit 10, Retain/Retain claim
 * retention; updates may change only the fields upstream lists in its Forbidden message.
 */
final class StatefulSetStrategy implements Strategy {
  static final String UPDATE_FORBIDDEN = "updates to statefulset spec for fields other than 'replicas', "
      + "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' "
      + "and 'minReadySeconds' are forbidden";
  private static final List<String> MUTABLE = List.of("replicas", "ordinals", "template", "updateStrategy",
      "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy", "minReadySeconds");

  @Override
  public void applyDefaults(ObjectNode obj) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    Nodes.defaultNum(spec, "replicas", 1);
    Nodes.defaultText(spec, "podManagementPolicy", "OrderedReady");
    ObjectNode update = Nodes.ensureObj(spec, "updateStrategy");
    Nodes.defaultText(update, "type", "RollingUpdate");
    if ("RollingUpdate".equals(Nodes.text(update, "type"))) {
      Nodes.defaultNum(Nodes.ensureObj(update, "rollingUpdate"), "partition", 0);
    }
    Nodes.defaultNum(spec, "revisionHistoryLimit", 10);
    ObjectNode retention = Nodes.ensureObj(spec, "persistentVolumeClaimRetentionPolicy");
    Nodes.defaultText(retention, "whenDeleted", "Retain");
    Nodes.defaultText(retention, "whenScaled", "Retain");
    PodTemplates.applyDefaults(Nodes.ensureObj(spec, "template"));
    for (ObjectNode claim : Nodes.objects(spec, "volumeClaimTemplates")) {
      Nodes.defaultText(Nodes.ensureObj(claim, "spec"), "volumeMode", "Filesystem");
      Nodes.defaultText(Nodes.ensureObj(claim, "status"), "phase", "Pending");
    }
  }

  @Override
  public void prepareForCreate(ObjectNode obj) {
    Workloads.resetStatus(obj, Workloads.zeroStatus("replicas", "availableReplicas"));
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    Workloads.validateCounts(spec, errs);
    Workloads.validateSelector(spec, "statefulset", errs);
    FieldChecks.requiredOneOf(errs, "spec.podManagementPolicy", spec, "podManagementPolicy", "OrderedReady",
        "Parallel");
    ObjectNode update = Nodes.obj(spec, "updateStrategy");
    String type = Nodes.text(update, "type");
    FieldChecks.requiredOneOf(errs, "spec.updateStrategy.type", update, "type", "OnDelete", "RollingUpdate");
    ObjectNode rolling = Nodes.obj(update, "rollingUpdate");
    if ("OnDelete".equals(type) && rolling != null) {
      errs.invalid("spec.updateStrategy.rollingUpdate", rolling, "only allowed for updateStrategy 'RollingUpdate'");
    }
    FieldChecks.nonNegative(errs, "spec.updateStrategy.rollingUpdate.partition", rolling, "partition");
    FieldChecks.intOrPercent(errs, "spec.updateStrategy.rollingUpdate.maxUnavailable",
        Nodes.get(rolling, "maxUnavailable"));
    ObjectNode retention = Nodes.obj(spec, "persistentVolumeClaimRetentionPolicy");
    FieldChecks.oneOf(errs, "spec.persistentVolumeClaimRetentionPolicy.whenDeleted", retention, "whenDeleted",
        "Retain", "Delete");
    FieldChecks.oneOf(errs, "spec.persistentVolumeClaimRetentionPolicy.whenScaled", retention, "whenScaled",
        "Retain", "Delete");
    FieldChecks.nonNegative(errs, "spec.revisionHistoryLimit", spec, "revisionHistoryLimit");
    FieldChecks.nonNegative(errs, "spec.ordinals.start", Nodes.obj(spec, "ordinals"), "start");
    Set<String> claimNames = new HashSet<>();
    List<ObjectNode> claims = Nodes.objects(spec, "volumeClaimTemplates");
    for (int i = 0; i < claims.size(); i++) {
      claimNames.add(Nodes.text(Nodes.obj(claims.get(i), "metadata"), "name"));
      PersistentVolumeClaimStrategy.validateSpec(Nodes.obj(claims.get(i), "spec"),
          "spec.volumeClaimTemplates[" + i + "].spec", errs);
    }
    ObjectNode template = Workloads.checkTemplateMatches(Nodes.obj(spec, "selector"), Nodes.obj(spec, "template"),
        "spec.template", errs);
    if (template != null) {
      PodTemplates.validate(template, "spec.template", claimNames, errs);
      Workloads.requireAlwaysRestart(template, "spec.template", "StatefulSet", errs);
    }
    return errs.list();
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    ObjectNode spec = Nodes.obj(obj, "spec");
    ObjectNode oldSpec = Nodes.obj(old, "spec");
    if (spec != null && oldSpec != null) {
      ObjectNode a = spec.deepCopy();
      ObjectNode b = oldSpec.deepCopy();
      a.remove(MUTABLE);
      b.remove(MUTABLE);
      if (!Nodes.same(a, b)) {
        errs.forbidden("spec", UPDATE_FORBIDDEN);
      }
    }
    return errs.list();
  }

  @Override
  public boolean tracksGeneration() {
    return true;
  }
}

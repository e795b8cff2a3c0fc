package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Strategy;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** core/v1 PersistentVolume (cluster-scoped): phase Pending on create, capacity and access modes, one source. */
final class PersistentVolumeStrategy implements Strategy {
  static final List<String> ACCESS_MODES = List.of("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
      "ReadWriteOncePod");
  private static final List<String> SOURCES = List.of("gcePersistentDisk", "awsElasticBlockStore", "hostPath",
      "glusterfs", "nfs", "rbd", "iscsi", "cinder", "cephfs", "fc", "flocker", "flexVolume", "azureFile",
      "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "local",
      "storageos", "csi");

  @Override
  public void applyDefaults(ObjectNode obj) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    Nodes.defaultText(spec, "persistentVolumeReclaimPolicy", "Retain");
    Nodes.defaultText(spec, "volumeMode", "Filesystem");
    ObjectNode hostPath = Nodes.obj(spec, "hostPath");
    if (hostPath != null) {
      Nodes.defaultText(hostPath, "type", "");
    }
  }

  @Override
  public void prepareForCreate(ObjectNode obj) {
    ObjectNode status = obj.putObject("status");
    status.put("phase", "Pending");
    status.put("lastPhaseTransitionTime", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    Map<String, String> capacity = Nodes.stringMap(spec, "capacity");
    if (capacity.isEmpty()) {
      errs.required("spec.capacity");
    } else if (!capacity.containsKey("storage") || capacity.size() > 1) {
      errs.notSupported("spec.capacity", new CauseList.Raw(CauseList.goStringMap(capacity)), "storage");
    }
    for (Map.Entry<String, String> e : capacity.entrySet()) {
      Quantities.check(errs, "spec.capacity[" + e.getKey() + "]", e.getValue(), true);
    }
    validateAccessModes(spec, "spec.accessModes", errs);
    int sources = 0;
    for (String s : SOURCES) {
      if (Nodes.has(spec, s)) {
        sources++;
        if (sources > 1) {
          errs.forbidden("spec." + s, "may not specify more than 1 volume type");
        }
      }
    }
    if (sources == 0) {
      errs.required("spec", "must specify a volume type");
    }
    FieldChecks.oneOf(errs, "spec.persistentVolumeReclaimPolicy", spec, "persistentVolumeReclaimPolicy", "Delete",
        "Recycle", "Retain");
    FieldChecks.oneOf(errs, "spec.volumeMode", spec, "volumeMode", "Block", "Filesystem");
    if (Nodes.has(spec, "local") && !Nodes.has(spec, "nodeAffinity")) {
      errs.required("spec.nodeAffinity", "Local volumes require node affinity");
    }
    return errs.list();
  }

  static void validateAccessModes(ObjectNode spec, String path, CauseList errs) {
    List<String> modes = Nodes.strings(spec, "accessModes");
    if (modes.isEmpty()) {
      errs.required(path);
    }
    for (String m : modes) {
      if (!ACCESS_MODES.contains(m)) {
        errs.notSupported(path, m, ACCESS_MODES);
      }
    }
    if (modes.contains("ReadWriteOncePod") && modes.size() > 1) {
      errs.forbidden(path, "may not use ReadWriteOncePod with other access modes");
    }
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    ObjectNode spec = Nodes.obj(obj, "spec");
    ObjectNode oldSpec = Nodes.obj(old, "spec");
    for (String s : SOURCES) {
      if (!Nodes.same(Nodes.get(spec, s), Nodes.get(oldSpec, s))) {
        errs.forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation");
        break;
      }
    }
    FieldChecks.immutable(errs, "volumeMode", Nodes.get(spec, "volumeMode"), Nodes.get(oldSpec, "volumeMode"));
    if (Nodes.has(oldSpec, "nodeAffinity")) {
      FieldChecks.immutable(errs, "nodeAffinity", Nodes.get(spec, "nodeAffinity"),
          Nodes.get(oldSpec, "nodeAffinity"));
    }
    return errs.list();
  }

  @Override
  public Map<String, Function<ObjectNode, String>> selectableFields() {
    return Map.of("name", ObjectMeta::name);
  }

  @Override
  public boolean returnsDeletedObject() {
    return true;
  }
}

package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Strategy;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * core/v1 PersistentVolumeClaim: phase Pending on create; access modes and a storage request required; the spec
 * is immutable except resources.requests (bound claims only), volumeAttributesClassName and a first volumeName.
 */
final class PersistentVolumeClaimStrategy implements Strategy {
  static final String SPEC_IMMUTABLE = "spec is immutable after creation except resources.requests and "
      + "volumeAttributesClassName for bound claims";

  @Override
  public void applyDefaults(ObjectNode obj) {
    Nodes.defaultText(Nodes.ensureObj(obj, "spec"), "volumeMode", "Filesystem");
  }

  @Override
  public void prepareForCreate(ObjectNode obj) {
    obj.putObject("status").put("phase", "Pending");
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    validateSpec(Nodes.obj(obj, "spec"), "spec", errs);
    return errs.list();
  }

  /** Upstream ValidatePersistentVolumeClaimSpec, also used for claim templates. */
  static void validateSpec(ObjectNode spec, String path, CauseList errs) {
    if (Nodes.isEmpty(spec, "accessModes")) {
      errs.required(path + ".accessModes", "at least 1 access mode is required");
    } else {
      PersistentVolumeStrategy.validateAccessModes(spec, path + ".accessModes", errs);
    }
    ObjectNode resources = Nodes.obj(spec, "resources");
    Map<String, String> requests = Nodes.stringMap(resources, "requests");
    if (!requests.containsKey("storage")) {
      errs.required(path + ".resources[storage]");
    } else {
      BigDecimal v = Quantities.check(errs, path + ".resources[storage]", requests.get("storage"), false);
      if (v != null && v.signum() <= 0) {
        errs.invalid(path + ".resources[storage]", requests.get("storage"), "must be greater than zero");
      }
    }
    for (String list : List.of("requests", "limits")) {
      for (Map.Entry<String, String> e : Nodes.stringMap(resources, list).entrySet()) {
        if (!e.getKey().equals("storage") || !list.equals("requests")) {
          Quantities.check(errs, path + ".resources." + list + "[" + e.getKey() + "]", e.getValue(), true);
        }
      }
    }
    FieldChecks.oneOf(errs, path + ".volumeMode", spec, "volumeMode", "Block", "Filesystem");
    LabelSelectors.validate(Nodes.obj(spec, "selector"), path + ".selector", errs);
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    ObjectNode spec = Nodes.obj(obj, "spec");
    ObjectNode oldSpec = Nodes.obj(old, "spec");
    if (spec == null || oldSpec == null) {
      return errs.list();
    }
    ObjectNode a = spec.deepCopy();
    ObjectNode b = oldSpec.deepCopy();
    if (Nodes.text(oldSpec, "volumeName").isEmpty()) {
      b.set("volumeName", a.get("volumeName"));
    }
    boolean bound = "Bound".equals(Nodes.text(Nodes.obj(old, "status"), "phase"));
    if (bound) {
      Nodes.ensureObj(b, "resources").set("requests", Nodes.at(a, "resources", "requests"));
    }
    a.remove("volumeAttributesClassName");
    b.remove("volumeAttributesClassName");
    if (!Nodes.same(a, b)) {
      errs.forbidden("spec", SPEC_IMMUTABLE);
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

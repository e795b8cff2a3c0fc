package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * storage.k8s.io/v1 StorageClass: provisioner required; reclaimPolicy Delete and volumeBindingMode Immediate by
 * default; provisioner, parameters, reclaimPolicy and volumeBindingMode never change.
 */
final class StorageClassStrategy implements Strategy {
  @Override
  public void applyDefaults(ObjectNode obj) {
    Nodes.defaultText(obj, "reclaimPolicy", "Delete");
    Nodes.defaultText(obj, "volumeBindingMode", "Immediate");
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    String provisioner = Nodes.text(obj, "provisioner");
    if (provisioner.isEmpty()) {
      errs.required("provisioner");
    } else {
      errs.invalidEach("provisioner", provisioner, Validation.isQualifiedName(provisioner.toLowerCase(Locale.ROOT)));
    }
    long size = 0;
    for (Map.Entry<String, String> e : Nodes.stringMap(obj, "parameters").entrySet()) {
      if (e.getKey().isEmpty()) {
        errs.invalid("parameters", e.getKey(), "field can not be empty.");
      }
      size += e.getKey().length() + e.getValue().length();
    }
    if (size > 256 * 1024) {
      errs.tooLong("parameters", 256 * 1024);
    }
    FieldChecks.oneOf(errs, "reclaimPolicy", obj, "reclaimPolicy", "Delete", "Retain");
    FieldChecks.oneOf(errs, "volumeBindingMode", obj, "volumeBindingMode", "Immediate", "WaitForFirstConsumer");
    return errs.list();
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    for (String f : List.of("parameters", "provisioner", "reclaimPolicy")) {
      if (!Nodes.same(Nodes.get(obj, f), Nodes.get(old, f))) {
        errs.forbidden(f, "updates to " + f + " are forbidden.");
      }
    }
    FieldChecks.immutable(errs, "volumeBindingMode", Nodes.get(obj, "volumeBindingMode"),
        Nodes.get(old, "volumeBindingMode"));
    return errs.list();
  }

  @Override
  public boolean returnsDeletedObject() {
    return true;
  }
}

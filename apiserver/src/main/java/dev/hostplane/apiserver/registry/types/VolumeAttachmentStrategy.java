package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;

/**
 * storage.k8s.io/v1 VolumeAttachment: attacher, nodeName and exactly one source required; status (a subresource)
 * reset on create; the spec never changes.
 */
final class VolumeAttachmentStrategy implements Strategy {
  @Override
  public void prepareForCreate(ObjectNode obj) {
    obj.putObject("status").put("attached", false);
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    CsiDriverStrategy.validateDriverName(Nodes.text(spec, "attacher"), "spec.attacher", errs);
    String node = Nodes.text(spec, "nodeName");
    if (node.isEmpty()) {
      errs.required("spec.nodeName");
    } else {
      errs.invalidEach("spec.nodeName", node, Validation.isDns1123Subdomain(node));
    }
    ObjectNode source = Nodes.obj(spec, "source");
    boolean pv = Nodes.has(source, "persistentVolumeName");
    boolean inline = Nodes.has(source, "inlineVolumeSpec");
    if (pv == inline) {
      String msg = "must specify exactly one of inlineVolumeSpec and persistentVolumeName";
      if (pv) {
        errs.forbidden("spec.source", msg);
      } else {
        errs.required("spec.source", msg);
      }
    } else if (pv && Nodes.text(source, "persistentVolumeName").isEmpty()) {
      errs.required("spec.source.persistentVolumeName", "must specify non empty persistentVolumeName");
    }
    return errs.list();
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    FieldChecks.immutable(errs, "spec", Nodes.get(obj, "spec"), Nodes.get(old, "spec"));
    return errs.list();
  }

  @Override
  public boolean returnsDeletedObject() {
    return true;
  }
}

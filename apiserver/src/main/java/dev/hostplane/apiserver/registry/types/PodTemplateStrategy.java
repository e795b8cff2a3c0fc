package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;

/** core/v1 PodTemplate: the template's pod spec defaults and validation. */
final class PodTemplateStrategy implements Strategy {
  @Override
  public void applyDefaults(ObjectNode obj) {
    PodTemplates.applyDefaults(Nodes.ensureObj(obj, "template"));
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode template = Nodes.obj(obj, "template");
    if (template == null) {
      errs.required("template");
    } else {
      PodTemplates.validate(template, "template", errs);
    }
    return errs.list();
  }
}

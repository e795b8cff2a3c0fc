package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;
import java.util.Map;

/** node.k8s.io/v1 RuntimeClass: handler a DNS label, immutable; overhead quantities and scheduling valid. */
final class RuntimeClassStrategy implements Strategy {
  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    String handler = Nodes.text(obj, "handler");
    if (handler.isEmpty()) {
      errs.required("handler");
    } else {
      errs.invalidEach("handler", handler, Validation.isDns1123Label(handler));
    }
    for (Map.Entry<String, String> e : Nodes.stringMap(Nodes.obj(obj, "overhead"), "podFixed").entrySet()) {
      Quantities.check(errs, "overhead.podFixed[" + e.getKey() + "]", e.getValue(), true);
    }
    ObjectNode scheduling = Nodes.obj(obj, "scheduling");
    LabelSelectors.validateLabels(Nodes.stringMap(scheduling, "nodeSelector"), "scheduling.nodeSelector", errs);
    PodSpecValidation.validateTolerations(Nodes.objects(scheduling, "tolerations"), "scheduling.tolerations",
        errs);
    return errs.list();
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    FieldChecks.immutable(errs, "handler", Nodes.get(obj, "handler"), Nodes.get(old, "handler"));
    return errs.list();
  }
}

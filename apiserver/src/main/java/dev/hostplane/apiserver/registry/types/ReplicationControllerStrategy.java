package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * core/v1 ReplicationController. Defaults as upstream's SetDefaults_ReplicationController: replicas 1, and an
 * empty selector and empty object labels both taken from the template's labels. Its selector is a plain map.
 */
final class ReplicationControllerStrategy implements Strategy {
  @Override
  public void applyDefaults(ObjectNode obj) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    Nodes.defaultNum(spec, "replicas", 1);
    ObjectNode template = Nodes.obj(spec, "template");
    if (template == null) {
      return;
    }
    PodTemplates.applyDefaults(template);
    Map<String, String> labels = PodTemplates.labels(template);
    if (!labels.isEmpty()) {
      if (Nodes.isEmpty(spec, "selector")) {
        spec.set("selector", Nodes.textObject(labels));
      }
      if (ObjectMeta.labels(obj).isEmpty()) {
        ObjectMeta.meta(obj).set("labels", Nodes.textObject(labels));
      }
    }
  }

  @Override
  public void prepareForCreate(ObjectNode obj) {
    Workloads.resetStatus(obj, Workloads.zeroStatus("replicas"));
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    Workloads.validateCounts(spec, errs);
    Map<String, String> selector = Nodes.stringMap(spec, "selector");
    if (selector.isEmpty()) {
      errs.required("spec.selector");
    }
    LabelSelectors.validateLabels(selector, "spec.selector", errs);
    ObjectNode template = Nodes.obj(spec, "template");
    if (template == null) {
      errs.required("spec.template");
      return errs.list();
    }
    Map<String, String> labels = PodTemplates.labels(template);
    boolean matches = selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    if (!selector.isEmpty() && !matches) {
      errs.invalid("spec.template.metadata.labels", labels, Workloads.SELECTOR_MISMATCH);
    }
    PodTemplates.validate(template, "spec.template", errs);
    Workloads.requireAlwaysRestart(template, "spec.template", "ReplicationController", errs);
    return errs.list();
  }

  @Override
  public boolean tracksGeneration() {
    return true;
  }

  @Override
  public Map<String, Function<ObjectNode, String>> selectableFields() {
    return Map.of("status.replicas", o -> String.valueOf(Nodes.num(Nodes.obj(o, "status"), "replicas") == null
        ? 0 : Nodes.num(Nodes.obj(o, "status"), "replicas")));
  }
}

package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;

/**
 * A {@code PodTemplateSpec} ({@code metadata} + {@code spec}) nested in another object: its defaults and
 * validation, shared by PodTemplate and every workload type.
 */
final class PodTemplates {
  private PodTemplates() {}

  /** Defaults the template's pod spec (creating it when absent). Mutates {@code template}. */
  static void applyDefaults(ObjectNode template) {
    PodSpecDefaults.applyToSpec(Nodes.ensureObj(template, "spec"));
  }

  /** Upstream ValidatePodTemplateSpec for the template at {@code path} (e.g. {@code spec.template}). */
  static void validate(ObjectNode template, String path, CauseList errs) {
    validate(template, path, Set.of(), errs);
  }

  /** As {@link #validate(ObjectNode, String, CauseList)}, with extra volume names mounts may use. */
  static void validate(ObjectNode template, String path, Set<String> extraVolumes, CauseList errs) {
    ObjectNode meta = Nodes.obj(template, "metadata");
    LabelSelectors.validateLabels(Nodes.stringMap(meta, "labels"), path + ".metadata.labels", errs);
    LabelSelectors.validateAnnotations(Nodes.stringMap(meta, "annotations"), path + ".metadata.annotations",
        errs);
    ObjectNode spec = Nodes.obj(template, "spec");
    PodSpecValidation.validate(spec == null ? Nodes.F.objectNode() : spec, path + ".spec", false, extraVolumes,
        errs);
  }

  /** The template's {@code metadata.labels}; empty when absent. */
  static Map<String, String> labels(JsonNode template) {
    return Nodes.stringMap(Nodes.obj(template, "metadata"), "labels");
  }

  static ObjectNode spec(JsonNode template) {
    return Nodes.obj(template, "spec");
  }
}

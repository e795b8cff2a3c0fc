package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.VersionConverter;
import java.util.List;

/**
 * Serves autoscaling/v1 HorizontalPodAutoscalers from autoscaling/v2 storage, as upstream's conversion does:
 * {@code targetCPUUtilizationPercentage} is the CPU Resource metric with an averageUtilization target and
 * {@code currentCPUUtilizationPercentage} its current value; everything v1 cannot express (other metrics, current
 * metrics, conditions, behavior) travels in the {@code autoscaling.alpha.kubernetes.io/*} annotations, in v1's
 * own shapes, so that a v1 read-modify-write keeps it. Both methods mutate and return their argument.
 */
final class HorizontalPodAutoscalerV1Converter implements VersionConverter {
  static final String METRICS = "autoscaling.alpha.kubernetes.io/metrics";
  static final String CURRENT_METRICS = "autoscaling.alpha.kubernetes.io/current-metrics";
  static final String CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";
  static final String BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior";
  private static final List<String> ROUND_TRIP = List.of(METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** v1 -> v2: sets apiVersion autoscaling/v2; a malformed round-trip annotation is a 400 BadRequest. */
  @Override
  public ObjectNode toStorage(ObjectNode v1) {
    v1.put("apiVersion", "autoscaling/v2");
    ObjectNode annotations = Nodes.obj(ObjectMeta.meta(v1), "annotations");
    ObjectNode spec = Nodes.ensureObj(v1, "spec");
    JsonNode cpu = spec.remove("targetCPUUtilizationPercentage");
    ArrayNode metrics = Nodes.F.arrayNode();
    for (JsonNode m : annotationArray(annotations, METRICS)) {
      metrics.add(HpaMetricShapes.specFromV1(m));
    }
    if (cpu != null && !cpu.isNull()) {
      ObjectNode m = metrics.addObject();
      m.put("type", "Resource");
      ObjectNode resource = m.putObject("resource");
      resource.put("name", "cpu");
      ObjectNode target = resource.putObject("target");
      target.put("type", "Utilization");
      target.set("averageUtilization", cpu);
    }
    if (!metrics.isEmpty()) {
      spec.set("metrics", metrics);
    }
    JsonNode behavior = annotationTree(annotations, BEHAVIOR);
    if (behavior != null) {
      spec.set("behavior", behavior);
    }
    ObjectNode status = Nodes.obj(v1, "status");
    if (status != null) {
      JsonNode currentCpu = status.remove("currentCPUUtilizationPercentage");
      ArrayNode current = Nodes.F.arrayNode();
      if (annotations != null && annotations.has(CURRENT_METRICS)) {
        for (JsonNode m : annotationArray(annotations, CURRENT_METRICS)) {
          current.add(HpaMetricShapes.statusFromV1(m));
        }
      } else if (currentCpu != null && !currentCpu.isNull()) {
        ObjectNode m = current.addObject();
        m.put("type", "Resource");
        ObjectNode resource = m.putObject("resource");
        resource.put("name", "cpu");
        resource.putObject("current").set("averageUtilization", currentCpu);
      }
      if (!current.isEmpty()) {
        status.set("currentMetrics", current);
      }
      JsonNode conditions = annotationTree(annotations, CONDITIONS);
      if (conditions != null) {
        status.set("conditions", conditions);
      }
    }
    dropRoundTripAnnotations(v1);
    return v1;
  }

  /** v2 -> v1: sets apiVersion autoscaling/v1. */
  @Override
  public ObjectNode fromStorage(ObjectNode v2) {
    v2.put("apiVersion", "autoscaling/v1");
    dropRoundTripAnnotations(v2);
    ObjectNode spec = Nodes.ensureObj(v2, "spec");
    JsonNode metrics = spec.remove("metrics");
    ArrayNode others = Nodes.F.arrayNode();
    boolean cpuSet = false;
    if (metrics != null && metrics.isArray()) {
      for (JsonNode m : metrics) {
        Long utilization = cpuUtilization(m, "target");
        if (utilization != null) {
          if (!cpuSet) {
            Nodes.putNum(spec, "targetCPUUtilizationPercentage", utilization);
            cpuSet = true;
          }
          continue;
        }
        others.add(HpaMetricShapes.specToV1(m));
      }
    }
    if (!others.isEmpty()) {
      annotate(v2, METRICS, others);
    }
    JsonNode behavior = spec.remove("behavior");
    if (behavior != null && !behavior.isNull()) {
      annotate(v2, BEHAVIOR, behavior);
    }
    ObjectNode status = Nodes.obj(v2, "status");
    if (status != null) {
      JsonNode current = status.remove("currentMetrics");
      if (current != null && current.isArray() && !current.isEmpty()) {
        ArrayNode shaped = Nodes.F.arrayNode();
        for (JsonNode m : current) {
          Long utilization = cpuUtilization(m, "current");
          if (utilization != null && !status.has("currentCPUUtilizationPercentage")) {
            Nodes.putNum(status, "currentCPUUtilizationPercentage", utilization);
          }
          shaped.add(HpaMetricShapes.statusToV1(m));
        }
        annotate(v2, CURRENT_METRICS, shaped);
      }
      JsonNode conditions = status.remove("conditions");
      if (conditions != null && conditions.isArray() && !conditions.isEmpty()) {
        annotate(v2, CONDITIONS, conditions);
      }
    }
    return v2;
  }

  /** The averageUtilization of a CPU Resource metric under {@code field} ("target" or "current"), or null. */
  private static Long cpuUtilization(JsonNode metric, String field) {
    if (!"Resource".equals(Nodes.text(metric, "type"))) {
      return null;
    }
    JsonNode resource = Nodes.get(metric, "resource");
    if (!"cpu".equals(Nodes.text(resource, "name"))) {
      return null;
    }
    return Nodes.num(Nodes.get(resource, field), "averageUtilization");
  }

  private static void annotate(ObjectNode obj, String key, JsonNode value) {
    Nodes.ensureObj(ObjectMeta.meta(obj), "annotations").put(key, value.toString());
  }

  private static void dropRoundTripAnnotations(ObjectNode obj) {
    ObjectNode meta = Nodes.obj(obj, "metadata");
    ObjectNode annotations = Nodes.obj(meta, "annotations");
    if (annotations != null) {
      annotations.remove(ROUND_TRIP);
      if (annotations.isEmpty()) {
        meta.remove("annotations");
      }
    }
  }

  private static JsonNode annotationTree(ObjectNode annotations, String key) {
    String text = Nodes.str(annotations, key);
    if (text == null) {
      return null;
    }
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("invalid annotation " + key + ": " + e.getOriginalMessage());
    }
  }

  private static ArrayNode annotationArray(ObjectNode annotations, String key) {
    JsonNode tree = annotationTree(annotations, key);
    if (tree == null) {
      return Nodes.F.arrayNode();
    }
    if (!tree.isArray()) {
      throw ApiException.badRequest("invalid annotation " + key + ": expected a JSON array");
    }
    return (ArrayNode) tree;
  }
}

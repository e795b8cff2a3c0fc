package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Maps autoscaling/v2 MetricSpec and MetricStatus objects to and from the older shapes autoscaling/v1 keeps in its
 * round-trip annotations ({@code autoscaling/v1} MetricSpec/MetricStatus, the v2beta1 layout), field by field,
 * so that a v2 object survives a trip through v1 unchanged. Both directions return new trees.
 */
final class HpaMetricShapes {
  private HpaMetricShapes() {}

  /** A v2 dotted path and the v1 dotted path holding the same value. */
  private record Pair(String v2, String v1) {}

  private static final List<Pair> RESOURCE_TARGET = List.of(new Pair("name", "name"),
      new Pair("target.averageUtilization", "targetAverageUtilization"),
      new Pair("target.averageValue", "targetAverageValue"));
  private static final Map<String, List<Pair>> SPEC = Map.of(
      "resource", RESOURCE_TARGET,
      "containerResource", concat(RESOURCE_TARGET, new Pair("container", "container")),
      "pods", List.of(new Pair("metric.name", "metricName"), new Pair("metric.selector", "selector"),
          new Pair("target.averageValue", "targetAverageValue")),
      "object", List.of(new Pair("describedObject", "target"), new Pair("metric.name", "metricName"),
          new Pair("metric.selector", "selector"), new Pair("target.value", "targetValue"),
          new Pair("target.averageValue", "averageValue")),
      "external", List.of(new Pair("metric.name", "metricName"), new Pair("metric.selector", "metricSelector"),
          new Pair("target.value", "targetValue"), new Pair("target.averageValue", "targetAverageValue")));

  private static final List<Pair> RESOURCE_CURRENT = List.of(new Pair("name", "name"),
      new Pair("current.averageUtilization", "currentAverageUtilization"),
      new Pair("current.averageValue", "currentAverageValue"));
  private static final Map<String, List<Pair>> STATUS = Map.of(
      "resource", RESOURCE_CURRENT,
      "containerResource", concat(RESOURCE_CURRENT, new Pair("container", "container")),
      "pods", List.of(new Pair("metric.name", "metricName"), new Pair("metric.selector", "selector"),
          new Pair("current.averageValue", "currentAverageValue")),
      "object", List.of(new Pair("describedObject", "target"), new Pair("metric.name", "metricName"),
          new Pair("metric.selector", "selector"), new Pair("current.value", "currentValue"),
          new Pair("current.averageValue", "averageValue")),
      "external", List.of(new Pair("metric.name", "metricName"), new Pair("metric.selector", "metricSelector"),
          new Pair("current.value", "currentValue"), new Pair("current.averageValue", "currentAverageValue")));

  private static List<Pair> concat(List<Pair> a, Pair b) {
    List<Pair> out = new java.util.ArrayList<>(a);
    out.add(b);
    return List.copyOf(out);
  }

  static ObjectNode specToV1(JsonNode v2) {
    return convert(v2, SPEC, true);
  }

  static ObjectNode specFromV1(JsonNode v1) {
    ObjectNode out = convert(v1, SPEC, false);
    ObjectNode target = Nodes.obj(sourceOf(out), "target");
    if (target != null) {
      target.put("type", Nodes.has(target, "averageUtilization") ? "Utilization"
          : Nodes.has(target, "value") ? "Value" : "AverageValue");
    }
    return out;
  }

  static ObjectNode statusToV1(JsonNode v2) {
    return convert(v2, STATUS, true);
  }

  static ObjectNode statusFromV1(JsonNode v1) {
    return convert(v1, STATUS, false);
  }

  /** The source object named by the metric's type ({@code Resource} -> {@code resource}), or null. */
  static ObjectNode sourceOf(JsonNode metric) {
    String type = Nodes.text(metric, "type");
    return type.isEmpty() ? null : Nodes.obj(metric, Character.toLowerCase(type.charAt(0)) + type.substring(1));
  }

  private static ObjectNode convert(JsonNode in, Map<String, List<Pair>> table, boolean toV1) {
    ObjectNode out = Nodes.F.objectNode();
    String type = Nodes.text(in, "type");
    out.put("type", type);
    String key = type.isEmpty() ? "" : Character.toLowerCase(type.charAt(0)) + type.substring(1);
    JsonNode source = Nodes.get(in, key);
    List<Pair> pairs = table.get(key);
    if (source == null || pairs == null) {
      return out;
    }
    ObjectNode target = out.putObject(key);
    for (Pair p : pairs) {
      JsonNode v = read(source, toV1 ? p.v2() : p.v1());
      if (v != null) {
        write(target, toV1 ? p.v1() : p.v2(), v.deepCopy());
      }
    }
    return out;
  }

  private static JsonNode read(JsonNode node, String dotted) {
    return Nodes.at(node, dotted.split("\\."));
  }

  private static void write(ObjectNode node, String dotted, JsonNode value) {
    String[] parts = dotted.split("\\.");
    ObjectNode cur = node;
    for (int i = 0; i < parts.length - 1; i++) {
      cur = Nodes.ensureObj(cur, parts[i]);
    }
    cur.set(parts[parts.length - 1], value);
  }
}

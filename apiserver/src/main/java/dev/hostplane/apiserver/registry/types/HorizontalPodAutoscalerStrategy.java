package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.Strategy;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * autoscaling HorizontalPodAutoscaler in its storage shape (autoscaling/v2): minReplicas 1, a CPU 80% utilization
 * metric when none is given, behavior rules completed when behavior is set; status reset on create.
 */
final class HorizontalPodAutoscalerStrategy implements Strategy {
  private static final List<String> SOURCES = List.of("object", "pods", "resource", "external",
      "containerResource");

  @Override
  public void applyDefaults(ObjectNode obj) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    Nodes.defaultNum(spec, "minReplicas", 1);
    if (Nodes.isEmpty(spec, "metrics")) {
      ObjectNode m = spec.putArray("metrics").addObject();
      m.put("type", "Resource");
      ObjectNode resource = m.putObject("resource");
      resource.put("name", "cpu");
      ObjectNode target = resource.putObject("target");
      target.put("type", "Utilization");
      target.put("averageUtilization", 80);
    }
    ObjectNode behavior = Nodes.obj(spec, "behavior");
    if (behavior != null) {
      completeRules(behavior, "scaleUp", 0, List.of(policy("Pods", 4), policy("Percent", 100)));
      completeRules(behavior, "scaleDown", null, List.of(policy("Percent", 100)));
    }
  }

  private static ObjectNode policy(String type, int value) {
    ObjectNode p = Nodes.F.objectNode();
    p.put("type", type);
    p.put("value", value);
    p.put("periodSeconds", 15);
    return p;
  }

  /** Upstream GenerateHPAScaleUpRules/ScaleDownRules: fill what the client left unset. */
  private static void completeRules(ObjectNode behavior, String field, Integer window, List<ObjectNode> policies) {
    ObjectNode rules = Nodes.ensureObj(behavior, field);
    Nodes.defaultText(rules, "selectPolicy", "Max");
    if (!Nodes.has(rules, "policies")) {
      ArrayNode a = rules.putArray("policies");
      policies.forEach(a::add);
    }
    if (window != null) {
      Nodes.defaultNum(rules, "stabilizationWindowSeconds", window);
    }
  }

  @Override
  public void prepareForCreate(ObjectNode obj) {
    obj.putObject("status").put("desiredReplicas", 0);
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    Long min = Nodes.num(spec, "minReplicas");
    long max = Nodes.num(spec, "maxReplicas") == null ? 0 : Nodes.num(spec, "maxReplicas");
    if (min != null && min < 1) {
      errs.invalid("spec.minReplicas", min, "must be greater than or equal to 1");
    }
    if (max < 1) {
      errs.invalid("spec.maxReplicas", max, "must be greater than 0");
    }
    if (min != null && max < min) {
      errs.invalid("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`");
    }
    validateReference(Nodes.obj(spec, "scaleTargetRef"), "spec.scaleTargetRef", errs);
    List<ObjectNode> metrics = Nodes.objects(spec, "metrics");
    for (int i = 0; i < metrics.size(); i++) {
      validateMetric(metrics.get(i), "spec.metrics[" + i + "]", errs);
    }
    ObjectNode behavior = Nodes.obj(spec, "behavior");
    for (String f : List.of("scaleUp", "scaleDown")) {
      ObjectNode rules = Nodes.obj(behavior, f);
      if (rules != null) {
        validateRules(rules, "spec.behavior." + f, errs);
      }
    }
    return errs.list();
  }

  /** CrossVersionObjectReference: kind and name required, each a valid path segment. */
  static void validateReference(ObjectNode ref, String path, CauseList errs) {
    for (String f : List.of("kind", "name")) {
      String v = Nodes.text(ref, f);
      if (v.isEmpty()) {
        errs.required(path + "." + f);
      } else {
        errs.invalidEach(path + "." + f, v, pathSegmentErrors(v));
      }
    }
  }

  /** Upstream IsValidPathSegmentName. */
  static List<String> pathSegmentErrors(String name) {
    List<String> out = new ArrayList<>();
    if (name.equals(".") || name.equals("..")) {
      out.add("may not be '" + name + "'");
    }
    if (name.contains("/")) {
      out.add("may not contain '/'");
    }
    if (name.contains("%")) {
      out.add("may not contain '%'");
    }
    return out;
  }

  private static void validateMetric(ObjectNode metric, String path, CauseList errs) {
    String type = Nodes.text(metric, "type");
    if (type.isEmpty()) {
      errs.required(path + ".type", "must specify a metric source type");
    } else if (!List.of("Object", "Pods", "Resource", "External", "ContainerResource").contains(type)) {
      errs.notSupported(path + ".type", type, "Object", "Pods", "Resource", "External", "ContainerResource");
    }
    String expected = type.isEmpty() ? "" : Character.toLowerCase(type.charAt(0)) + type.substring(1);
    List<String> present = new ArrayList<>();
    for (String s : SOURCES) {
      if (Nodes.has(metric, s)) {
        present.add(s);
      }
    }
    if (SOURCES.contains(expected) && !present.contains(expected)) {
      errs.required(path + "." + expected, "must populate information for the given metric source");
    }
    if (present.size() > 1) {
      for (String s : present) {
        if (!s.equals(expected)) {
          errs.forbidden(path + "." + s, "must populate the given metric source only");
        }
      }
    }
    ObjectNode source = Nodes.obj(metric, expected);
    if (source == null || present.size() != 1) {
      return;
    }
    String p = path + "." + expected;
    switch (expected) {
      case "resource", "containerResource" -> {
        if (Nodes.text(source, "name").isEmpty()) {
          errs.required(p + ".name", "must specify a resource name");
        }
        if (expected.equals("containerResource") && Nodes.text(source, "container").isEmpty()) {
          errs.required(p + ".container", "must specify a container");
        }
        ObjectNode target = Nodes.obj(source, "target");
        validateTarget(target, p + ".target", errs);
        boolean util = Nodes.has(target, "averageUtilization");
        boolean avg = Nodes.has(target, "averageValue");
        if (!util && !avg) {
          errs.required(p + ".target.averageUtilization", "must set either a target raw value or a target "
              + "utilization");
        } else if (util && avg) {
          errs.forbidden(p + ".target.averageValue", "may not set both a target raw value and a target "
              + "utilization");
        }
      }
      case "pods" -> {
        requireMetricName(source, p, errs);
        ObjectNode target = Nodes.obj(source, "target");
        validateTarget(target, p + ".target", errs);
        if (!Nodes.has(target, "averageValue")) {
          errs.required(p + ".target.averageValue", "must specify a positive target averageValue");
        }
      }
      case "object", "external" -> {
        if (expected.equals("object")) {
          validateReference(Nodes.obj(source, "describedObject"), p + ".describedObject", errs);
        }
        requireMetricName(source, p, errs);
        ObjectNode target = Nodes.obj(source, "target");
        validateTarget(target, p + ".target", errs);
        if (!Nodes.has(target, "value") && !Nodes.has(target, "averageValue")) {
          errs.required(p + ".target.value", "must set either a target value or averageValue");
        }
      }
      default -> { }
    }
  }

  private static void requireMetricName(ObjectNode source, String path, CauseList errs) {
    if (Nodes.text(Nodes.obj(source, "metric"), "name").isEmpty()) {
      errs.required(path + ".metric.name", "must specify a metric name");
    }
  }

  private static void validateTarget(ObjectNode target, String path, CauseList errs) {
    String type = Nodes.text(target, "type");
    if (type.isEmpty()) {
      errs.required(path + ".type", "must specify a metric target type");
    } else if (!List.of("Utilization", "Value", "AverageValue").contains(type)) {
      errs.invalid(path + ".type", type, "must be either Utilization, Value, or AverageValue");
    }
    for (String f : List.of("value", "averageValue")) {
      String q = Nodes.str(target, f);
      if (q != null) {
        BigDecimal v = Quantities.check(errs, path + "." + f, q, false);
        if (v != null && v.signum() != 1) {
          errs.invalid(path + "." + f, q, "must be positive");
        }
      }
    }
    Long util = Nodes.num(target, "averageUtilization");
    if (util != null && util < 1) {
      errs.invalid(path + ".averageUtilization", util, "must be greater than 0");
    }
  }

  private static void validateRules(ObjectNode rules, String path, CauseList errs) {
    Long window = Nodes.num(rules, "stabilizationWindowSeconds");
    if (window != null && window < 0) {
      errs.invalid(path + ".stabilizationWindowSeconds", window, "must be greater than or equal to zero");
    } else if (window != null && window > 3600) {
      errs.invalid(path + ".stabilizationWindowSeconds", window, "must be less than or equal to 3600");
    }
    FieldChecks.oneOf(errs, path + ".selectPolicy", rules, "selectPolicy", "Disabled", "Max", "Min");
    List<ObjectNode> policies = Nodes.objects(rules, "policies");
    if (policies.isEmpty()) {
      errs.required(path + ".policies", "must specify at least one Policy");
    }
    for (int i = 0; i < policies.size(); i++) {
      ObjectNode pol = policies.get(i);
      String p = path + ".policies[" + i + "]";
      FieldChecks.requiredOneOf(errs, p + ".type", pol, "type", "Pods", "Percent");
      Long value = Nodes.num(pol, "value");
      if (value == null || value <= 0) {
        errs.invalid(p + ".value", value == null ? 0 : value, "must be greater than zero");
      }
      Long period = Nodes.num(pol, "periodSeconds");
      if (period == null || period <= 0) {
        errs.invalid(p + ".periodSeconds", period == null ? 0 : period, "must be greater than zero");
      } else if (period > 1800) {
        errs.invalid(p + ".periodSeconds", period, "must be less than or equal to 1800");
      }
    }
  }
}

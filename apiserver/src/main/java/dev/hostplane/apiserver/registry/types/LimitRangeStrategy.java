package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.Strategy;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * core/v1 LimitRange: container items default their default limit from max and their default request from the
 * default limit, then from min; quantities are valid and ordered min <= defaultRequest <= default <= max.
 */
final class LimitRangeStrategy implements Strategy {
  private static final List<String> MAPS = List.of("max", "min", "default", "defaultRequest",
      "maxLimitRequestRatio");

  @Override
  public void applyDefaults(ObjectNode obj) {
    for (ObjectNode item : Nodes.objects(Nodes.obj(obj, "spec"), "limits")) {
      if (!"Container".equals(Nodes.text(item, "type"))) {
        continue;
      }
      copyMissing(item, "max", "default");
      copyMissing(item, "default", "defaultRequest");
      copyMissing(item, "min", "defaultRequest");
    }
  }

  private static void copyMissing(ObjectNode item, String from, String to) {
    ObjectNode source = Nodes.obj(item, from);
    if (source == null || source.isEmpty()) {
      return;
    }
    ObjectNode target = Nodes.ensureObj(item, to);
    source.fields().forEachRemaining(e -> {
      if (!target.has(e.getKey())) {
        target.set(e.getKey(), e.getValue().deepCopy());
      }
    });
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    List<ObjectNode> items = Nodes.objects(Nodes.obj(obj, "spec"), "limits");
    for (int i = 0; i < items.size(); i++) {
      ObjectNode item = items.get(i);
      String p = "spec.limits[" + i + "]";
      String type = Nodes.text(item, "type");
      FieldChecks.requiredOneOf(errs, p + ".type", item, "type", "Container", "PersistentVolumeClaim", "Pod");
      if ("Pod".equals(type)) {
        for (String f : List.of("default", "defaultRequest")) {
          if (!Nodes.isEmpty(item, f)) {
            errs.forbidden(p + "." + f, "may not be specified when `type` is 'Pod'");
          }
        }
      }
      Map<String, Map<String, BigDecimal>> values = new HashMap<>();
      for (String m : MAPS) {
        Map<String, BigDecimal> parsed = new HashMap<>();
        for (Map.Entry<String, String> e : Nodes.stringMap(item, m).entrySet()) {
          BigDecimal v = Quantities.check(errs, p + "." + m + "[" + e.getKey() + "]", e.getValue(), true);
          if (v != null) {
            parsed.put(e.getKey(), v);
          }
        }
        values.put(m, parsed);
      }
      order(values, item, p, "min", "max", "min value %s is greater than max value %s", errs);
      order(values, item, p, "defaultRequest", "default",
          "default request value %s is greater than default limit value %s", errs);
      order(values, item, p, "min", "defaultRequest", "min value %s is greater than default request value %s",
          errs);
      order(values, item, p, "defaultRequest", "max", "default request value %s is greater than max value %s",
          errs);
      order(values, item, p, "min", "default", "min value %s is greater than default value %s", errs);
      order(values, item, p, "default", "max", "default value %s is greater than max value %s", errs);
    }
    return errs.list();
  }

  /** For each resource in both maps, {@code low <= high}, else Invalid at {@code low[resource]}. */
  private static void order(Map<String, Map<String, BigDecimal>> values, ObjectNode item, String path, String low,
      String high, String message, CauseList errs) {
    Map<String, String> lowText = Nodes.stringMap(item, low);
    Map<String, String> highText = Nodes.stringMap(item, high);
    for (Map.Entry<String, BigDecimal> e : values.get(low).entrySet()) {
      BigDecimal h = values.get(high).get(e.getKey());
      if (h != null && e.getValue().compareTo(h) > 0) {
        errs.invalid(path + "." + low + "[" + e.getKey() + "]", lowText.get(e.getKey()),
            String.format(message, lowText.get(e.getKey()), highText.get(e.getKey())));
      }
    }
  }
}

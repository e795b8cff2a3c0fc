package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Upstream's GetPodQOS: Guaranteed when every container (init and regular) sets cpu and memory limits and all
 * requests equal their limits; BestEffort when no container requests or limits cpu or memory; else Burstable.
 * Only cpu and memory count, and zero quantities count as unset.
 */
final class PodQos {
  private PodQos() {}

  private static final Set<String> QOS_RESOURCES = Set.of("cpu", "memory");

  static String classify(ObjectNode spec) {
    Map<String, BigDecimal> requests = new HashMap<>();
    Map<String, BigDecimal> limits = new HashMap<>();
    boolean guaranteed = true;
    for (String list : List.of("initContainers", "containers")) {
      for (ObjectNode c : Nodes.objects(spec, list)) {
        ObjectNode resources = Nodes.obj(c, "resources");
        sum(Nodes.stringMap(resources, "requests"), requests);
        Set<String> found = new HashSet<>();
        for (Map.Entry<String, String> e : Nodes.stringMap(resources, "limits").entrySet()) {
          BigDecimal v = Quantities.parse(e.getValue());
          if (QOS_RESOURCES.contains(e.getKey()) && v != null && v.signum() != 0) {
            found.add(e.getKey());
            limits.merge(e.getKey(), v, BigDecimal::add);
          }
        }
        if (!found.containsAll(QOS_RESOURCES)) {
          guaranteed = false;
        }
      }
    }
    if (requests.isEmpty() && limits.isEmpty()) {
      return "BestEffort";
    }
    if (guaranteed) {
      for (Map.Entry<String, BigDecimal> e : requests.entrySet()) {
        BigDecimal limit = limits.get(e.getKey());
        if (limit == null || limit.compareTo(e.getValue()) != 0) {
          guaranteed = false;
          break;
        }
      }
    }
    return guaranteed && requests.size() == limits.size() ? "Guaranteed" : "Burstable";
  }

  private static void sum(Map<String, String> quantities, Map<String, BigDecimal> into) {
    for (Map.Entry<String, String> e : quantities.entrySet()) {
      BigDecimal v = Quantities.parse(e.getValue());
      if (QOS_RESOURCES.contains(e.getKey()) && v != null && v.signum() != 0) {
        into.merge(e.getKey(), v, BigDecimal::add);
      }
    }
  }
}

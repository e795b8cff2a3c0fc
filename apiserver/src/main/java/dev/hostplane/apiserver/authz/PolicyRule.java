package dev.hostplane.apiserver.authz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.filter.RequestInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * One RBAC {@code PolicyRule}: what it allows ({@link #allows}) and whether it covers another rule
 * ({@link #covers}, the escalation check), with upstream's matching: {@code *} for verbs, groups and resources,
 * {@code resource/subresource} and {@code * /subresource}, resourceNames (an empty list: any name), and
 * nonResourceURLs with a trailing {@code *}.
 */
public record PolicyRule(List<String> verbs, List<String> apiGroups, List<String> resources,
    List<String> resourceNames, List<String> nonResourceURLs) {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  public PolicyRule {
    verbs = List.copyOf(verbs);
    apiGroups = List.copyOf(apiGroups);
    resources = List.copyOf(resources);
    resourceNames = List.copyOf(resourceNames);
    nonResourceURLs = List.copyOf(nonResourceURLs);
  }

  /** Reads a rule of a Role or ClusterRole; absent lists are empty. */
  public static PolicyRule fromJson(JsonNode rule) {
    return new PolicyRule(strings(rule.path("verbs")), strings(rule.path("apiGroups")),
        strings(rule.path("resources")), strings(rule.path("resourceNames")), strings(rule.path("nonResourceURLs")));
  }

  /** The rules of a Role or ClusterRole object. */
  public static List<PolicyRule> rulesOf(JsonNode role) {
    List<PolicyRule> rules = new ArrayList<>();
    for (JsonNode r : role.path("rules")) {
      rules.add(fromJson(r));
    }
    return rules;
  }

  public ObjectNode toJson() {
    ObjectNode o = NODES.objectNode();
    put(o, "verbs", verbs, true);
    put(o, "apiGroups", apiGroups, !resources.isEmpty() || !apiGroups.isEmpty());
    put(o, "resources", resources, false);
    put(o, "resourceNames", resourceNames, false);
    put(o, "nonResourceURLs", nonResourceURLs, false);
    return o;
  }

  private static void put(ObjectNode o, String field, List<String> values, boolean always) {
    if (values.isEmpty() && !always) {
      return;
    }
    ArrayNode a = o.putArray(field);
    values.forEach(a::add);
  }

  /** True when this rule allows the request (upstream's RuleAllows). */
  public boolean allows(RequestInfo request) {
    if (!verbMatches(request.verb())) {
      return false;
    }
    if (request.resourceRequest()) {
      return has(apiGroups, request.group()) && resourceMatches(request.resource(), request.subresource())
          && (resourceNames.isEmpty() || (!request.name().isEmpty() && resourceNames.contains(request.name())));
    }
    return nonResourceMatches(request.path());
  }

  private boolean verbMatches(String verb) {
    return verbs.contains("*") || verbs.contains(verb);
  }

  private boolean resourceMatches(String resource, String subresource) {
    String combined = subresource.isEmpty() ? resource : resource + "/" + subresource;
    for (String r : resources) {
      if (r.equals("*") || r.equals(combined)) {
        return true;
      }
      if (!subresource.isEmpty() && r.startsWith("*/") && r.substring(2).equals(subresource)) {
        return true;
      }
    }
    return false;
  }

  private boolean nonResourceMatches(String path) {
    for (String u : nonResourceURLs) {
      if (u.equals("*") || u.equals(path) || (u.endsWith("*") && path.startsWith(u.substring(0, u.length() - 1)))) {
        return true;
      }
    }
    return false;
  }

  /** True when holding this rule means holding everything {@code other} grants (upstream's ruleCovers). */
  public boolean covers(PolicyRule other) {
    if (!verbs.contains("*") && !verbs.containsAll(other.verbs)) {
      return false;
    }
    if (!nonResourceCovers(other.nonResourceURLs)) {
      return false;
    }
    if (!apiGroups.contains("*") && !apiGroups.containsAll(other.apiGroups)) {
      return false;
    }
    if (!resourcesCover(other.resources)) {
      return false;
    }
    if (resourceNames.isEmpty()) {
      return true;
    }
    return !other.resourceNames.isEmpty() && resourceNames.containsAll(other.resourceNames);
  }

  private boolean nonResourceCovers(List<String> urls) {
    for (String u : urls) {
      boolean covered = false;
      for (String mine : nonResourceURLs) {
        if (mine.equals(u) || (mine.endsWith("*") && u.startsWith(mine.substring(0, mine.length() - 1)))) {
          covered = true;
          break;
        }
      }
      if (!covered) {
        return false;
      }
    }
    return true;
  }

  private boolean resourcesCover(List<String> wanted) {
    if (resources.contains("*")) {
      return true;
    }
    for (String w : wanted) {
      if (resources.contains(w)) {
        continue;
      }
      int slash = w.indexOf('/');
      if (slash < 0 || !resources.contains("*/" + w.substring(slash + 1))) {
        return false;
      }
    }
    return true;
  }

  /**
   * This rule split into rules of one verb, one group, one resource (and one name, when named), or one verb and
   * one URL: the units the escalation check reports (upstream's BreakdownRule).
   */
  public List<PolicyRule> breakdown() {
    List<PolicyRule> out = new ArrayList<>();
    for (String g : apiGroups) {
      for (String r : resources) {
        for (String v : verbs) {
          if (resourceNames.isEmpty()) {
            out.add(new PolicyRule(List.of(v), List.of(g), List.of(r), List.of(), List.of()));
          } else {
            for (String n : resourceNames) {
              out.add(new PolicyRule(List.of(v), List.of(g), List.of(r), List.of(n), List.of()));
            }
          }
        }
      }
    }
    for (String u : nonResourceURLs) {
      for (String v : verbs) {
        out.add(new PolicyRule(List.of(v), List.of(), List.of(), List.of(), List.of(u)));
      }
    }
    return out;
  }

  /** Upstream's compact form: {@code {APIGroups:[""], Resources:["pods"], Verbs:["get"]}}. */
  public String compactString() {
    List<String> parts = new ArrayList<>();
    field(parts, "APIGroups", apiGroups);
    field(parts, "Resources", resources);
    field(parts, "ResourceNames", resourceNames);
    field(parts, "NonResourceURLs", nonResourceURLs);
    field(parts, "Verbs", verbs);
    return "{" + String.join(", ", parts) + "}";
  }

  private static void field(List<String> parts, String name, List<String> values) {
    if (values.isEmpty()) {
      return;
    }
    List<String> quoted = new ArrayList<>();
    for (String v : values) {
      quoted.add("\"" + v + "\"");
    }
    parts.add(name + ":[" + String.join(" ", quoted) + "]");
  }

  private static boolean has(List<String> values, String value) {
    return values.contains("*") || values.contains(value);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array.isArray()) {
      for (JsonNode n : array) {
        out.add(n.asText());
      }
    }
    return out;
  }
}

package dev.hostplane.webhook.internal;

import java.util.List;

/** Upstream's rule matching for one request: operation, group, version, resource/subresource, scope. */
public final class RuleMatcher {
  private RuleMatcher() {}

  /**
   * True when any rule matches. {@code namespaced} is the scope of the object's resource; Namespace objects are
   * cluster-scoped.
   */
  public static boolean matches(List<Webhook.Rule> rules, String operation, String group, String version,
      String resource, String subresource, boolean namespaced) {
    for (Webhook.Rule r : rules) {
      if (anyOf(r.operations(), operation) && anyOf(r.groups(), group) && anyOf(r.versions(), version)
          && resource(r.resources(), resource, subresource) && scope(r.scope(), namespaced)) {
        return true;
      }
    }
    return false;
  }

  private static boolean anyOf(List<String> values, String v) {
    return values.contains("*") || values.contains(v);
  }

  /** {@code *} is every resource without subresource, {@code pods/*} every subresource of pods, {@code *}/x... */
  static boolean resource(List<String> resources, String resource, String subresource) {
    for (String entry : resources) {
      int slash = entry.indexOf('/');
      String res = slash < 0 ? entry : entry.substring(0, slash);
      String sub = slash < 0 ? "" : entry.substring(slash + 1);
      if ((res.equals("*") || res.equals(resource)) && (sub.equals("*") || sub.equals(subresource))) {
        return true;
      }
    }
    return false;
  }

  private static boolean scope(String scope, boolean namespaced) {
    return switch (scope) {
      case "Cluster" -> !namespaced;
      case "Namespaced" -> namespaced;
      default -> true;
    };
  }
}

package dev.hostplane.apiserver.registry.types;

import dev.hostplane.apiserver.api.NameRule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.NamedBy;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;

/**
 * rbac.authorization.k8s.io/v1 Role and ClusterRole: every rule has verbs; resource rules name API groups and
 * resources; non-resource URLs only in ClusterRoles and never mixed with resources; ClusterRoles may aggregate.
 */
final class RoleStrategy implements Strategy, NamedBy {
  private final boolean cluster;

  private RoleStrategy(boolean cluster) {
    this.cluster = cluster;
  }

  static RoleStrategy role() {
    return new RoleStrategy(false);
  }

  static RoleStrategy clusterRole() {
    return new RoleStrategy(true);
  }

  @Override
  public NameRule nameRule() {
    return NameRule.PATH_SEGMENT;
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    List<ObjectNode> rules = Nodes.objects(obj, "rules");
    for (int i = 0; i < rules.size(); i++) {
      validateRule(rules.get(i), !cluster, "rules[" + i + "]", errs);
    }
    ObjectNode aggregation = Nodes.obj(obj, "aggregationRule");
    if (cluster && aggregation != null) {
      List<ObjectNode> selectors = Nodes.objects(aggregation, "clusterRoleSelectors");
      if (selectors.isEmpty()) {
        errs.required("aggregationRule.clusterRoleSelectors",
            "at least one clusterRoleSelector required if aggregationRule is non-nil");
      }
      for (int i = 0; i < selectors.size(); i++) {
        LabelSelectors.validate(selectors.get(i), "aggregationRule.clusterRoleSelectors[" + i + "]", errs);
      }
    }
    return errs.list();
  }

  /** Upstream ValidatePolicyRule. */
  static void validateRule(ObjectNode rule, boolean namespaced, String path, CauseList errs) {
    if (Nodes.isEmpty(rule, "verbs")) {
      errs.required(path + ".verbs", "verbs must contain at least one value");
    }
    List<String> urls = Nodes.strings(rule, "nonResourceURLs");
    if (!urls.isEmpty()) {
      CauseList.Raw shown = new CauseList.Raw(CauseList.goStrings(urls));
      if (namespaced) {
        errs.invalid(path + ".nonResourceURLs", shown, "namespaced rules cannot apply to non-resource URLs");
      }
      if (!Nodes.isEmpty(rule, "apiGroups") || !Nodes.isEmpty(rule, "resources")
          || !Nodes.isEmpty(rule, "resourceNames")) {
        errs.invalid(path + ".nonResourceURLs", shown,
            "rules cannot apply to both regular resources and non-resource URLs");
      }
      return;
    }
    if (Nodes.isEmpty(rule, "apiGroups")) {
      errs.required(path + ".apiGroups", "resource rules must supply at least one api group");
    }
    if (Nodes.isEmpty(rule, "resources")) {
      errs.required(path + ".resources", "resource rules must supply at least one resource");
    }
  }
}

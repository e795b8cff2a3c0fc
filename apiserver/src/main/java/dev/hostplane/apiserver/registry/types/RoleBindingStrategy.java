package dev.hostplane.apiserver.registry.types;

import dev.hostplane.apiserver.api.NameRule;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.NamedBy;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;

/**
 * rbac.authorization.k8s.io/v1 RoleBinding and ClusterRoleBinding: a roleRef in the RBAC group (a Role or
 * ClusterRole; ClusterRoleBindings only ClusterRoles) that can never change, and well-formed subjects.
 */
final class RoleBindingStrategy implements Strategy, NamedBy {
  static final String GROUP = "rbac.authorization.k8s.io";
  private final boolean cluster;

  private RoleBindingStrategy(boolean cluster) {
    this.cluster = cluster;
  }

  static RoleBindingStrategy roleBinding() {
    return new RoleBindingStrategy(false);
  }

  static RoleBindingStrategy clusterRoleBinding() {
    return new RoleBindingStrategy(true);
  }

  @Override
  public NameRule nameRule() {
    return NameRule.PATH_SEGMENT;
  }

  /** roleRef.apiGroup, and the apiGroup of User and Group subjects, default to the RBAC group. */
  @Override
  public void applyDefaults(ObjectNode obj) {
    ObjectNode roleRef = Nodes.obj(obj, "roleRef");
    if (roleRef != null && Nodes.text(roleRef, "apiGroup").isEmpty()) {
      roleRef.put("apiGroup", GROUP);
    }
    for (ObjectNode s : Nodes.objects(obj, "subjects")) {
      String kind = Nodes.text(s, "kind");
      if ((kind.equals("User") || kind.equals("Group")) && Nodes.text(s, "apiGroup").isEmpty()) {
        s.put("apiGroup", GROUP);
      }
    }
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode roleRef = Nodes.obj(obj, "roleRef");
    String group = Nodes.text(roleRef, "apiGroup");
    if (!group.equals(GROUP)) {
      errs.notSupported("roleRef.apiGroup", group, GROUP);
    }
    String kind = Nodes.text(roleRef, "kind");
    if (cluster && !kind.equals("ClusterRole")) {
      errs.notSupported("roleRef.kind", kind, "ClusterRole");
    } else if (!cluster && !kind.equals("Role") && !kind.equals("ClusterRole")) {
      errs.notSupported("roleRef.kind", kind, "Role", "ClusterRole");
    }
    String name = Nodes.text(roleRef, "name");
    if (name.isEmpty()) {
      errs.required("roleRef.name");
    } else {
      errs.invalidEach("roleRef.name", name, HorizontalPodAutoscalerStrategy.pathSegmentErrors(name));
    }
    List<ObjectNode> subjects = Nodes.objects(obj, "subjects");
    for (int i = 0; i < subjects.size(); i++) {
      validateSubject(subjects.get(i), "subjects[" + i + "]", errs);
    }
    return errs.list();
  }

  private void validateSubject(ObjectNode s, String path, CauseList errs) {
    String name = Nodes.text(s, "name");
    if (name.isEmpty()) {
      errs.required(path + ".name");
    }
    String apiGroup = Nodes.text(s, "apiGroup");
    switch (Nodes.text(s, "kind")) {
      case "ServiceAccount" -> {
        if (!name.isEmpty()) {
          errs.invalidEach(path + ".name", name, Validation.isDns1123Subdomain(name));
        }
        if (!apiGroup.isEmpty()) {
          errs.notSupported(path + ".apiGroup", apiGroup, "");
        }
        if (cluster && Nodes.text(s, "namespace").isEmpty()) {
          errs.required(path + ".namespace");
        }
      }
      case "User", "Group" -> {
        if (!apiGroup.equals(GROUP)) {
          errs.notSupported(path + ".apiGroup", apiGroup, GROUP);
        }
      }
      default -> errs.notSupported(path + ".kind", Nodes.text(s, "kind"), "ServiceAccount", "User", "Group");
    }
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    JsonNode roleRef = Nodes.get(obj, "roleRef");
    if (!Nodes.same(roleRef, Nodes.get(old, "roleRef"))) {
      errs.invalid("roleRef", formatRoleRef(roleRef), "cannot change roleRef");
    }
    return errs.list();
  }

  /** Go's {@code %#v} of an rbac.RoleRef. */
  static CauseList.Raw formatRoleRef(JsonNode roleRef) {
    return new CauseList.Raw("rbac.RoleRef{APIGroup:" + CauseList.quote(Nodes.text(roleRef, "apiGroup"))
        + ", Kind:" + CauseList.quote(Nodes.text(roleRef, "kind")) + ", Name:"
        + CauseList.quote(Nodes.text(roleRef, "name")) + "}");
  }
}

package dev.hostplane.apiserver.authz;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Kubernetes' default RBAC policy, as kube-apiserver creates it at start: ClusterRoles, ClusterRoleBindings, and
 * the namespaced Roles and RoleBindings in kube-system and kube-public, each labelled
 * {@code kubernetes.io/bootstrapping: rbac-defaults} and annotated {@code rbac.authorization.kubernetes.io/autoupdate:
 * "true"}. The data is {@code bootstrap-policy.txt} beside this class (its header describes the format).
 */
public final class BootstrapPolicy {
  public static final String GROUP = "rbac.authorization.k8s.io";
  public static final String BOOTSTRAP_LABEL = "kubernetes.io/bootstrapping";
  public static final String AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final List<ObjectNode> clusterRoles;
  private final List<ObjectNode> clusterRoleBindings;
  private final List<ObjectNode> roles;
  private final List<ObjectNode> roleBindings;

  private BootstrapPolicy(List<ObjectNode> clusterRoles, List<ObjectNode> clusterRoleBindings, List<ObjectNode> roles,
      List<ObjectNode> roleBindings) {
    this.clusterRoles = List.copyOf(clusterRoles);
    this.clusterRoleBindings = List.copyOf(clusterRoleBindings);
    this.roles = List.copyOf(roles);
    this.roleBindings = List.copyOf(roleBindings);
  }

  /** Objects are shared: callers copy before changing them. */
  public List<ObjectNode> clusterRoles() {
    return clusterRoles;
  }

  public List<ObjectNode> clusterRoleBindings() {
    return clusterRoleBindings;
  }

  public List<ObjectNode> roles() {
    return roles;
  }

  public List<ObjectNode> roleBindings() {
    return roleBindings;
  }

  /** The rules of the bootstrap ClusterRole {@code name}; fails when there is none. */
  public List<PolicyRule> clusterRoleRules(String name) {
    for (ObjectNode r : clusterRoles) {
      if (r.path("metadata").path("name").asText().equals(name)) {
        return PolicyRule.rulesOf(r);
      }
    }
    throw new IllegalArgumentException("no bootstrap ClusterRole " + name);
  }

  private static volatile BootstrapPolicy loaded;

  /** The policy (read once from the class path). */
  public static BootstrapPolicy get() {
    BootstrapPolicy p = loaded;
    if (p == null) {
      try (InputStream in = BootstrapPolicy.class.getResourceAsStream("bootstrap-policy.txt")) {
        if (in == null) {
          throw new IllegalStateException("bootstrap-policy.txt missing from the class path");
        }
        p = parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      loaded = p;
    }
    return p;
  }

  static BootstrapPolicy parse(List<String> lines) {
    List<ObjectNode> clusterRoles = new ArrayList<>();
    List<ObjectNode> clusterRoleBindings = new ArrayList<>();
    List<ObjectNode> roles = new ArrayList<>();
    List<ObjectNode> roleBindings = new ArrayList<>();
    ObjectNode current = null;
    int n = 0;
    for (String line : lines) {
      n++;
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      String[] w = t.split("\\s+");
      try {
        switch (w[0]) {
          case "clusterrole" -> {
            current = object("ClusterRole", "", w[1]);
            current.putArray("rules");
            for (int i = 2; i + 1 < w.length; i += 2) {
              String[] kv = w[i + 1].split("=", 2);
              if (w[i].equals("label")) {
                ((ObjectNode) current.path("metadata").path("labels")).put(kv[0], kv[1]);
              } else if (w[i].equals("aggregate")) {
                ObjectNode agg = current.has("aggregationRule") ? (ObjectNode) current.get("aggregationRule")
                    : current.putObject("aggregationRule");
                ArrayNode sels = agg.has("clusterRoleSelectors") ? (ArrayNode) agg.get("clusterRoleSelectors")
                    : agg.putArray("clusterRoleSelectors");
                sels.addObject().putObject("matchLabels").put(kv[0], kv[1]);
              } else {
                throw new IllegalArgumentException("unknown attribute " + w[i]);
              }
            }
            clusterRoles.add(current);
          }
          case "role" -> {
            current = object("Role", w[1], w[2]);
            current.putArray("rules");
            roles.add(current);
          }
          case "clusterrolebinding" -> {
            current = binding("ClusterRoleBinding", "", w[1], "ClusterRole", w[2]);
            clusterRoleBindings.add(current);
          }
          case "rolebinding" -> {
            current = binding("RoleBinding", w[1], w[2], "Role", w[3]);
            roleBindings.add(current);
          }
          case "rule" -> {
            ObjectNode rule = ((ArrayNode) current.get("rules")).addObject();
            list(rule, "apiGroups", w[1]);
            list(rule, "resources", w[2]);
            list(rule, "verbs", w[3]);
            if (w.length > 4) {
              list(rule, "resourceNames", w[4]);
            }
          }
          case "url" -> {
            ObjectNode rule = ((ArrayNode) current.get("rules")).addObject();
            list(rule, "nonResourceURLs", w[1]);
            list(rule, "verbs", w[2]);
          }
          case "user", "group" -> subject(current, w[0].equals("user") ? "User" : "Group", w[1], null);
          case "sa" -> {
            String[] nsName = w[1].split("/", 2);
            subject(current, "ServiceAccount", nsName[1], nsName[0]);
          }
          default -> throw new IllegalArgumentException("unknown directive " + w[0]);
        }
      } catch (RuntimeException e) {
        throw new IllegalStateException("bootstrap-policy.txt line " + n + ": " + e.getMessage(), e);
      }
    }
    return new BootstrapPolicy(clusterRoles, clusterRoleBindings, roles, roleBindings);
  }

  private static ObjectNode object(String kind, String namespace, String name) {
    ObjectNode o = NODES.objectNode();
    o.put("apiVersion", GROUP + "/v1");
    o.put("kind", kind);
    ObjectNode meta = o.putObject("metadata");
    meta.put("name", name);
    if (!namespace.isEmpty()) {
      meta.put("namespace", namespace);
    }
    meta.putObject("labels").put(BOOTSTRAP_LABEL, "rbac-defaults");
    meta.putObject("annotations").put(AUTOUPDATE, "true");
    return o;
  }

  private static ObjectNode binding(String kind, String namespace, String name, String roleKind, String role) {
    ObjectNode b = object(kind, namespace, name);
    ObjectNode ref = b.putObject("roleRef");
    ref.put("apiGroup", GROUP);
    ref.put("kind", roleKind);
    ref.put("name", role);
    return b;
  }

  private static void subject(ObjectNode binding, String kind, String name, String namespace) {
    ArrayNode subjects = binding.has("subjects") ? (ArrayNode) binding.get("subjects") : binding.putArray("subjects");
    ObjectNode s = subjects.addObject();
    s.put("kind", kind);
    if (namespace == null) {
      s.put("apiGroup", GROUP);
    }
    s.put("name", name);
    if (namespace != null) {
      s.put("namespace", namespace);
    }
  }

  private static void list(ObjectNode rule, String field, String commaList) {
    ArrayNode a = rule.putArray(field);
    for (String v : commaList.split(",", -1)) {
      a.add(v.equals("-") ? "" : v);
    }
  }
}

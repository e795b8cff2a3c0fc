package dev.hostplane.apiserver.authz.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.LabelSelector;
import dev.hostplane.apiserver.authz.PolicyRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parsed forms of the four RBAC objects that the authorizer's index holds. */
public final class RbacObjects {
  private RbacObjects() {}

  /**
   * A Role or ClusterRole. {@code aggregation} is the ClusterRole's aggregationRule selectors, or null when it has
   * none. {@code resourceVersion} lets a writer use the seen version as a precondition.
   */
  public record Role(String namespace, String name, Map<String, String> labels, List<PolicyRule> rules,
      List<LabelSelector> aggregation, String resourceVersion) {
    public static Role parse(ObjectNode obj) {
      JsonNode meta = obj.path("metadata");
      Map<String, String> labels = new LinkedHashMap<>();
      meta.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      List<LabelSelector> aggregation = null;
      JsonNode agg = obj.path("aggregationRule");
      if (agg.isObject()) {
        aggregation = new ArrayList<>();
        for (JsonNode sel : agg.path("clusterRoleSelectors")) {
          aggregation.add(LabelSelector.fromJson(sel));
        }
      }
      return new Role(meta.path("namespace").asText(""), meta.path("name").asText(), Map.copyOf(labels),
          PolicyRule.rulesOf(obj), aggregation == null ? null : List.copyOf(aggregation),
          meta.path("resourceVersion").asText(""));
    }
  }

  /**
   * A RoleBinding (namespace set) or ClusterRoleBinding (namespace ""), with its subjects as index keys:
   * {@code u:<user name>} (User subjects, and ServiceAccount subjects as their user
   * {@code system:serviceaccount:<ns>:<name>}) and {@code g:<group>}.
   */
  public record Binding(String namespace, String name, String roleKind, String roleName, List<String> subjectKeys) {
    public static Binding parse(ObjectNode obj) {
      JsonNode meta = obj.path("metadata");
      String ns = meta.path("namespace").asText("");
      List<String> keys = new ArrayList<>();
      for (JsonNode s : obj.path("subjects")) {
        String name = s.path("name").asText("");
        switch (s.path("kind").asText("")) {
          case "User" -> keys.add(userKey(name));
          case "Group" -> keys.add(groupKey(name));
          case "ServiceAccount" -> {
            // As upstream: a ServiceAccount subject without a namespace means the binding's namespace.
            String saNs = s.path("namespace").asText("");
            if (saNs.isEmpty()) {
              saNs = ns;
            }
            if (!saNs.isEmpty() && !name.isEmpty()) {
              keys.add(userKey("system:serviceaccount:" + saNs + ":" + name));
            }
          }
          default -> { }
        }
      }
      JsonNode ref = obj.path("roleRef");
      return new Binding(ns, meta.path("name").asText(), ref.path("kind").asText(""), ref.path("name").asText(""),
          List.copyOf(keys));
    }
  }

  public static String userKey(String user) {
    return "u:" + user;
  }

  public static String groupKey(String group) {
    return "g:" + group;
  }
}

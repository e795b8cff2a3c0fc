package dev.hostplane.apiserver.authz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.admission.Admission;
import dev.hostplane.apiserver.admission.Attributes;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.filter.RequestInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * RBAC's escalation prevention, as upstream's policy-based role and binding storage, run as a validating admission
 * step on creates and updates of the four RBAC types:
 * <ul>
 *   <li>a Role or ClusterRole may grant only what its writer holds (RBAC rules in the role's namespace, or
 *       cluster-wide), unless the writer may {@code escalate} it; an {@code aggregationRule} needs every
 *       permission (cluster-admin);</li>
 *   <li>a RoleBinding or ClusterRoleBinding may reference only a role whose rules the writer holds (in the
 *       binding's namespace), unless the writer may {@code bind} that role (by name).</li>
 * </ul>
 * Members of {@code system:masters} are exempt. Refusals are 403 Forbidden with upstream's wording.
 */
public final class EscalationCheck implements Admission {
  private static final String GROUP = BootstrapPolicy.GROUP;
  private static final PolicyRule EVERYTHING = new PolicyRule(List.of("*"), List.of("*"), List.of("*"), List.of(),
      List.of());
  private static final PolicyRule EVERY_URL = new PolicyRule(List.of("*"), List.of(), List.of(), List.of(),
      List.of("*"));

  private final Supplier<Authorizer> authorizer;
  private final Supplier<RbacAuthorizer> rbac;

  /**
   * @param authorizer the request authorizer (asked about {@code escalate} and {@code bind})
   * @param rbac whose rules a user holds, and what a role grants
   */
  public EscalationCheck(Supplier<Authorizer> authorizer, Supplier<RbacAuthorizer> rbac) {
    this.authorizer = authorizer;
    this.rbac = rbac;
  }

  @Override
  public CompletionStage<Void> validate(Attributes a) {
    if (!a.type().group().equals(GROUP) || !a.subresource().isEmpty()
        || (a.operation() != Attributes.Operation.CREATE && a.operation() != Attributes.Operation.UPDATE)
        || a.user().inGroup(AuthorizerChain.PRIVILEGED_GROUP)) {
      return CompletableFuture.completedFuture(null);
    }
    if (onlyGarbageCollectionFields(a)) {
      return CompletableFuture.completedFuture(null);
    }
    try {
      switch (a.type().resource()) {
        case "roles", "clusterroles" -> checkRole(a);
        case "rolebindings", "clusterrolebindings" -> checkBinding(a);
        default -> { }
      }
      return CompletableFuture.completedFuture(null);
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void checkRole(Attributes a) {
    String name = nameOf(a);
    if (allowed(a.user(), "escalate", a.type().resource(), a.namespace(), name)) {
      return;
    }
    if (a.object().path("aggregationRule").isObject()) {
      if (!missing(a.user(), "", List.of(EVERYTHING, EVERY_URL)).isEmpty()) {
        throw forbidden(a.type().resource(), name, "must have cluster-admin privileges to use the aggregationRule");
      }
      return;
    }
    confirmNoEscalation(a.user(), a.namespace(), PolicyRule.rulesOf(a.object()), a.type().resource(), name);
  }

  /**
   * As upstream's IsOnlyMutatingGCFields: an update that changes only ownerReferences and finalizers (what the
   * garbage collector needs to delete the object) is not checked.
   */
  private static boolean onlyGarbageCollectionFields(Attributes a) {
    if (a.operation() != Attributes.Operation.UPDATE || a.oldObject() == null || a.object() == null) {
      return false;
    }
    return withoutGcFields(a.object()).equals(withoutGcFields(a.oldObject()));
  }

  private static ObjectNode withoutGcFields(ObjectNode obj) {
    ObjectNode copy = obj.deepCopy();
    JsonNode meta = copy.get("metadata");
    if (meta instanceof ObjectNode m) {
      m.remove(List.of("ownerReferences", "finalizers", "resourceVersion", "managedFields", "generation"));
    }
    return copy;
  }

  private void checkBinding(Attributes a) {
    String name = nameOf(a);
    JsonNode ref = a.object().path("roleRef");
    String kind = ref.path("kind").asText("");
    String roleName = ref.path("name").asText("");
    String roleResource = kind.equals("Role") ? "roles" : "clusterroles";
    if (allowed(a.user(), "bind", roleResource, a.namespace(), roleName)) {
      return;
    }
    List<PolicyRule> rules = rbac.get().roleRules(kind, a.namespace(), roleName);
    if (rules == null) {
      throw ApiException.notFound(GROUP, roleResource, roleName);
    }
    confirmNoEscalation(a.user(), a.namespace(), rules, a.type().resource(), name);
  }

  private boolean allowed(UserInfo user, String verb, String resource, String namespace, String name) {
    RequestInfo ask = new RequestInfo(true, "", verb, "apis", GROUP, "v1", namespace, resource, "", name, List.of());
    return authorizer.get().authorize(user, ask) == Authorizer.Decision.ALLOW;
  }

  /** Upstream's ConfirmNoEscalation: every rule granted must be covered by a rule the user holds. */
  private void confirmNoEscalation(UserInfo user, String namespace, List<PolicyRule> rules, String resource,
      String name) {
    List<PolicyRule> missing = missing(user, namespace, rules);
    if (missing.isEmpty()) {
      return;
    }
    TreeSet<String> descriptions = new TreeSet<>();
    for (PolicyRule r : compact(missing)) {
      descriptions.add(r.compactString());
    }
    List<String> groups = new ArrayList<>();
    for (String g : user.groups()) {
      groups.add("\"" + g + "\"");
    }
    throw forbidden(resource, name, "user \"" + user.name() + "\" (groups=[" + String.join(" ", groups)
        + "]) is attempting to grant RBAC permissions not currently held:\n" + String.join("\n", descriptions));
  }

  private List<PolicyRule> missing(UserInfo user, String namespace, List<PolicyRule> wanted) {
    List<PolicyRule> held = rbac.get().rulesFor(user, namespace);
    List<PolicyRule> missing = new ArrayList<>();
    for (PolicyRule w : wanted) {
      for (PolicyRule unit : w.breakdown()) {
        if (held.stream().noneMatch(h -> h.covers(unit))) {
          missing.add(unit);
        }
      }
    }
    return missing;
  }

  /** Upstream's CompactRules: unnamed single-group single-verb resource rules merge their resources. */
  private static List<PolicyRule> compact(List<PolicyRule> rules) {
    Map<String, List<String>> merged = new LinkedHashMap<>();
    Map<String, PolicyRule> firsts = new LinkedHashMap<>();
    List<PolicyRule> out = new ArrayList<>();
    for (PolicyRule r : rules) {
      if (r.resources().isEmpty() || !r.resourceNames().isEmpty()) {
        out.add(r);
        continue;
      }
      String key = r.apiGroups().get(0) + "\0" + r.verbs().get(0);
      firsts.putIfAbsent(key, r);
      List<String> resources = merged.computeIfAbsent(key, k -> new ArrayList<>());
      for (String res : r.resources()) {
        if (!resources.contains(res)) {
          resources.add(res);
        }
      }
    }
    merged.forEach((key, resources) -> {
      PolicyRule first = firsts.get(key);
      out.add(new PolicyRule(first.verbs(), first.apiGroups(), resources, List.of(), List.of()));
    });
    return out;
  }

  private static ApiException forbidden(String resource, String name, String why) {
    String what = resource + "." + GROUP + (name.isEmpty() ? "" : " \"" + name + "\"");
    return new ApiException(new Status(403, "Forbidden", what + " is forbidden: " + why,
        new Status.Details(name.isEmpty() ? null : name, GROUP, resource, null, null, null)));
  }

  private static String nameOf(Attributes a) {
    if (a.name() != null && !a.name().isEmpty()) {
      return a.name();
    }
    ObjectNode obj = a.object();
    return obj == null ? "" : obj.path("metadata").path("name").asText("");
  }
}

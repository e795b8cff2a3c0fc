package dev.hostplane.apiserver.authz;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.authz.internal.RbacObjects;
import dev.hostplane.apiserver.filter.RequestInfo;
import dev.hostplane.apiserver.registry.Mirror;
import dev.hostplane.apiserver.registry.Registry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Upstream's RBAC authorizer (mode {@code RBAC}): a request is allowed when a rule of a role bound to the user, one
 * of its groups, or its service account allows it, through a ClusterRoleBinding (anywhere) or a RoleBinding in the
 * request's namespace; otherwise NO_OPINION.
 *
 * <p>The four RBAC types are {@link Mirror mirrored} from storage, and bindings are indexed by subject (and
 * namespace), so a decision reads only the bindings of the user's name and groups, never every binding. A write is
 * seen once its watch event has arrived (milliseconds). Before the first lists are in, nothing is allowed.
 *
 * <p>Threading: decisions run on any thread, lock-free; the index is updated on storage threads.
 */
public final class RbacAuthorizer implements Authorizer, AutoCloseable {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Mirror<RbacObjects.Role> roles;
  private final Mirror<RbacObjects.Role> clusterRoles;
  private final Mirror<RbacObjects.Binding> roleBindings;
  private final Mirror<RbacObjects.Binding> clusterRoleBindings;
  /** subject key -> ClusterRoleBindings naming it. */
  private final ConcurrentHashMap<String, Set<RbacObjects.Binding>> clusterIndex = new ConcurrentHashMap<>();
  /** namespace + NUL + subject key -> RoleBindings of that namespace naming it. */
  private final ConcurrentHashMap<String, Set<RbacObjects.Binding>> namespaceIndex = new ConcurrentHashMap<>();
  /**
   * index key -> the rules its bindings grant, by API group: built on first use, dropped by any RBAC change. So a
   * decision looks only at the rules for the request's API group, however many roles a group such as
   * {@code system:authenticated} is bound to.
   */
  private final ConcurrentHashMap<String, Grants> grants = new ConcurrentHashMap<>();
  /** Bumped by every RBAC change; a {@link Grants} built under an older generation is rebuilt. */
  private final AtomicLong generation = new AtomicLong();

  public RbacAuthorizer(Registry registry) {
    String g = "rbac.authorization.k8s.io";
    roles = new Mirror<>(registry.store(g, "v1", "roles"), RbacObjects.Role::parse, (k, b, a) -> changed());
    clusterRoles = new Mirror<>(registry.store(g, "v1", "clusterroles"), RbacObjects.Role::parse,
        (k, b, a) -> changed());
    roleBindings = new Mirror<>(registry.store(g, "v1", "rolebindings"), RbacObjects.Binding::parse,
        (k, before, after) -> {
          reindex(namespaceIndex, before, after);
          changed();
        });
    clusterRoleBindings = new Mirror<>(registry.store(g, "v1", "clusterrolebindings"), RbacObjects.Binding::parse,
        (k, before, after) -> {
          reindex(clusterIndex, before, after);
          changed();
        });
  }

  /** Starts following storage; completes once all four types are listed. */
  public CompletionStage<Void> start() {
    return CompletableFuture.allOf(roles.start().toCompletableFuture(), clusterRoles.start().toCompletableFuture(),
        roleBindings.start().toCompletableFuture(), clusterRoleBindings.start().toCompletableFuture());
  }

  public boolean synced() {
    return roles.synced() && clusterRoles.synced() && roleBindings.synced() && clusterRoleBindings.synced();
  }

  /** The ClusterRoles as this authorizer currently sees them (for the aggregation controller). */
  public Mirror<RbacObjects.Role> clusterRoles() {
    return clusterRoles;
  }

  private static void reindex(ConcurrentHashMap<String, Set<RbacObjects.Binding>> index, RbacObjects.Binding before,
      RbacObjects.Binding after) {
    if (before != null) {
      for (String key : before.subjectKeys()) {
        index.computeIfPresent(indexKey(before.namespace(), key), (k, set) -> {
          set.remove(before);
          return set.isEmpty() ? null : set;
        });
      }
    }
    if (after != null) {
      for (String key : after.subjectKeys()) {
        index.computeIfAbsent(indexKey(after.namespace(), key), k -> ConcurrentHashMap.newKeySet()).add(after);
      }
    }
  }

  /** After the indexes took a change: every compiled grant is stale. */
  private void changed() {
    generation.incrementAndGet();
    grants.clear();
  }

  /**
   * The rules the bindings under one index key grant, split by API group ({@code "*"} rules apart) and
   * non-resource URLs. Candidates only: {@link PolicyRule#allows} still decides.
   */
  private record Grants(long generation, Map<String, List<PolicyRule>> byGroup, List<PolicyRule> nonResource) {
    static final Grants NONE = new Grants(Long.MIN_VALUE, Map.of(), List.of());

    boolean allows(RequestInfo request) {
      if (!request.resourceRequest()) {
        return anyAllows(nonResource, request);
      }
      List<PolicyRule> exact = byGroup.get(request.group());
      if (exact != null && anyAllows(exact, request)) {
        return true;
      }
      List<PolicyRule> any = byGroup.get("*");
      return any != null && anyAllows(any, request);
    }
  }

  /** The compiled grant of {@code key} in {@code index}, built when missing or stale. */
  private Grants grantsOf(ConcurrentHashMap<String, Set<RbacObjects.Binding>> index, String key) {
    long gen = generation.get();
    Grants g = grants.get(key);
    if (g != null && g.generation() == gen) {
      return g;
    }
    Set<RbacObjects.Binding> bindings = index.get(key);
    if (bindings == null || bindings.isEmpty()) {
      return Grants.NONE;
    }
    Map<String, List<PolicyRule>> byGroup = new HashMap<>();
    List<PolicyRule> nonResource = new ArrayList<>();
    for (RbacObjects.Binding b : bindings) {
      for (PolicyRule r : ruleOf(b)) {
        if (!r.nonResourceURLs().isEmpty()) {
          nonResource.add(r);
        }
        if (!r.resources().isEmpty()) {
          for (String group : r.apiGroups()) {
            byGroup.computeIfAbsent(group, x -> new ArrayList<>()).add(r);
          }
        }
      }
    }
    g = new Grants(gen, byGroup, nonResource);
    grants.put(key, g); // a change meanwhile bumped the generation: the next decision rebuilds
    return g;
  }

  private static String indexKey(String namespace, String subjectKey) {
    return namespace.isEmpty() ? subjectKey : namespace + '\0' + subjectKey;
  }

  @Override
  public Decision authorize(UserInfo user, RequestInfo request) {
    List<String> keys = subjectKeys(user);
    for (String key : keys) {
      if (grantsOf(clusterIndex, key).allows(request)) {
        return Decision.ALLOW;
      }
    }
    String ns = request.resourceRequest() ? request.namespace() : "";
    if (!ns.isEmpty()) {
      for (String key : keys) {
        if (grantsOf(namespaceIndex, indexKey(ns, key)).allows(request)) {
          return Decision.ALLOW;
        }
      }
    }
    return Decision.NO_OPINION;
  }

  private static boolean anyAllows(List<PolicyRule> rules, RequestInfo request) {
    for (PolicyRule r : rules) {
      if (r.allows(request)) {
        return true;
      }
    }
    return false;
  }

  /** The rules a binding grants, or none when its role does not exist (yet). */
  private List<PolicyRule> ruleOf(RbacObjects.Binding b) {
    RbacObjects.Role role = b.roleKind().equals("Role") ? roles.get(b.namespace(), b.roleName())
        : b.roleKind().equals("ClusterRole") ? clusterRoles.get("", b.roleName()) : null;
    return role == null ? List.of() : role.rules();
  }

  /**
   * The rules a role reference grants ({@code kind} Role or ClusterRole); null when the role does not exist. For
   * the escalation check of bindings.
   */
  public List<PolicyRule> roleRules(String kind, String namespace, String name) {
    RbacObjects.Role role = kind.equals("Role") ? roles.get(namespace, name)
        : kind.equals("ClusterRole") ? clusterRoles.get("", name) : null;
    return role == null ? null : role.rules();
  }

  /** Every rule granted to {@code user} cluster-wide and, when {@code namespace} is set, in that namespace. */
  public List<PolicyRule> rulesFor(UserInfo user, String namespace) {
    List<PolicyRule> out = new ArrayList<>();
    List<String> keys = subjectKeys(user);
    for (String key : keys) {
      for (RbacObjects.Binding b : clusterIndex.getOrDefault(key, Set.of())) {
        out.addAll(ruleOf(b));
      }
    }
    if (!namespace.isEmpty()) {
      for (String key : keys) {
        for (RbacObjects.Binding b : namespaceIndex.getOrDefault(indexKey(namespace, key), Set.of())) {
          out.addAll(ruleOf(b));
        }
      }
    }
    return out;
  }

  @Override
  public ObjectNode rules(UserInfo user, String namespace) {
    ObjectNode status = NODES.objectNode();
    ArrayNode resourceRules = status.putArray("resourceRules");
    ArrayNode nonResourceRules = status.putArray("nonResourceRules");
    for (PolicyRule r : rulesFor(user, namespace)) {
      if (!r.resources().isEmpty()) {
        ObjectNode o = resourceRules.addObject();
        array(o, "verbs", r.verbs());
        array(o, "apiGroups", r.apiGroups());
        array(o, "resources", r.resources());
        if (!r.resourceNames().isEmpty()) {
          array(o, "resourceNames", r.resourceNames());
        }
      }
      if (!r.nonResourceURLs().isEmpty()) {
        ObjectNode o = nonResourceRules.addObject();
        array(o, "verbs", r.verbs());
        array(o, "nonResourceURLs", r.nonResourceURLs());
      }
    }
    status.put("incomplete", false);
    return status;
  }

  private static void array(ObjectNode o, String field, List<String> values) {
    ArrayNode a = o.putArray(field);
    values.forEach(a::add);
  }

  private static List<String> subjectKeys(UserInfo user) {
    List<String> keys = new ArrayList<>(user.groups().size() + 1);
    keys.add(RbacObjects.userKey(user.name()));
    for (String g : user.groups()) {
      keys.add(RbacObjects.groupKey(g));
    }
    return keys;
  }

  @Override
  public void close() {
    roles.close();
    clusterRoles.close();
    roleBindings.close();
    clusterRoleBindings.close();
  }
}

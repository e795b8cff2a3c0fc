package dev.hostplane.apiserver.authz;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.authz.internal.PodReferences;
import dev.hostplane.apiserver.filter.RequestInfo;
import dev.hostplane.apiserver.registry.Mirror;
import dev.hostplane.apiserver.registry.Registry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Upstream's Node authorizer (mode {@code Node}) for kubelets: users {@code system:node:<name>} in group
 * {@code system:nodes}. A node may read the pods bound to it (spec.nodeName) and update their status, read the
 * secrets, config maps, persistent volume claims (and the volumes bound to those claims) and service accounts those
 * pods reference, request tokens for those
 * service accounts, use its own Lease in {@code kube-node-lease}, write its own Node, and otherwise what the
 * {@code system:node} role grants (events, node and pod lists, ...). Anything else, and every other user: NO_OPINION.
 * Which node may write which object is then checked again by the {@code NodeRestriction} admission plugin.
 *
 * <p>The node -> pod -> object index is fed by a watch of every pod ({@link Mirror}); a pod counts once its event has
 * arrived. Threading: decisions on any thread; the index is updated on storage threads.
 */
public final class NodeAuthorizer implements Authorizer, AutoCloseable {
  public static final String NODES_GROUP = "system:nodes";
  public static final String NODE_USER_PREFIX = "system:node:";
  public static final String NODE_LEASE_NAMESPACE = "kube-node-lease";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final List<PolicyRule> nodeRules;
  private final Mirror<PodReferences> pods;
  private final Mirror<String> claims;
  /** persistent volume name -> the claims ({@code <namespace>/<name>}) bound to it. */
  private final ConcurrentHashMap<String, java.util.Set<String>> volumeClaims = new ConcurrentHashMap<>();
  /** node name -> reference key -> how many of its pods hold it. */
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Integer>> graph = new ConcurrentHashMap<>();

  /** @param nodeRules what nodes may do beyond the graph: the bootstrap {@code system:node} role's rules */
  public NodeAuthorizer(Registry registry, List<PolicyRule> nodeRules) {
    this.nodeRules = List.copyOf(nodeRules);
    this.pods = new Mirror<>(registry.store("", "v1", "pods"), PodReferences::parse, this::podChanged);
    this.claims = new Mirror<>(registry.store("", "v1", "persistentvolumeclaims"),
        pvc -> pvc.path("metadata").path("namespace").asText("") + "/" + pvc.path("metadata").path("name").asText("")
            + "\0" + pvc.path("spec").path("volumeName").asText(""),
        this::claimChanged);
  }

  public CompletionStage<Void> start() {
    return java.util.concurrent.CompletableFuture.allOf(pods.start().toCompletableFuture(),
        claims.start().toCompletableFuture());
  }

  public boolean synced() {
    return pods.synced() && claims.synced();
  }

  /** A claim's form in the mirror: {@code <namespace>/<name>} NUL {@code <volumeName>}. */
  private void claimChanged(String key, String before, String after) {
    if (before != null) {
      String[] b = before.split("\0", 2);
      volumeClaims.computeIfPresent(b[1], (v, set) -> {
        set.remove(b[0]);
        return set.isEmpty() ? null : set;
      });
    }
    if (after != null) {
      String[] a = after.split("\0", 2);
      if (!a[1].isEmpty()) {
        volumeClaims.computeIfAbsent(a[1], v -> ConcurrentHashMap.newKeySet()).add(a[0]);
      }
    }
  }

  /** True when a pod bound to {@code node} uses a claim bound to persistent volume {@code volume}. */
  private boolean relatedVolume(String node, String volume) {
    for (String claim : volumeClaims.getOrDefault(volume, java.util.Set.of())) {
      String[] nsName = claim.split("/", 2);
      if (related(node, PodReferences.PVC, nsName[0], nsName[1])) {
        return true;
      }
    }
    return false;
  }

  /** The node a user is, as upstream's NodeIdentifier: empty when not a node; "" when its name is empty. */
  public static Optional<String> nodeName(UserInfo user) {
    if (!user.name().startsWith(NODE_USER_PREFIX) || !user.inGroup(NODES_GROUP)) {
      return Optional.empty();
    }
    return Optional.of(user.name().substring(NODE_USER_PREFIX.length()));
  }

  private void podChanged(String key, PodReferences before, PodReferences after) {
    if (before != null && !before.nodeName().isEmpty()) {
      Map<String, Integer> refs = graph.get(before.nodeName());
      if (refs != null) {
        for (String k : before.keys()) {
          refs.computeIfPresent(k, (x, n) -> n <= 1 ? null : n - 1);
        }
      }
    }
    if (after != null && !after.nodeName().isEmpty()) {
      Map<String, Integer> refs = graph.computeIfAbsent(after.nodeName(), n -> new ConcurrentHashMap<>());
      for (String k : after.keys()) {
        refs.merge(k, 1, Integer::sum);
      }
    }
  }

  /** True when a pod bound to {@code node} references the object. */
  public boolean related(String node, String kind, String namespace, String name) {
    Map<String, Integer> refs = graph.get(node);
    return refs != null && refs.containsKey(PodReferences.key(kind, namespace, name));
  }

  @Override
  public Decision authorize(UserInfo user, RequestInfo r) {
    Optional<String> identity = nodeName(user);
    if (identity.isEmpty() || identity.get().isEmpty()) {
      return Decision.NO_OPINION;
    }
    String node = identity.get();
    if (r.resourceRequest()) {
      String verb = r.verb();
      boolean core = r.group().isEmpty();
      switch (core ? r.resource() : r.resource() + "." + r.group()) {
        case "secrets", "configmaps" -> {
          boolean read = verb.equals("get") || verb.equals("list") || verb.equals("watch");
          String kind = r.resource().equals("secrets") ? PodReferences.SECRET : PodReferences.CONFIG_MAP;
          return read && r.subresource().isEmpty() && !r.name().isEmpty()
              && related(node, kind, r.namespace(), r.name()) ? Decision.ALLOW : Decision.NO_OPINION;
        }
        case "persistentvolumeclaims" -> {
          boolean allowedVerb = r.subresource().equals("status")
              ? verb.equals("get") || verb.equals("update") || verb.equals("patch")
              : r.subresource().isEmpty() && verb.equals("get");
          return allowedVerb && !r.name().isEmpty() && related(node, PodReferences.PVC, r.namespace(), r.name())
              ? Decision.ALLOW : Decision.NO_OPINION;
        }
        case "persistentvolumes" -> {
          return verb.equals("get") && r.subresource().isEmpty() && !r.name().isEmpty()
              && relatedVolume(node, r.name()) ? Decision.ALLOW : Decision.NO_OPINION;
        }
        case "serviceaccounts" -> {
          return r.subresource().equals("token") && verb.equals("create") && !r.name().isEmpty()
              && related(node, PodReferences.SERVICE_ACCOUNT, r.namespace(), r.name())
              ? Decision.ALLOW : Decision.NO_OPINION;
        }
        case "leases.coordination.k8s.io" -> {
          boolean allowedVerb = switch (verb) {
            case "get", "create", "update", "patch", "delete" -> true;
            default -> false;
          };
          return allowedVerb && r.subresource().isEmpty() && r.namespace().equals(NODE_LEASE_NAMESPACE)
              && (verb.equals("create") || r.name().equals(node)) ? Decision.ALLOW : Decision.NO_OPINION;
        }
        case "pods" -> {
          if (verb.equals("get") && r.subresource().isEmpty()) {
            return related(node, PodReferences.POD, r.namespace(), r.name()) ? Decision.ALLOW : Decision.NO_OPINION;
          }
          if (r.subresource().equals("status")) {
            return (verb.equals("update") || verb.equals("patch") || verb.equals("get"))
                && related(node, PodReferences.POD, r.namespace(), r.name()) ? Decision.ALLOW : Decision.NO_OPINION;
          }
        }
        case "nodes" -> {
          boolean write = verb.equals("update") || verb.equals("patch") || verb.equals("delete");
          if (write && !r.name().equals(node)) {
            return Decision.NO_OPINION;
          }
        }
        default -> { }
      }
    }
    for (PolicyRule rule : nodeRules) {
      if (rule.allows(r)) {
        return Decision.ALLOW;
      }
    }
    return Decision.NO_OPINION;
  }

  @Override
  public ObjectNode rules(UserInfo user, String namespace) {
    ObjectNode status = NODES.objectNode();
    status.putArray("resourceRules");
    status.putArray("nonResourceRules");
    if (nodeName(user).isPresent()) {
      // As upstream: a node's permissions depend on its pods and cannot be listed.
      status.put("incomplete", true);
      status.put("evaluationError", "node authorizer does not support user rule resolution");
    } else {
      status.put("incomplete", false);
    }
    return status;
  }

  @Override
  public void close() {
    pods.close();
    claims.close();
  }
}

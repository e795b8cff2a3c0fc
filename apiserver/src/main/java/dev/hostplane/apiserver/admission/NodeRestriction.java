package dev.hostplane.apiserver.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.authn.UserInfo;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Upstream's NodeRestriction plugin, for kubelets (users {@code system:node:<name>} in group {@code system:nodes}):
 * a node may create and delete only mirror pods bound to itself, update the status only of pods bound to itself,
 * modify only its own Node, and use only its own Lease in {@code kube-node-lease}. On its Node it may not set or
 * change labels under {@code node-restriction.kubernetes.io/}, nor kubernetes.io and k8s.io labels other than the
 * kubelet's own (hostname, os, arch, instance type, zone and region, and the {@code kubelet.kubernetes.io/} and
 * {@code node.kubernetes.io/} namespaces), nor change its taints. Other users are not concerned. Refusals are 403 with upstream's wording.
 */
public final class NodeRestriction implements Admission {
  static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
  static final String RESTRICTED_LABEL_DOMAIN = "node-restriction.kubernetes.io";
  /** The labels a kubelet sets on its Node (upstream's kubeletapis.KubeletLabels). */
  private static final java.util.Set<String> KUBELET_LABELS = java.util.Set.of("kubernetes.io/hostname",
      "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
      "topology.kubernetes.io/zone", "topology.kubernetes.io/region", "beta.kubernetes.io/instance-type",
      "node.kubernetes.io/instance-type", "kubernetes.io/os", "kubernetes.io/arch", "beta.kubernetes.io/os",
      "beta.kubernetes.io/arch");
  private static final java.util.List<String> KUBELET_LABEL_DOMAINS = java.util.List.of("kubelet.kubernetes.io",
      "node.kubernetes.io");

  @Override
  public CompletionStage<Void> validate(Attributes a) {
    String node = nodeName(a.user());
    if (node == null) {
      return CompletableFuture.completedFuture(null);
    }
    try {
      if (a.type().group().isEmpty() && a.type().resource().equals("pods")) {
        admitPod(node, a);
      } else if (a.type().group().isEmpty() && a.type().resource().equals("nodes")) {
        admitNode(node, a);
      } else if (a.type().group().equals("coordination.k8s.io") && a.type().resource().equals("leases")) {
        admitLease(node, a);
      }
      return CompletableFuture.completedFuture(null);
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static String nodeName(UserInfo user) {
    if (user == null || !user.name().startsWith("system:node:") || !user.inGroup("system:nodes")) {
      return null;
    }
    return user.name().substring("system:node:".length());
  }

  private static void admitPod(String node, Attributes a) {
    switch (a.operation()) {
      case CREATE -> {
        if (!a.subresource().isEmpty()) {
          return; // eviction and binding are the authorizer's concern
        }
        if (!a.object().path("metadata").path("annotations").has(MIRROR_ANNOTATION)) {
          throw forbidden(a, "pod does not have \"" + MIRROR_ANNOTATION + "\" annotation, node \"" + node
              + "\" can only create mirror pods");
        }
        if (!a.object().path("spec").path("nodeName").asText("").equals(node)) {
          throw forbidden(a, "node \"" + node + "\" can only create pods with spec.nodeName set to itself");
        }
      }
      case UPDATE -> {
        if (!a.subresource().equals("status")) {
          throw forbidden(a, "unexpected operation \"UPDATE\", node \"" + node
              + "\" can only create and delete mirror pods");
        }
        if (!boundTo(a.oldObject(), node)) {
          throw forbidden(a, "node \"" + node + "\" can only update pod status for pods with spec.nodeName set to "
              + "itself");
        }
      }
      case DELETE -> {
        if (!boundTo(a.oldObject(), node)) {
          throw forbidden(a, "node \"" + node + "\" can only delete pods with spec.nodeName set to itself");
        }
      }
      default -> { }
    }
  }

  private static boolean boundTo(ObjectNode pod, String node) {
    return pod != null && pod.path("spec").path("nodeName").asText("").equals(node);
  }

  private static void admitNode(String node, Attributes a) {
    String requested = name(a);
    if (!requested.equals(node)) {
      throw forbidden(a, "node \"" + node + "\" is not allowed to modify node \"" + requested + "\"");
    }
    if (a.operation() == Attributes.Operation.CREATE) {
      TreeSet<String> set = restricted(a.object().path("metadata").path("labels"), null);
      if (!set.isEmpty()) {
        throw forbidden(a, "node \"" + node + "\" is not allowed to set the following labels: "
            + String.join(", ", set));
      }
    } else if (a.operation() == Attributes.Operation.UPDATE && a.oldObject() != null) {
      if (!Objects.equals(a.object().path("spec").get("taints"), a.oldObject().path("spec").get("taints"))) {
        throw forbidden(a, "node \"" + node + "\" is not allowed to modify taints");
      }
      TreeSet<String> changed = restricted(a.object().path("metadata").path("labels"),
          a.oldObject().path("metadata").path("labels"));
      changed.addAll(restricted(a.oldObject().path("metadata").path("labels"),
          a.object().path("metadata").path("labels")));
      if (!changed.isEmpty()) {
        throw forbidden(a, "is not allowed to modify labels: " + String.join(", ", changed));
      }
    }
  }

  /** Restricted label keys of {@code labels} whose value differs in (or is absent from) {@code other}. */
  private static TreeSet<String> restricted(JsonNode labels, JsonNode other) {
    TreeSet<String> out = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (forbiddenLabel(e.getKey()) && (other == null || !Objects.equals(other.get(e.getKey()), e.getValue()))) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  /** Upstream's getForbiddenLabels for one key. */
  static boolean forbiddenLabel(String key) {
    int slash = key.indexOf('/');
    String domain = slash < 0 ? "" : key.substring(0, slash);
    if (inDomain(domain, RESTRICTED_LABEL_DOMAIN)) {
      return true;
    }
    boolean kubernetes = inDomain(domain, "kubernetes.io") || inDomain(domain, "k8s.io");
    boolean kubelet = KUBELET_LABELS.contains(key) || KUBELET_LABEL_DOMAINS.stream().anyMatch(d -> inDomain(domain, d));
    return kubernetes && !kubelet;
  }

  private static boolean inDomain(String domain, String parent) {
    return domain.equals(parent) || domain.endsWith("." + parent);
  }

  private static void admitLease(String node, Attributes a) {
    if (!a.namespace().equals("kube-node-lease")) {
      throw forbidden(a, "can only access leases in the \"kube-node-lease\" system namespace");
    }
    if (!name(a).equals(node)) {
      throw forbidden(a, "can only access node lease with the same name as the requesting node");
    }
  }

  private static String name(Attributes a) {
    if (a.name() != null && !a.name().isEmpty()) {
      return a.name();
    }
    return a.object() == null ? "" : a.object().path("metadata").path("name").asText("");
  }

  /** Upstream's admission.NewForbidden: {@code <resource>[.<group>] "<name>" is forbidden: <why>}. */
  private static ApiException forbidden(Attributes a, String why) {
    String name = name(a);
    String qualified = a.type().group().isEmpty() ? a.type().resource()
        : a.type().resource() + "." + a.type().group();
    String message = name.isEmpty() ? qualified + " is forbidden: " + why
        : qualified + " \"" + name + "\" is forbidden: " + why;
    return new ApiException(new Status(403, "Forbidden", message,
        new Status.Details(name.isEmpty() ? null : name, a.type().group(), a.type().resource(), null, null, null)));
  }
}

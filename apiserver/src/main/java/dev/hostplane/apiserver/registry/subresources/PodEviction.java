package dev.hostplane.apiserver.registry.subresources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.LabelSelector;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Options;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code pods/eviction} (policy/v1 Eviction), as {@code kubectl drain} uses it: the pod is deleted unless a
 * PodDisruptionBudget that selects it allows no disruption (429 with cause DisruptionBudget). Pods that are not
 * running (pending, finished, already being deleted) are evicted regardless, as upstream.
 */
public final class PodEviction {
  private PodEviction() {}

  public static CompletionStage<ObjectNode> evict(GenericStore pods, GenericStore pdbs, String ns, String name,
      ObjectNode eviction, Options.Delete defaults) {
    String evictionName = eviction.path("metadata").path("name").asText("");
    if (!evictionName.isEmpty() && !evictionName.equals(name)) {
      throw ApiException.badRequest("name in URL does not match name in Eviction object");
    }
    Options.Delete options = deleteOptions(eviction.path("deleteOptions"), defaults);
    return pods.get(ns, name, Options.Read.DEFAULT).thenCompose(pod -> {
      String phase = pod.path("status").path("phase").asText("");
      boolean ignoreBudgets = ObjectMeta.isDeleting(pod) || phase.equals("Succeeded") || phase.equals("Failed")
          || phase.equals("Pending");
      CompletionStage<Void> allowed = ignoreBudgets ? CompletableFuture.completedFuture(null)
          : checkBudgets(pdbs, ns, pod, options.dryRun());
      return allowed.thenCompose(v -> pods.delete(ns, name, options));
    }).thenApply(d -> {
      ObjectNode status = Status.success(null);
      status.put("code", 201);
      return status;
    });
  }

  private static CompletionStage<Void> checkBudgets(GenericStore pdbs, String ns, ObjectNode pod,
      boolean dryRun) {
    return pdbs.list(ns, Options.Read.DEFAULT).thenCompose(list -> {
      List<ObjectNode> matching = new ArrayList<>();
      for (JsonNode pdb : list.withArray("items")) {
        JsonNode sel = pdb.path("spec").path("selector");
        LabelSelector selector = sel.isMissingNode() || sel.isNull() ? LabelSelector.NOTHING
            : LabelSelector.fromJson(sel);
        if (selector.matches(ObjectMeta.labels(pod))) {
          matching.add((ObjectNode) pdb);
        }
      }
      if (matching.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      if (matching.size() > 1) {
        throw ApiException.internal("This pod has more than one PodDisruptionBudget, which the eviction "
            + "subresource does not support.");
      }
      ObjectNode pdb = matching.get(0);
      String pdbName = ObjectMeta.name(pdb);
      long generation = pdb.path("metadata").path("generation").asLong(0);
      long observed = pdb.path("status").path("observedGeneration").asLong(0);
      int allowedNow = pdb.path("status").path("disruptionsAllowed").asInt(0);
      if (observed < generation || allowedNow <= 0) {
        String why = observed < generation
            ? "The disruption budget " + pdbName + " is still being processed by the server."
            : "The disruption budget " + pdbName + " needs "
                + pdb.path("status").path("desiredHealthy").asInt(0) + " healthy pods and has "
                + pdb.path("status").path("currentHealthy").asInt(0) + " currently";
        throw new ApiException(new Status(429, "TooManyRequests",
            "Cannot evict pod as it would violate the pod's disruption budget.",
            new Status.Details(null, null, null, null,
                List.of(new Status.Cause("DisruptionBudget", why, null)), 10)));
      }
      if (dryRun) {
        return CompletableFuture.completedFuture(null);
      }
      // Spend one disruption, then delete (upstream records the pod in status.disruptedPods too).
      return pdbs.updateWith(ns, pdbName, "status", new Options.Write(false, "kube-apiserver",
          dev.hostplane.apiserver.authn.UserInfo.ANONYMOUS), false, current -> {
            ObjectNode next = current.deepCopy();
            ObjectNode status = ObjectMeta.child(next, "status");
            int left = status.path("disruptionsAllowed").asInt(0);
            if (left <= 0) {
              throw new ApiException(Status.of(429, "TooManyRequests",
                  "Cannot evict pod as it would violate the pod's disruption budget.").withRetryAfter(10));
            }
            status.put("disruptionsAllowed", left - 1);
            status.with("disruptedPods").put(ObjectMeta.name(pod),
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
            return next;
          }).thenApply(w -> (Void) null);
    });
  }

  private static Options.Delete deleteOptions(JsonNode o, Options.Delete defaults) {
    if (!o.isObject()) {
      return defaults;
    }
    Long grace = o.hasNonNull("gracePeriodSeconds") ? o.get("gracePeriodSeconds").asLong() : null;
    String policy = o.hasNonNull("propagationPolicy") ? o.get("propagationPolicy").asText() : null;
    String uid = o.path("preconditions").hasNonNull("uid") ? o.path("preconditions").get("uid").asText() : null;
    String rv = o.path("preconditions").hasNonNull("resourceVersion")
        ? o.path("preconditions").get("resourceVersion").asText() : null;
    boolean dryRun = defaults.dryRun() || o.path("dryRun").size() > 0;
    return new Options.Delete(dryRun, grace, uid, rv, policy, defaults.user(), defaults.context());
  }
}

package dev.hostplane.apiserver.registry.subresources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.ObjectMeta;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * {@code pods/binding}: assigns a pod to a node (what a scheduler does). Sets {@code spec.nodeName} once; a pod
 * already bound answers 409, a pod being deleted 409, as upstream. Annotations on the Binding are copied to the pod.
 */
public final class PodBinding {
  private PodBinding() {}

  public static CompletionStage<ObjectNode> bind(GenericStore pods, String ns, String name, ObjectNode binding) {
    String bindingName = binding.path("metadata").path("name").asText("");
    if (!bindingName.isEmpty() && !bindingName.equals(name)) {
      throw ApiException.badRequest("the name of the object (" + bindingName
          + ") does not match the name on the URL (" + name + ")");
    }
    JsonNode target = binding.path("target");
    String node = target.path("name").asText("");
    String kind = target.path("kind").asText("Node");
    if (node.isEmpty() || !(kind.isEmpty() || kind.equals("Node"))) {
      throw ApiException.invalid("", "Binding", name, List.of(new Status.Cause("FieldValueInvalid",
          "Invalid value: \"" + kind + "\": must be a Node with a name", "target")));
    }
    return pods.updateDirect(ns, name, pod -> {
      if (ObjectMeta.isDeleting(pod)) {
        throw ApiException.conflict("", "pods", name, "pod " + name + " is being deleted, cannot be assigned "
            + "to a host");
      }
      String current = pod.path("spec").path("nodeName").asText("");
      if (!current.isEmpty()) {
        throw ApiException.conflict("", "pods", name, "pod " + name + " is already assigned to node \""
            + current + "\"");
      }
      ObjectMeta.child(pod, "spec").put("nodeName", node);
      JsonNode annotations = binding.path("metadata").path("annotations");
      if (annotations.isObject()) {
        ObjectNode target2 = ObjectMeta.meta(pod).with("annotations");
        annotations.fields().forEachRemaining(e -> target2.set(e.getKey(), e.getValue()));
      }
      ObjectNode status = ObjectMeta.child(pod, "status");
      com.fasterxml.jackson.databind.node.ArrayNode conditions = status.withArray("conditions");
      ObjectNode scheduled = null;
      for (JsonNode c : conditions) {
        if ("PodScheduled".equals(c.path("type").asText())) {
          scheduled = (ObjectNode) c;
        }
      }
      if (scheduled == null) {
        scheduled = conditions.addObject();
      }
      scheduled.put("type", "PodScheduled");
      scheduled.put("status", "True");
      scheduled.putNull("lastProbeTime");
      scheduled.put("lastTransitionTime", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
          .toString());
      return pod;
    }).thenApply(pod -> Status.success(new Status.Details(name, "", "pods", ObjectMeta.uid(pod), null, null)));
  }
}

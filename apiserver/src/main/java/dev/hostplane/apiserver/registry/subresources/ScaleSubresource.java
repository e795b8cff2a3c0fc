package dev.hostplane.apiserver.registry.subresources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.LabelSelector;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Options;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

/**
 * The {@code scale} subresource of deployments, replicasets, statefulsets and replicationcontrollers: an
 * {@code autoscaling/v1 Scale} view of {@code spec.replicas}, {@code status.replicas} and the selector. Writes go
 * through the parent's normal update path (so generation, validation and admission apply); a resourceVersion in
 * the Scale is a precondition on the parent.
 */
public final class ScaleSubresource {
  private ScaleSubresource() {}

  public static CompletionStage<ObjectNode> get(GenericStore store, String ns, String name) {
    return store.get(ns, name, Options.Read.DEFAULT).thenApply(ScaleSubresource::toScale);
  }

  /** Reads the Scale, lets {@code change} produce the desired Scale, and writes its replicas to the parent. */
  public static CompletionStage<ObjectNode> update(GenericStore store, String ns, String name,
      Options.Write options, UnaryOperator<ObjectNode> change) {
    return store.updateWith(ns, name, "scale", options, false, current -> {
      if (current == null) {
        throw ApiException.notFound(store.type().group(), store.type().resource(), name);
      }
      ObjectNode desired = change.apply(toScale(current));
      return withReplicas(current, desired, name);
    }, ADMISSION_VIEW).thenApply(w -> toScale(w.object()));
  }

  /**
   * Admission sees a scale write as upstream does: subresource {@code scale}, the Scale of the new and the old
   * parent; replicas set by mutating admission (a webhook's patch) go back into the parent.
   */
  private static final GenericStore.AdmissionView ADMISSION_VIEW = new GenericStore.AdmissionView() {
    @Override
    public ObjectNode view(ObjectNode parent) {
      return toScale(parent);
    }

    @Override
    public void applyBack(ObjectNode scale, ObjectNode parent) {
      JsonNode replicas = scale.path("spec").path("replicas");
      if (replicas.isIntegralNumber()) {
        ObjectMeta.child(parent, "spec").put("replicas", replicas.asInt());
      }
    }
  };

  /** The Scale view of a parent object. */
  public static ObjectNode toScale(ObjectNode parent) {
    ObjectNode scale = JsonNodeFactory.instance.objectNode();
    scale.put("kind", "Scale");
    scale.put("apiVersion", "autoscaling/v1");
    ObjectNode meta = scale.putObject("metadata");
    for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
      JsonNode v = parent.path("metadata").get(f);
      if (v != null) {
        meta.set(f, v.deepCopy());
      }
    }
    scale.putObject("spec").put("replicas", parent.path("spec").path("replicas").asInt(0));
    ObjectNode status = scale.putObject("status");
    status.put("replicas", parent.path("status").path("replicas").asInt(0));
    String selector = selectorOf(parent);
    if (!selector.isEmpty()) {
      status.put("selector", selector);
    }
    return scale;
  }

  private static String selectorOf(ObjectNode parent) {
    JsonNode sel = parent.path("spec").path("selector");
    if (!sel.isObject() || sel.isEmpty()) {
      return "";
    }
    if (parent.path("apiVersion").asText().equals("v1")) {
      // ReplicationController: a plain map selector.
      Map<String, String> labels = new java.util.TreeMap<>();
      sel.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      return LabelSelector.fromSet(labels).toString();
    }
    return LabelSelector.fromJson(sel).toString();
  }

  private static ObjectNode withReplicas(ObjectNode parent, ObjectNode scale, String name) {
    if (scale == null) {
      throw ApiException.badRequest("the body of the request was empty");
    }
    String kind = scale.path("kind").asText("");
    if (!kind.isEmpty() && !kind.equals("Scale")) {
      throw ApiException.badRequest("the kind of the provided object (" + kind + ") is not Scale");
    }
    String scaleName = scale.path("metadata").path("name").asText("");
    if (!scaleName.isEmpty() && !scaleName.equals(name)) {
      throw ApiException.badRequest("the name of the object (" + scaleName
          + ") does not match the name on the URL (" + name + ")");
    }
    JsonNode replicas = scale.path("spec").path("replicas");
    if (!replicas.isMissingNode() && !replicas.isNull() && (!replicas.canConvertToInt() || !replicas.isIntegralNumber())) {
      throw ApiException.badRequest("spec.replicas: must be an integer");
    }
    int n = replicas.asInt(0);
    if (n < 0) {
      throw ApiException.invalid("autoscaling", "Scale", name, List.of(new Status.Cause("FieldValueInvalid",
          "Invalid value: " + n + ": must be greater than or equal to 0", "spec.replicas")));
    }
    ObjectNode next = parent.deepCopy();
    ObjectMeta.child(next, "spec").put("replicas", n);
    String rv = scale.path("metadata").path("resourceVersion").asText("");
    if (rv.isEmpty()) {
      ObjectMeta.meta(next).remove("resourceVersion");
    } else {
      ObjectMeta.meta(next).put("resourceVersion", rv);
    }
    return next;
  }
}

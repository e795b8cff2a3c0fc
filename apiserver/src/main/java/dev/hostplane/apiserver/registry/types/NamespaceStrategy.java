package dev.hostplane.apiserver.registry.types;

import dev.hostplane.apiserver.api.NameRule;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.DeletionGate;
import dev.hostplane.apiserver.registry.NamedBy;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * core/v1 Namespace: the {@code kubernetes.io/metadata.name} label, the {@code kubernetes} finalizer in
 * spec.finalizers, and deletion held until spec.finalizers is empty. spec.finalizers changes only through the
 * {@code finalize} subresource (the store's job); main-resource updates keep the stored value.
 */
final class NamespaceStrategy implements Strategy, NamedBy, DeletionGate {
  static final String NAME_LABEL = "kubernetes.io/metadata.name";
  static final String KUBERNETES_FINALIZER = "kubernetes";

  @Override
  public NameRule nameRule() {
    return NameRule.DNS_LABEL;
  }

  /**
   * Forces the name label. With generateName the name is not known yet; {@link #prepareForCreate} sets it again,
   * and a store that assigns generated names after prepareForCreate must call {@link #applyDefaults} once more.
   */
  @Override
  public void applyDefaults(ObjectNode obj) {
    String name = ObjectMeta.name(obj);
    if (name != null && !name.isEmpty()) {
      Nodes.ensureObj(ObjectMeta.meta(obj), "labels").put(NAME_LABEL, name);
    }
  }

  @Override
  public void prepareForCreate(ObjectNode obj) {
    applyDefaults(obj);
    obj.putObject("status").put("phase", "Active");
    ArrayNode finalizers = Nodes.ensureArr(Nodes.ensureObj(obj, "spec"), "finalizers");
    boolean has = false;
    for (JsonNode f : finalizers) {
      has |= KUBERNETES_FINALIZER.equals(f.asText());
    }
    if (!has) {
      finalizers.add(KUBERNETES_FINALIZER);
    }
  }

  @Override
  public void prepareForUpdate(ObjectNode obj, ObjectNode old) {
    applyDefaults(obj);
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    JsonNode oldFinalizers = Nodes.at(old, "spec", "finalizers");
    if (oldFinalizers == null) {
      spec.remove("finalizers");
    } else {
      spec.set("finalizers", oldFinalizers.deepCopy());
    }
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    List<String> finalizers = Nodes.strings(Nodes.obj(obj, "spec"), "finalizers");
    for (int i = 0; i < finalizers.size(); i++) {
      validateFinalizerName(finalizers.get(i), "spec.finalizers[" + i + "]", errs);
    }
    return errs.list();
  }

  /** Upstream validateFinalizerName: a qualified name, and fully qualified unless it is a standard finalizer. */
  static void validateFinalizerName(String name, String path, CauseList errs) {
    List<String> msgs = Validation.isQualifiedName(name);
    errs.invalidEach(path, name, msgs);
    if (msgs.isEmpty() && !name.contains("/") && !KUBERNETES_FINALIZER.equals(name)) {
      errs.invalid(path, name, "name is neither a standard finalizer name nor is it fully qualified");
    }
  }

  @Override
  public boolean holdsDeletion(ObjectNode obj) {
    return !Nodes.isEmpty(Nodes.obj(obj, "spec"), "finalizers");
  }

  @Override
  public void markDeleting(ObjectNode obj) {
    Nodes.ensureObj(obj, "status").put("phase", "Terminating");
  }

  @Override
  public Map<String, Function<ObjectNode, String>> selectableFields() {
    return Map.of(
        "status.phase", o -> Nodes.str(Nodes.obj(o, "status"), "phase"),
        "name", ObjectMeta::name);
  }

  @Override
  public boolean returnsDeletedObject() {
    return true;
  }
}

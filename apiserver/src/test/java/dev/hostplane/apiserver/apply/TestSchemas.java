package dev.hostplane.apiserver.apply;

import dev.hostplane.apiserver.patch.PatchSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small DSL for {@link PatchSchema}s in tests, and the shapes of Deployment, ConfigMap and Service as upstream's
 * OpenAPI describes the parts the tests touch.
 */
final class TestSchemas {
  private TestSchemas() {}

  /** One schema position; unknown fields answer {@link PatchSchema#UNKNOWN}. */
  record Node(PatchSchema.Kind kind, Map<String, PatchSchema> fields, PatchSchema values, PatchSchema itemSchema,
      PatchSchema.ListType type, List<String> keys, String mergeKey, Set<String> strategies, boolean isAtomic)
      implements PatchSchema {
    @Override
    public PatchSchema field(String name) {
      if (kind == PatchSchema.Kind.MAP) {
        return values;
      }
      return fields.getOrDefault(name, UNKNOWN);
    }

    @Override
    public PatchSchema items() {
      return kind == PatchSchema.Kind.LIST ? itemSchema : UNKNOWN;
    }

    @Override
    public ListType listType() {
      return type;
    }

    @Override
    public List<String> listMapKeys() {
      return keys;
    }

    @Override
    public String patchMergeKey() {
      return mergeKey;
    }

    @Override
    public Set<String> patchStrategies() {
      return strategies;
    }

    @Override
    public boolean atomic() {
      return isAtomic;
    }
  }

  static final PatchSchema SCALAR = new Node(PatchSchema.Kind.SCALAR, Map.of(), null, null,
      PatchSchema.ListType.ATOMIC, List.of(), null, Set.of(), false);

  /** A struct: {@code obj("name", SCALAR, "spec", obj(...))}. */
  static PatchSchema obj(Object... nameSchemaPairs) {
    return struct(false, nameSchemaPairs);
  }

  /** A struct owned as a unit ({@code x-kubernetes-map-type: atomic}). */
  static PatchSchema atomicObj(Object... nameSchemaPairs) {
    return struct(true, nameSchemaPairs);
  }

  private static PatchSchema struct(boolean atomic, Object... pairs) {
    Map<String, PatchSchema> fields = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      fields.put((String) pairs[i], (PatchSchema) pairs[i + 1]);
    }
    return new Node(PatchSchema.Kind.OBJECT, Map.copyOf(fields), null, null, PatchSchema.ListType.ATOMIC,
        List.of(), null, Set.of(), atomic);
  }

  /** A granular map of {@code values}. */
  static PatchSchema map(PatchSchema values) {
    return new Node(PatchSchema.Kind.MAP, Map.of(), values, null, PatchSchema.ListType.ATOMIC, List.of(), null,
        Set.of(), false);
  }

  static PatchSchema atomicMap(PatchSchema values) {
    return new Node(PatchSchema.Kind.MAP, Map.of(), values, null, PatchSchema.ListType.ATOMIC, List.of(), null,
        Set.of(), true);
  }

  /** {@code x-kubernetes-list-type: map} with these keys. */
  static PatchSchema listMap(PatchSchema items, String... keys) {
    return new Node(PatchSchema.Kind.LIST, Map.of(), null, items, PatchSchema.ListType.MAP, List.of(keys), null,
        Set.of(), false);
  }

  /** {@code x-kubernetes-list-type: set}. */
  static PatchSchema set(PatchSchema items) {
    return new Node(PatchSchema.Kind.LIST, Map.of(), null, items, PatchSchema.ListType.SET, List.of(), null,
        Set.of(), false);
  }

  /** An atomic list (explicit, or no list type and no merge strategy). */
  static PatchSchema atomicList(PatchSchema items) {
    return new Node(PatchSchema.Kind.LIST, Map.of(), null, items, PatchSchema.ListType.ATOMIC, List.of(), null,
        Set.of(), false);
  }

  /** No list type, but {@code x-kubernetes-patch-strategy: merge} and a patch merge key (older built-in shape). */
  static PatchSchema mergeList(PatchSchema items, String mergeKey) {
    return new Node(PatchSchema.Kind.LIST, Map.of(), null, items, PatchSchema.ListType.ATOMIC, List.of(), mergeKey,
        Set.of("merge"), false);
  }

  static final PatchSchema OBJECT_META = obj(
      "name", SCALAR, "namespace", SCALAR, "uid", SCALAR, "resourceVersion", SCALAR, "generation", SCALAR,
      "creationTimestamp", SCALAR, "generateName", SCALAR,
      "labels", map(SCALAR), "annotations", map(SCALAR),
      "finalizers", set(SCALAR),
      "ownerReferences", listMap(obj("apiVersion", SCALAR, "kind", SCALAR, "name", SCALAR, "uid", SCALAR,
          "controller", SCALAR), "uid"),
      "managedFields", atomicList(obj("manager", SCALAR, "operation", SCALAR)));

  static final PatchSchema CONTAINER = obj(
      "name", SCALAR, "image", SCALAR, "imagePullPolicy", SCALAR,
      "args", atomicList(SCALAR), "command", atomicList(SCALAR),
      "ports", listMap(obj("containerPort", SCALAR, "protocol", SCALAR, "name", SCALAR), "containerPort",
          "protocol"),
      "env", listMap(obj("name", SCALAR, "value", SCALAR), "name"),
      "volumeMounts", mergeList(obj("name", SCALAR, "mountPath", SCALAR), "mountPath"),
      "resources", obj("limits", map(SCALAR), "requests", map(SCALAR)));

  static final PatchSchema POD_SPEC = obj(
      "containers", listMap(CONTAINER, "name"),
      "restartPolicy", SCALAR, "nodeSelector", atomicMap(SCALAR),
      "tolerations", atomicList(obj("key", SCALAR, "operator", SCALAR)));

  static final PatchSchema DEPLOYMENT = obj(
      "apiVersion", SCALAR, "kind", SCALAR, "metadata", OBJECT_META,
      "spec", obj(
          "replicas", SCALAR, "paused", SCALAR, "revisionHistoryLimit", SCALAR,
          "selector", atomicObj("matchLabels", map(SCALAR)),
          "strategy", obj("type", SCALAR, "rollingUpdate", obj("maxSurge", SCALAR, "maxUnavailable", SCALAR)),
          "template", obj("metadata", OBJECT_META, "spec", POD_SPEC)),
      "status", obj(
          "replicas", SCALAR, "readyReplicas", SCALAR, "observedGeneration", SCALAR,
          "conditions", listMap(obj("type", SCALAR, "status", SCALAR, "reason", SCALAR), "type")));

  static final PatchSchema CONFIG_MAP = obj(
      "apiVersion", SCALAR, "kind", SCALAR, "metadata", OBJECT_META,
      "data", map(SCALAR), "binaryData", map(SCALAR), "immutable", SCALAR);

  static final PatchSchema SERVICE = obj(
      "apiVersion", SCALAR, "kind", SCALAR, "metadata", OBJECT_META,
      "spec", obj(
          "type", SCALAR, "clusterIP", SCALAR,
          "selector", atomicMap(SCALAR),
          "ports", listMap(obj("name", SCALAR, "port", SCALAR, "protocol", SCALAR, "targetPort", SCALAR,
              "nodePort", SCALAR), "port", "protocol")),
      "status", obj("loadBalancer", obj("ingress", atomicList(obj("ip", SCALAR)))));
}

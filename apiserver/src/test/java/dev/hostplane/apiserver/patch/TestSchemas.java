package dev.hostplane.apiserver.patch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Test-side {@link PatchSchema}s from a compact description: {@code object("name", SCALAR, ...)}, {@code map(v)},
 * {@code list(items)} (no strategy: replaced whole), {@code mergeList(key, items, extraStrategies...)}
 * ({@code merge} by key) and {@code primitiveSet()} ({@code merge} over scalars). The shapes below carry upstream's
 * patch tags (k8s.io/api core/v1, apps/v1) for the fields kubectl patches; other fields are plain.
 */
final class TestSchemas {
  private TestSchemas() {}

  /** One position; immutable. */
  record Node(Kind kind, Map<String, PatchSchema> fields, PatchSchema values, PatchSchema itemSchema,
      String patchMergeKey, Set<String> patchStrategies) implements PatchSchema {
    @Override
    public PatchSchema field(String name) {
      if (kind == Kind.MAP) {
        return values;
      }
      PatchSchema s = fields == null ? null : fields.get(name);
      return s == null ? UNKNOWN : s;
    }

    @Override
    public PatchSchema items() {
      return itemSchema == null ? UNKNOWN : itemSchema;
    }

    @Override
    public ListType listType() {
      return patchMergeKey != null ? ListType.MAP : patchStrategies.contains("merge") ? ListType.SET
          : ListType.ATOMIC;
    }

    @Override
    public List<String> listMapKeys() {
      return patchMergeKey == null ? List.of() : List.of(patchMergeKey);
    }

    @Override
    public boolean atomic() {
      return false;
    }
  }

  static final PatchSchema SCALAR = new Node(PatchSchema.Kind.SCALAR, null, null, null, null, Set.of());

  /** An object: alternating field names and schemas. */
  static PatchSchema object(Object... namesAndSchemas) {
    Map<String, PatchSchema> fields = new LinkedHashMap<>();
    for (int i = 0; i < namesAndSchemas.length; i += 2) {
      fields.put((String) namesAndSchemas[i], (PatchSchema) namesAndSchemas[i + 1]);
    }
    return new Node(PatchSchema.Kind.OBJECT, Map.copyOf(fields), null, null, null, Set.of());
  }

  /** An object whose fields are all scalars. */
  static PatchSchema scalars(String... names) {
    Object[] pairs = new Object[names.length * 2];
    for (int i = 0; i < names.length; i++) {
      pairs[2 * i] = names[i];
      pairs[2 * i + 1] = SCALAR;
    }
    return object(pairs);
  }

  static PatchSchema map(PatchSchema values) {
    return new Node(PatchSchema.Kind.MAP, null, values, null, null, Set.of());
  }

  /** A list without a patch strategy: a patch replaces it whole. */
  static PatchSchema list(PatchSchema items) {
    return new Node(PatchSchema.Kind.LIST, null, null, items, null, Set.of());
  }

  /** {@code patchStrategy:"merge[,extra]" patchMergeKey:"key"}. */
  static PatchSchema mergeList(String mergeKey, PatchSchema items, String... extraStrategies) {
    Set<String> strategies = new java.util.HashSet<>(List.of(extraStrategies));
    strategies.add("merge");
    return new Node(PatchSchema.Kind.LIST, null, null, items, mergeKey, Set.copyOf(strategies));
  }

  /** {@code patchStrategy:"merge"} on a list of scalars (finalizers, podCIDRs). */
  static PatchSchema primitiveSet() {
    return new Node(PatchSchema.Kind.LIST, null, null, SCALAR, null, Set.of("merge"));
  }

  /** The same position with patch strategies (retainKeys, replace) of its own. */
  static PatchSchema withStrategies(PatchSchema s, String... strategies) {
    Node n = (Node) s;
    return new Node(n.kind(), n.fields(), n.values(), n.itemSchema(), n.patchMergeKey(), Set.of(strategies));
  }

  static final PatchSchema OBJECT_META = object(
      "name", SCALAR, "generateName", SCALAR, "namespace", SCALAR, "uid", SCALAR, "resourceVersion", SCALAR,
      "generation", SCALAR, "creationTimestamp", SCALAR, "deletionTimestamp", SCALAR,
      "labels", map(SCALAR), "annotations", map(SCALAR),
      "finalizers", primitiveSet(),
      "ownerReferences", mergeList("uid",
          scalars("apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion")));

  static final PatchSchema ENV_VAR = object("name", SCALAR, "value", SCALAR, "valueFrom", object(
      "fieldRef", scalars("apiVersion", "fieldPath"),
      "configMapKeyRef", scalars("name", "key", "optional"),
      "secretKeyRef", scalars("name", "key", "optional")));

  static final PatchSchema PROBE = object(
      "httpGet", scalars("path", "port", "scheme"), "tcpSocket", scalars("port"),
      "exec", object("command", list(SCALAR)),
      "initialDelaySeconds", SCALAR, "periodSeconds", SCALAR, "timeoutSeconds", SCALAR, "failureThreshold", SCALAR);

  static final PatchSchema CONTAINER = object(
      "name", SCALAR, "image", SCALAR, "imagePullPolicy", SCALAR, "workingDir", SCALAR,
      "command", list(SCALAR), "args", list(SCALAR),
      "ports", mergeList("containerPort", scalars("name", "containerPort", "protocol", "hostPort")),
      "env", mergeList("name", ENV_VAR),
      "envFrom", list(object("prefix", SCALAR, "configMapRef", scalars("name"), "secretRef", scalars("name"))),
      "volumeMounts", mergeList("mountPath", scalars("name", "mountPath", "readOnly", "subPath")),
      "resources", object("limits", map(SCALAR), "requests", map(SCALAR)),
      "livenessProbe", PROBE, "readinessProbe", PROBE, "startupProbe", PROBE,
      "securityContext", object("runAsUser", SCALAR, "runAsNonRoot", SCALAR, "readOnlyRootFilesystem", SCALAR,
          "allowPrivilegeEscalation", SCALAR, "capabilities", object("add", list(SCALAR), "drop", list(SCALAR))),
      "terminationMessagePath", SCALAR, "terminationMessagePolicy", SCALAR);

  static final PatchSchema VOLUME = object(
      "name", SCALAR,
      "configMap", object("name", SCALAR, "defaultMode", SCALAR, "items", list(scalars("key", "path"))),
      "secret", object("secretName", SCALAR, "defaultMode", SCALAR, "items", list(scalars("key", "path"))),
      "emptyDir", scalars("medium", "sizeLimit"),
      "hostPath", scalars("path", "type"),
      "persistentVolumeClaim", scalars("claimName", "readOnly"),
      "projected", object("sources", list(object("serviceAccountToken", scalars("path", "expirationSeconds"))),
          "defaultMode", SCALAR));

  static final PatchSchema POD_SPEC = object(
      "containers", mergeList("name", CONTAINER),
      "initContainers", mergeList("name", CONTAINER),
      "volumes", mergeList("name", VOLUME, "retainKeys"),
      "imagePullSecrets", mergeList("name", scalars("name")),
      "hostAliases", mergeList("ip", object("ip", SCALAR, "hostnames", list(SCALAR))),
      "tolerations", list(scalars("key", "operator", "value", "effect", "tolerationSeconds")),
      "nodeSelector", map(SCALAR),
      "serviceAccountName", SCALAR, "nodeName", SCALAR, "restartPolicy", SCALAR, "dnsPolicy", SCALAR,
      "terminationGracePeriodSeconds", SCALAR, "schedulerName", SCALAR, "priority", SCALAR,
      "enableServiceLinks", SCALAR, "preemptionPolicy", SCALAR,
      "securityContext", scalars("runAsUser", "runAsGroup", "fsGroup", "runAsNonRoot"));

  static final PatchSchema CONDITION = scalars("type", "status", "lastProbeTime", "lastTransitionTime", "reason",
      "message", "observedGeneration", "lastUpdateTime");

  static final PatchSchema POD_STATUS = object(
      "phase", SCALAR, "hostIP", SCALAR, "podIP", SCALAR, "startTime", SCALAR, "qosClass", SCALAR,
      "conditions", mergeList("type", CONDITION),
      "podIPs", mergeList("ip", scalars("ip")),
      "hostIPs", mergeList("ip", scalars("ip")),
      "containerStatuses", list(object("name", SCALAR, "ready", SCALAR, "restartCount", SCALAR, "image", SCALAR,
          "imageID", SCALAR, "containerID", SCALAR, "started", SCALAR,
          "state", object("running", scalars("startedAt")))));

  static final PatchSchema POD = object("apiVersion", SCALAR, "kind", SCALAR, "metadata", OBJECT_META,
      "spec", POD_SPEC, "status", POD_STATUS);

  static final PatchSchema DEPLOYMENT = object("apiVersion", SCALAR, "kind", SCALAR, "metadata", OBJECT_META,
      "spec", object(
          "replicas", SCALAR, "minReadySeconds", SCALAR, "revisionHistoryLimit", SCALAR, "paused", SCALAR,
          "progressDeadlineSeconds", SCALAR,
          "selector", object("matchLabels", map(SCALAR),
              "matchExpressions", list(object("key", SCALAR, "operator", SCALAR, "values", list(SCALAR)))),
          "strategy", withStrategies(object("type", SCALAR, "rollingUpdate", scalars("maxSurge", "maxUnavailable")),
              "retainKeys"),
          "template", object("metadata", OBJECT_META, "spec", POD_SPEC)),
      "status", object("replicas", SCALAR, "updatedReplicas", SCALAR, "readyReplicas", SCALAR,
          "availableReplicas", SCALAR, "observedGeneration", SCALAR, "conditions", mergeList("type", CONDITION)));

  static final PatchSchema SERVICE = object("apiVersion", SCALAR, "kind", SCALAR, "metadata", OBJECT_META,
      "spec", object("type", SCALAR, "selector", map(SCALAR), "clusterIP", SCALAR, "clusterIPs", list(SCALAR),
          "externalIPs", list(SCALAR), "sessionAffinity", SCALAR, "ipFamilies", list(SCALAR),
          "ports", mergeList("port", scalars("name", "port", "targetPort", "protocol", "nodePort"))));

  // NodeSpec.Taints has no patch strategy upstream (kubectl taint sends the whole new list); podCIDRs merges.
  static final PatchSchema NODE = object("apiVersion", SCALAR, "kind", SCALAR, "metadata", OBJECT_META,
      "spec", object("unschedulable", SCALAR, "podCIDR", SCALAR, "podCIDRs", primitiveSet(), "providerID", SCALAR,
          "taints", list(scalars("key", "value", "effect", "timeAdded"))),
      "status", object("capacity", map(SCALAR), "allocatable", map(SCALAR),
          "conditions", mergeList("type", CONDITION),
          "addresses", mergeList("type", scalars("type", "address"))));
}

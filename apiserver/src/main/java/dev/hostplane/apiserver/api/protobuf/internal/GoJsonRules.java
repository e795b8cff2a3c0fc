package dev.hostplane.apiserver.api.protobuf.internal;

import java.util.Set;

/**
 * What a proto descriptor cannot say about upstream's JSON: facts from the Go struct tags of the types.
 *
 * <p><b>Zero values.</b> Upstream's generated {@code Marshal} writes every non-pointer scalar field, zero or not;
 * only pointer fields ({@code *int32}, {@code *bool}, {@code *string}) are left out when nil. So on the wire a
 * present zero means either "a pointer set to zero" (JSON keeps it: {@code replicas: 0},
 * {@code automountServiceAccountToken: false}) or "a plain field at its Go zero value" (JSON leaves it out when the
 * tag says {@code omitempty}). The decoder's rule: a present empty string is left out (almost every string field is
 * {@code omitempty}; {@link #keepsEmptyString} lists the pointer strings where "" means something); a present zero
 * number or false is kept, except for the {@code omitempty} plain fields listed in {@link #omitsZero}. A field in
 * neither list decodes to JSON exactly when it is on the wire.
 *
 * <p><b>Inlined members.</b> Go structs that embed another with {@code json:",inline"} have a proto field for the
 * embedded struct; its members appear directly in the parent's JSON ({@link #isInline}).
 *
 * <p><b>Names.</b> Proto field names equal the JSON names except where the JSON name is not a proto identifier
 * ({@code $ref}, {@code x-kubernetes-*}) and where the proto name kept a Go field's capital
 * ({@code Webhooks}) ({@link #jsonName}).
 */
final class GoJsonRules {
  private GoJsonRules() {}

  private static final String META = "k8s.io.apimachinery.pkg.apis.meta.v1.";
  private static final String API = "k8s.io.api.";
  private static final String APIEXT = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.";

  /** Plain (non-pointer) {@code omitempty} numbers and booleans of the served types: zero means absent. */
  private static final Set<String> OMIT_ZERO = Set.of(
      META + "ObjectMeta.generation",
      META + "Status.code",
      META + "StatusDetails.retryAfterSeconds",
      META + "Condition.observedGeneration",
      API + "core.v1.Container.stdin", API + "core.v1.Container.stdinOnce", API + "core.v1.Container.tty",
      API + "core.v1.EphemeralContainerCommon.stdin", API + "core.v1.EphemeralContainerCommon.stdinOnce",
      API + "core.v1.EphemeralContainerCommon.tty",
      API + "core.v1.ContainerPort.hostPort",
      API + "core.v1.VolumeMount.readOnly",
      API + "core.v1.Probe.initialDelaySeconds", API + "core.v1.Probe.timeoutSeconds",
      API + "core.v1.Probe.periodSeconds", API + "core.v1.Probe.successThreshold",
      API + "core.v1.Probe.failureThreshold",
      API + "core.v1.PodSpec.hostNetwork", API + "core.v1.PodSpec.hostPID", API + "core.v1.PodSpec.hostIPC",
      API + "core.v1.ServiceSpec.healthCheckNodePort", API + "core.v1.ServiceSpec.publishNotReadyAddresses",
      API + "core.v1.ServicePort.nodePort",
      API + "core.v1.NodeSpec.unschedulable",
      API + "core.v1.Event.count",
      API + "core.v1.ContainerStateTerminated.signal",
      API + "core.v1.ContainerImage.sizeBytes",
      API + "core.v1.ReplicationControllerSpec.minReadySeconds",
      API + "core.v1.ReplicationControllerStatus.fullyLabeledReplicas",
      API + "core.v1.ReplicationControllerStatus.readyReplicas",
      API + "core.v1.ReplicationControllerStatus.availableReplicas",
      API + "core.v1.ReplicationControllerStatus.observedGeneration",
      API + "apps.v1.DeploymentSpec.minReadySeconds", API + "apps.v1.DeploymentSpec.paused",
      API + "apps.v1.DeploymentStatus.observedGeneration", API + "apps.v1.DeploymentStatus.replicas",
      API + "apps.v1.DeploymentStatus.updatedReplicas", API + "apps.v1.DeploymentStatus.readyReplicas",
      API + "apps.v1.DeploymentStatus.availableReplicas", API + "apps.v1.DeploymentStatus.unavailableReplicas",
      API + "apps.v1.ReplicaSetSpec.minReadySeconds",
      API + "apps.v1.ReplicaSetStatus.fullyLabeledReplicas", API + "apps.v1.ReplicaSetStatus.readyReplicas",
      API + "apps.v1.ReplicaSetStatus.availableReplicas", API + "apps.v1.ReplicaSetStatus.observedGeneration",
      API + "apps.v1.StatefulSetSpec.minReadySeconds",
      API + "apps.v1.StatefulSetStatus.observedGeneration", API + "apps.v1.StatefulSetStatus.readyReplicas",
      API + "apps.v1.StatefulSetStatus.currentReplicas", API + "apps.v1.StatefulSetStatus.updatedReplicas",
      API + "apps.v1.DaemonSetSpec.minReadySeconds",
      API + "apps.v1.DaemonSetStatus.observedGeneration", API + "apps.v1.DaemonSetStatus.updatedNumberScheduled",
      API + "apps.v1.DaemonSetStatus.numberAvailable", API + "apps.v1.DaemonSetStatus.numberUnavailable",
      API + "batch.v1.JobStatus.active", API + "batch.v1.JobStatus.succeeded", API + "batch.v1.JobStatus.failed",
      API + "autoscaling.v1.ScaleSpec.replicas",
      API + "autoscaling.v2.HorizontalPodAutoscalerStatus.currentReplicas",
      API + "policy.v1.PodDisruptionBudgetStatus.observedGeneration",
      API + "authorization.v1.SubjectAccessReviewStatus.denied",
      API + "authentication.v1.TokenReviewStatus.authenticated",
      API + "networking.v1.ServiceBackendPort.number",
      API + "scheduling.v1.PriorityClass.globalDefault",
      API + "events.v1.Event.deprecatedCount",
      APIEXT + "v1.CustomResourceColumnDefinition.priority",
      APIEXT + "v1.CustomResourceDefinitionVersion.deprecated",
      APIEXT + "v1.CustomResourceDefinitionSpec.preserveUnknownFields",
      APIEXT + "v1beta1.CustomResourceColumnDefinition.priority",
      APIEXT + "v1beta1.CustomResourceDefinitionVersion.deprecated");

  /** JSONSchemaProps' plain {@code omitempty} booleans (every other member of it is a pointer or a string). */
  private static final Set<String> SCHEMA_PROPS_OMIT_ZERO = Set.of("exclusiveMaximum", "exclusiveMinimum",
      "uniqueItems", "nullable", "xKubernetesEmbeddedResource", "xKubernetesIntOrString");

  /** Pointer strings where "" differs from absent. */
  private static final Set<String> KEEP_EMPTY_STRING = Set.of(
      API + "core.v1.PersistentVolumeClaimSpec.storageClassName",
      API + "core.v1.PersistentVolumeClaimSpec.volumeAttributesClassName");

  /** Proto fields of embedded Go structs tagged {@code json:",inline"}. */
  private static final Set<String> INLINE = Set.of(
      API + "core.v1.Volume.volumeSource",
      API + "core.v1.PersistentVolumeSpec.persistentVolumeSource",
      API + "core.v1.Probe.handler",
      API + "core.v1.EphemeralContainer.ephemeralContainerCommon",
      API + "core.v1.ConfigMapEnvSource.localObjectReference",
      API + "core.v1.ConfigMapKeySelector.localObjectReference",
      API + "core.v1.ConfigMapProjection.localObjectReference",
      API + "core.v1.ConfigMapVolumeSource.localObjectReference",
      API + "core.v1.SecretEnvSource.localObjectReference",
      API + "core.v1.SecretKeySelector.localObjectReference",
      API + "core.v1.SecretProjection.localObjectReference",
      API + "networking.v1.IngressRule.ingressRuleValue",
      API + "admissionregistration.v1.RuleWithOperations.rule",
      API + "admissionregistration.v1.NamedRuleWithOperations.ruleWithOperations");

  /** Capitalised proto names whose JSON name is capitalised too (the others are lower-cased). */
  private static final Set<String> CAPITALISED_JSON = Set.of(
      API + "core.v1.DaemonEndpoint.Port",
      APIEXT + "v1beta1.CustomResourceColumnDefinition.JSONPath");

  /** {@code <message full name>.<field>} as the tables key it. */
  static boolean omitsZero(String message, String field) {
    if (message.startsWith(APIEXT) && message.endsWith(".JSONSchemaProps")) {
      return SCHEMA_PROPS_OMIT_ZERO.contains(field);
    }
    if (message.startsWith(API + "core.v1.") && message.endsWith("VolumeSource")
        && (field.equals("readOnly") || field.equals("partition"))
        && !message.endsWith(".CSIVolumeSource") && !message.endsWith(".AzureDiskVolumeSource")) {
      return true; // every in-tree volume source but these two has a plain omitempty readOnly
    }
    return OMIT_ZERO.contains(message + "." + field);
  }

  static boolean keepsEmptyString(String message, String field) {
    return KEEP_EMPTY_STRING.contains(message + "." + field);
  }

  static boolean isInline(String message, String field) {
    return INLINE.contains(message + "." + field);
  }

  /** The JSON member name of a proto field. */
  static String jsonName(String message, String field) {
    if (message.startsWith(APIEXT) && message.endsWith(".JSONSchemaProps")) {
      switch (field) {
        case "ref":
          return "$ref";
        case "schema":
          return "$schema";
        default:
          if (field.startsWith("xKubernetes")) {
            return "x-kubernetes" + kebab(field.substring("xKubernetes".length()));
          }
      }
    }
    // A few proto names kept a Go field's capital (webhook configurations' "Webhooks", "Expression").
    if (Character.isUpperCase(field.charAt(0)) && !CAPITALISED_JSON.contains(message + "." + field)) {
      return Character.toLowerCase(field.charAt(0)) + field.substring(1);
    }
    return field;
  }

  /** {@code PreserveUnknownFields} -> {@code -preserve-unknown-fields}. */
  private static String kebab(String camel) {
    StringBuilder out = new StringBuilder();
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('-').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}

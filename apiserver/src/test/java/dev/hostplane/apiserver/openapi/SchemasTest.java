package dev.hostplane.apiserver.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.registry.GroupVersionKind;
import dev.hostplane.apiserver.registry.ResourceType;
import dev.hostplane.apiserver.registry.types.BuiltinResources;
import dev.hostplane.apiserver.registry.types.NodePortAllocator;
import dev.hostplane.apiserver.registry.types.ServiceAddressAllocator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SchemasTest {
  private final Schemas schemas = Schemas.builtin();

  @Test
  void everyServedKindAndItsListHasASchema() {
    var catalog = BuiltinResources.catalog(new ServiceAddressAllocator("10.96.0.0/12"), new NodePortAllocator());
    for (ResourceType t : catalog.all()) {
      SchemaNode s = schemas.byGvk(t.gvk()).orElseThrow(() -> new AssertionError("no schema for " + t.gvk()));
      assertNotNull(s.property("metadata"), t.gvk().toString());
      assertEquals("string", s.property("kind").type());
      assertTrue(schemas.byGvk(new GroupVersionKind(t.group(), t.version(), t.listKind())).isPresent(),
          t.listKind());
    }
  }

  @ParameterizedTest
  @CsvSource({
      ",v1,Pod,io.k8s.api.core.v1.Pod",
      ",v1,Event,io.k8s.api.core.v1.Event",
      "events.k8s.io,v1,Event,io.k8s.api.events.v1.Event",
      "apps,v1,Deployment,io.k8s.api.apps.v1.Deployment",
      "autoscaling,v2,HorizontalPodAutoscaler,io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
      "autoscaling,v1,HorizontalPodAutoscaler,io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler",
      "autoscaling,v1,Scale,io.k8s.api.autoscaling.v1.Scale",
      "discovery.k8s.io,v1,EndpointSlice,io.k8s.api.discovery.v1.EndpointSlice",
      "coordination.k8s.io,v1,Lease,io.k8s.api.coordination.v1.Lease",
      "node.k8s.io,v1,RuntimeClass,io.k8s.api.node.v1.RuntimeClass",
      "rbac.authorization.k8s.io,v1,ClusterRole,io.k8s.api.rbac.v1.ClusterRole",
      "apiextensions.k8s.io,v1,CustomResourceDefinition,"
          + "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
      "admissionregistration.k8s.io,v1,ValidatingWebhookConfiguration,"
          + "io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration",
      "authentication.k8s.io,v1,TokenRequest,io.k8s.api.authentication.v1.TokenRequest",
      "policy,v1,Eviction,io.k8s.api.policy.v1.Eviction",
  })
  void kindsResolveToUpstreamDefinitionNames(String group, String version, String kind, String definition) {
    SchemaNode s = schemas.byGvk(new GroupVersionKind(group == null ? "" : group, version, kind)).orElseThrow();
    assertEquals(definition, s.definition());
    assertSame(s, schemas.byDefinition(definition).orElseThrow());
    assertEquals(List.of(new GroupVersionKind(group == null ? "" : group, version, kind)), s.groupVersionKinds());
  }

  /** Upstream facts (Kubernetes 1.33 swagger.json) the strategic merge patch and apply depend on. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "io.k8s.api.core.v1.PodSpec|containers|name|merge|map|name",
      "io.k8s.api.core.v1.PodSpec|initContainers|name|merge|map|name",
      "io.k8s.api.core.v1.PodSpec|volumes|name|merge,retainKeys|map|name",
      "io.k8s.api.core.v1.PodSpec|tolerations|||atomic|",
      "io.k8s.api.core.v1.PodSpec|imagePullSecrets|name|merge|map|name",
      "io.k8s.api.core.v1.Container|ports|containerPort|merge|map|containerPort,protocol",
      "io.k8s.api.core.v1.Container|env|name|merge|map|name",
      "io.k8s.api.core.v1.Container|volumeMounts|mountPath|merge|map|mountPath",
      "io.k8s.api.core.v1.Container|args|||atomic|",
      "io.k8s.api.core.v1.ServiceSpec|ports|port|merge|map|port,protocol",
      "io.k8s.api.core.v1.PodStatus|conditions|type|merge|map|type",
      "io.k8s.api.apps.v1.DeploymentStatus|conditions|type|merge|map|type",
      "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta|finalizers||merge|set|",
      "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta|ownerReferences|uid|merge|map|uid",
      "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta|managedFields|||atomic|",
      "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector|matchExpressions|||atomic|",
      "io.k8s.api.discovery.v1.EndpointSlice|endpoints|||atomic|",
      "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus|conditions|type|merge|map|type",
      "io.k8s.api.rbac.v1.ClusterRole|rules|||atomic|",
  })
  void patchAndListMetadataMatchUpstream(String definition, String field, String mergeKey, String strategy,
      String listType, String mapKeys) {
    SchemaNode f = schemas.byDefinition(definition).orElseThrow().property(field);
    assertNotNull(f, definition + "." + field);
    assertEquals("array", f.type());
    assertEquals(mergeKey, f.patchMergeKey(), "merge key of " + field);
    assertEquals(strategy, f.patchStrategy(), "strategy of " + field);
    assertEquals(listType, f.listType(), "list type of " + field);
    assertEquals(mapKeys == null ? List.of() : List.of(mapKeys.split(",")), f.listMapKeys());
  }

  @Test
  void navigatesTypesFormatsAndExtensions() {
    SchemaNode deployment = schemas.byDefinition("io.k8s.api.apps.v1.Deployment").orElseThrow();
    SchemaNode spec = deployment.property("spec");
    assertEquals("io.k8s.api.apps.v1.DeploymentSpec", spec.definition());
    assertEquals("int32", spec.property("replicas").format());
    assertTrue(spec.required().contains("selector"));
    assertEquals("retainKeys", spec.property("strategy").patchStrategy());
    assertEquals("io.k8s.api.apps.v1.DeploymentStrategy", spec.property("strategy").definition());
    assertNotNull(spec.property("strategy").property("rollingUpdate"));
    assertEquals("atomic", schemas.byDefinition("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector")
        .orElseThrow().mapType());
    SchemaNode container = schemas.byDefinition("io.k8s.api.core.v1.Container").orElseThrow();
    assertSame(container, spec.property("template").property("spec").property("containers").items());
    assertTrue(container.property("ports").items().property("targetPort") == null);
    SchemaNode probe = container.property("livenessProbe").property("httpGet").property("port");
    assertTrue(probe.intOrString());
    assertEquals("string", container.property("resources").property("limits").additionalProperties().type());
    assertEquals("byte", schemas.byGvk(new GroupVersionKind("", "v1", "Secret")).orElseThrow().property("data")
        .additionalProperties().format());
    assertEquals("date-time", schemas.byDefinition("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
        .orElseThrow().property("creationTimestamp").format());
    assertTrue(schemas.byDefinition("io.k8s.api.apps.v1.ControllerRevision").orElseThrow().property("data")
        .preserveUnknownFields());
    assertNull(container.property("nonsense"));
    // Recursive: JSONSchemaProps refers to itself.
    SchemaNode props = schemas.byDefinition(
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps").orElseThrow();
    assertSame(props, props.property("properties").additionalProperties());
    assertNotNull(props.property("x-kubernetes-preserve-unknown-fields"));
    assertNotNull(props.property("$ref"));
  }
}

package dev.hostplane.apiserver.registry.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.registry.DeletionGate;
import dev.hostplane.apiserver.registry.GracefulDeletion;
import dev.hostplane.apiserver.registry.NamedBy;
import dev.hostplane.apiserver.registry.ResourceCatalog;
import dev.hostplane.apiserver.registry.ResourceType;
import dev.hostplane.apiserver.registry.Strategy;
import dev.hostplane.apiserver.registry.VersionConverter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BuiltinResourcesTest {
  private final ResourceCatalog catalog = BuiltinResources.catalog(new ServiceAddressAllocator("10.96.0.0/12"),
      new NodePortAllocator());

  /** group/version/resource Kind, every row of the brief. */
  private static final List<String> EXPECTED = List.of(
      "/v1/configmaps ConfigMap", "/v1/endpoints Endpoints", "/v1/events Event", "/v1/limitranges LimitRange",
      "/v1/namespaces Namespace", "/v1/nodes Node", "/v1/persistentvolumeclaims PersistentVolumeClaim",
      "/v1/persistentvolumes PersistentVolume", "/v1/pods Pod", "/v1/podtemplates PodTemplate",
      "/v1/replicationcontrollers ReplicationController", "/v1/resourcequotas ResourceQuota",
      "/v1/secrets Secret", "/v1/serviceaccounts ServiceAccount", "/v1/services Service",
      "apps/v1/controllerrevisions ControllerRevision", "apps/v1/daemonsets DaemonSet",
      "apps/v1/deployments Deployment", "apps/v1/replicasets ReplicaSet", "apps/v1/statefulsets StatefulSet",
      "events.k8s.io/v1/events Event",
      "autoscaling/v2/horizontalpodautoscalers HorizontalPodAutoscaler",
      "autoscaling/v1/horizontalpodautoscalers HorizontalPodAutoscaler",
      "batch/v1/cronjobs CronJob", "batch/v1/jobs Job",
      "certificates.k8s.io/v1/certificatesigningrequests CertificateSigningRequest",
      "networking.k8s.io/v1/ingressclasses IngressClass", "networking.k8s.io/v1/ingresses Ingress",
      "networking.k8s.io/v1/networkpolicies NetworkPolicy",
      "policy/v1/poddisruptionbudgets PodDisruptionBudget",
      "rbac.authorization.k8s.io/v1/clusterrolebindings ClusterRoleBinding",
      "rbac.authorization.k8s.io/v1/clusterroles ClusterRole",
      "rbac.authorization.k8s.io/v1/rolebindings RoleBinding", "rbac.authorization.k8s.io/v1/roles Role",
      "storage.k8s.io/v1/csidrivers CSIDriver", "storage.k8s.io/v1/csinodes CSINode",
      "storage.k8s.io/v1/storageclasses StorageClass", "storage.k8s.io/v1/volumeattachments VolumeAttachment",
      "admissionregistration.k8s.io/v1/mutatingwebhookconfigurations MutatingWebhookConfiguration",
      "admissionregistration.k8s.io/v1/validatingwebhookconfigurations ValidatingWebhookConfiguration",
      "apiextensions.k8s.io/v1/customresourcedefinitions CustomResourceDefinition",
      "scheduling.k8s.io/v1/priorityclasses PriorityClass", "coordination.k8s.io/v1/leases Lease",
      "node.k8s.io/v1/runtimeclasses RuntimeClass", "discovery.k8s.io/v1/endpointslices EndpointSlice");

  @Test
  void everyResourceIsRegisteredOnceInDiscoveryOrder() {
    List<String> actual = catalog.all().stream().map(t -> t.gvr().groupVersion().replaceFirst("^v1$", "/v1")
        + "/" + t.resource() + " " + t.kind()).collect(Collectors.toList());
    assertEquals(EXPECTED, actual);
    Set<String> gvrs = new HashSet<>();
    catalog.all().forEach(t -> assertTrue(gvrs.add(t.gvr().toString()), "duplicate " + t.gvr()));
  }

  @Test
  void groupsFollowUpstreamOrderAndPreferredVersions() {
    assertEquals(List.of("", "apps", "events.k8s.io", "autoscaling", "batch", "certificates.k8s.io",
        "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io",
        "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io",
        "node.k8s.io", "discovery.k8s.io"), catalog.groups());
    assertEquals(List.of("v2", "v1"), catalog.versions("autoscaling"));
  }

  @Test
  void theAllCategoryIsExactlyUpstreams() {
    Set<String> all = catalog.all().stream().filter(t -> t.categories().contains("all"))
        .map(ResourceType::resource).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(List.of("pods", "replicationcontrollers", "services", "daemonsets", "deployments",
        "replicasets", "statefulsets", "horizontalpodautoscalers", "cronjobs", "jobs")), all);
    Set<String> extensions = catalog.all().stream().filter(t -> t.categories().contains("api-extensions"))
        .map(ResourceType::resource).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(List.of("customresourcedefinitions", "mutatingwebhookconfigurations",
        "validatingwebhookconfigurations")), extensions);
  }

  @ParameterizedTest
  @CsvSource({
      "'', v1, pods, po", "'', v1, services, svc", "'', v1, namespaces, ns", "'', v1, configmaps, cm",
      "'', v1, endpoints, ep", "'', v1, serviceaccounts, sa", "'', v1, nodes, no", "'', v1, events, ev",
      "'', v1, persistentvolumes, pv", "'', v1, persistentvolumeclaims, pvc",
      "'', v1, replicationcontrollers, rc", "'', v1, limitranges, limits", "'', v1, resourcequotas, quota",
      "apps, v1, deployments, deploy", "apps, v1, replicasets, rs", "apps, v1, statefulsets, sts",
      "apps, v1, daemonsets, ds", "batch, v1, cronjobs, cj", "autoscaling, v2, horizontalpodautoscalers, hpa",
      "autoscaling, v1, horizontalpodautoscalers, hpa", "networking.k8s.io, v1, ingresses, ing",
      "networking.k8s.io, v1, networkpolicies, netpol", "policy, v1, poddisruptionbudgets, pdb",
      "storage.k8s.io, v1, storageclasses, sc", "scheduling.k8s.io, v1, priorityclasses, pc",
      "certificates.k8s.io, v1, certificatesigningrequests, csr",
      "apiextensions.k8s.io, v1, customresourcedefinitions, crd", "events.k8s.io, v1, events, ev"})
  void shortNames(String group, String version, String resource, String shortName) {
    assertTrue(type(group, version, resource).shortNames().contains(shortName));
  }

  @Test
  void statusSubresourcesWhereUpstreamHasThem() {
    Set<String> withStatus = catalog.all().stream().filter(ResourceType::hasStatus)
        .map(t -> t.group() + "/" + t.version() + "/" + t.resource()).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(List.of("/v1/pods", "/v1/services", "/v1/namespaces", "/v1/nodes",
        "/v1/persistentvolumes", "/v1/persistentvolumeclaims", "/v1/replicationcontrollers", "/v1/resourcequotas",
        "apps/v1/deployments", "apps/v1/replicasets", "apps/v1/statefulsets", "apps/v1/daemonsets",
        "batch/v1/jobs", "batch/v1/cronjobs", "autoscaling/v2/horizontalpodautoscalers",
        "autoscaling/v1/horizontalpodautoscalers", "policy/v1/poddisruptionbudgets",
        "networking.k8s.io/v1/ingresses", "storage.k8s.io/v1/volumeattachments",
        "apiextensions.k8s.io/v1/customresourcedefinitions", "certificates.k8s.io/v1/certificatesigningrequests")),
        withStatus);
    ResourceType.Subresource finalize = type("", "v1", "namespaces").subresource("finalize").orElseThrow();
    assertEquals(List.of("update"), finalize.verbs());
    ResourceType.Subresource approval = type("certificates.k8s.io", "v1", "certificatesigningrequests")
        .subresource("approval").orElseThrow();
    assertEquals(List.of("get", "patch", "update"), approval.verbs());
  }

  @Test
  void sharedStorageUsesConverters() {
    ResourceType coreEvents = type("", "v1", "events");
    ResourceType newEvents = type("events.k8s.io", "v1", "events");
    assertEquals(coreEvents.storageResource(), newEvents.storageResource());
    assertSame(VersionConverter.IDENTITY, coreEvents.converter());
    assertInstanceOf(EventsV1Converter.class, newEvents.converter());
    ResourceType v2 = type("autoscaling", "v2", "horizontalpodautoscalers");
    ResourceType v1 = type("autoscaling", "v1", "horizontalpodautoscalers");
    assertEquals("horizontalpodautoscalers", v2.storageResource());
    assertEquals(v2.storageResource(), v1.storageResource());
    assertSame(VersionConverter.IDENTITY, v2.converter());
    assertInstanceOf(HorizontalPodAutoscalerV1Converter.class, v1.converter());
    assertEquals(catalog.byStorage("events").size(), 2);
  }

  @Test
  void strategiesCarryTheirAbilities() {
    assertTrue(catalog.all().stream().noneMatch(t -> t.strategy() == Strategy.DEFAULT),
        "every type has its own strategy");
    assertInstanceOf(GracefulDeletion.class, type("", "v1", "pods").strategy());
    assertInstanceOf(DeletionGate.class, type("", "v1", "namespaces").strategy());
    assertInstanceOf(NamedBy.class, type("rbac.authorization.k8s.io", "v1", "roles").strategy());
    assertTrue(BuiltinResources.services(catalog).isPresent());
    assertTrue(type("", "v1", "endpoints").strategy().allowCreateOnUpdate());
    assertTrue(type("apps", "v1", "deployments").strategy().tracksGeneration());
    assertTrue(type("", "v1", "pods").strategy().returnsDeletedObject());
    assertNotSame(type("", "v1", "events").strategy(), type("events.k8s.io", "v1", "events").strategy());
    assertTrue(type("", "v1", "pods").strategy().selectableFields().containsKey("spec.nodeName"));
    assertTrue(type("", "v1", "secrets").strategy().selectableFields().containsKey("type"));
    assertTrue(type("", "v1", "nodes").strategy().selectableFields().containsKey("spec.unschedulable"));
    assertTrue(type("", "v1", "events").strategy().selectableFields().containsKey("involvedObject.uid"));
  }

  @Test
  void scopeMatchesUpstream() {
    Set<String> clusterScoped = catalog.all().stream().filter(t -> !t.namespaced()).map(ResourceType::resource)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(List.of("namespaces", "nodes", "persistentvolumes", "certificatesigningrequests",
        "ingressclasses", "clusterrolebindings", "clusterroles", "csidrivers", "csinodes", "storageclasses",
        "volumeattachments", "mutatingwebhookconfigurations", "validatingwebhookconfigurations",
        "customresourcedefinitions", "priorityclasses", "runtimeclasses")), clusterScoped);
  }

  private ResourceType type(String group, String version, String resource) {
    return catalog.find(group, version, resource).orElseThrow(() -> new AssertionError(resource));
  }
}

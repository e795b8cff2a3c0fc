package dev.hostplane.apiserver.api.protobuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.api.protobuf.internal.Schemas;
import dev.hostplane.apiserver.registry.ResourceCatalog;
import dev.hostplane.apiserver.registry.ResourceType;
import dev.hostplane.apiserver.registry.types.BuiltinResources;
import dev.hostplane.apiserver.registry.types.NodePortAllocator;
import dev.hostplane.apiserver.registry.types.ServiceAddressAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The kind table derived from the descriptors covers what the server serves, and nothing it should not. */
class SchemasTest {
  @Test
  void everyServedKindAndItsListHaveAProtobufForm() {
    ResourceCatalog catalog = BuiltinResources.catalog(new ServiceAddressAllocator("10.96.0.0/16"),
        new NodePortAllocator());
    List<String> missing = new ArrayList<>();
    for (ResourceType t : catalog.all()) {
      for (String kind : List.of(t.kind(), t.listKind())) {
        if (!KubeProtobuf.supports(t.apiVersion(), kind)) {
          missing.add(t.apiVersion() + " " + kind);
        }
      }
    }
    assertEquals(List.of(), missing);
  }

  @Test
  void reviewsStatusAndWatchEventsAreRegistered() {
    for (String gvk : List.of("authorization.k8s.io/v1 SelfSubjectAccessReview",
        "authorization.k8s.io/v1 SelfSubjectRulesReview", "authorization.k8s.io/v1 SubjectAccessReview",
        "authentication.k8s.io/v1 SelfSubjectReview", "authentication.k8s.io/v1 TokenReview",
        "authentication.k8s.io/v1 TokenRequest", "policy/v1 Eviction", "autoscaling/v1 Scale", "v1 Binding",
        "v1 Status", "meta.k8s.io/v1 Status", "meta.k8s.io/v1 WatchEvent", "v1 DeleteOptions",
        "meta.k8s.io/v1 PartialObjectMetadataList", "v1 PodTemplate")) {
      String[] p = gvk.split(" ");
      assertTrue(KubeProtobuf.supports(p[0], p[1]), gvk);
    }
  }

  @Test
  void embeddedPartsBetaVersionsAndCustomResourcesAreNotKinds() {
    for (String gvk : List.of("v1 PodTemplateSpec", "v1 PodSpec", "batch/v1 JobTemplateSpec",
        "v1 PersistentVolumeClaimTemplate", "apps/v1beta1 Deployment", "autoscaling/v2beta2 HorizontalPodAutoscaler",
        "apiextensions.k8s.io/v1beta1 CustomResourceDefinition", "example.com/v1 Widget", "v1 Table",
        "apps/v1 Status")) {
      String[] p = gvk.split(" ");
      assertFalse(KubeProtobuf.supports(p[0], p[1]), gvk);
    }
  }

  @Test
  void groupNamesFollowUpstream() {
    Set<String> kinds = Schemas.get().kinds();
    for (String k : List.of("rbac.authorization.k8s.io/v1/ClusterRole", "apps/v1/Deployment", "batch/v1/CronJob",
        "autoscaling/v2/HorizontalPodAutoscaler", "policy/v1/PodDisruptionBudget", "networking.k8s.io/v1/Ingress",
        "storage.k8s.io/v1/CSIDriver", "coordination.k8s.io/v1/Lease", "discovery.k8s.io/v1/EndpointSlice",
        "events.k8s.io/v1/Event", "node.k8s.io/v1/RuntimeClass",
        "apiextensions.k8s.io/v1/CustomResourceDefinition", "certificates.k8s.io/v1/CertificateSigningRequest",
        "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration", "scheduling.k8s.io/v1/PriorityClass")) {
      assertTrue(kinds.contains(k), k);
    }
  }
}

package dev.hostplane.apiserver.registry.types;

import dev.hostplane.apiserver.registry.ResourceCatalog;
import dev.hostplane.apiserver.registry.ResourceType;
import dev.hostplane.apiserver.registry.VersionConverter;
import java.util.Optional;

/**
 * The built-in Kubernetes resources this server serves, with upstream's short names, categories and subresources,
 * registered in discovery order: core/v1 first, then groups in upstream's order, resources alphabetically within
 * a group version (as upstream's discovery lists them), the preferred version of a group first.
 *
 * <p>Subresources are registered as they are served: {@code status}, {@code namespaces/finalize},
 * {@code certificatesigningrequests/approval}, {@code scale}, {@code pods/binding}, {@code pods/eviction} and
 * {@code serviceaccounts/token}; the others (log, exec, proxy, ...) belong to whoever implements them.
 */
public final class BuiltinResources {
  private BuiltinResources() {}

  private static final String ALL = "all";
  private static final String API_EXTENSIONS = "api-extensions";

  /**
   * Every built-in resource type. Services allocate from {@code clusterIps} and {@code nodePorts}; see
   * {@link ServiceStrategy} for the release duties that fall on the caller ({@link #services} finds it).
   */
  public static ResourceCatalog catalog(ServiceAddressAllocator clusterIps, NodePortAllocator nodePorts) {
    return catalog(new ServiceStrategy(clusterIps, nodePorts));
  }

  /** Every built-in resource type, Services with {@code services} (e.g. one that claims in shared storage). */
  public static ResourceCatalog catalog(ServiceStrategy services) {
    ResourceCatalog.Builder b = ResourceCatalog.builder();
    core(b, services);
    apps(b);
    b.add("events.k8s.io", "v1", "Event", "events", true).shortNames("ev")
        .strategy(EventStrategy.strict()).storedAs("events", new EventsV1Converter()).done();
    autoscaling(b);
    b.add("batch", "v1", "CronJob", "cronjobs", true).shortNames("cj").categories(ALL).status()
        .strategy(new CronJobStrategy()).done();
    b.add("batch", "v1", "Job", "jobs", true).categories(ALL).status().strategy(new JobStrategy()).done();
    b.add("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests", false)
        .shortNames("csr").status()
        .subresource("approval", "certificates.k8s.io", "v1", "CertificateSigningRequest", "get", "patch",
            "update")
        .strategy(new CertificateSigningRequestStrategy()).done();
    networking(b);
    b.add("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true).shortNames("pdb").status()
        .strategy(new PodDisruptionBudgetStrategy()).done();
    rbac(b);
    storage(b);
    String admission = "admissionregistration.k8s.io";
    b.add(admission, "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false)
        .categories(API_EXTENSIONS).strategy(WebhookConfigurationStrategy.mutating()).done();
    b.add(admission, "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false)
        .categories(API_EXTENSIONS).strategy(WebhookConfigurationStrategy.validating()).done();
    b.add("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false)
        .shortNames("crd", "crds").categories(API_EXTENSIONS).status()
        .strategy(new CustomResourceDefinitionStrategy()).done();
    b.add("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false).shortNames("pc")
        .strategy(new PriorityClassStrategy()).done();
    b.add("coordination.k8s.io", "v1", "Lease", "leases", true).strategy(new LeaseStrategy()).done();
    b.add("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", false).strategy(new RuntimeClassStrategy())
        .done();
    b.add("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true)
        .strategy(new EndpointSliceStrategy()).done();
    return b.build();
  }

  /** The Service strategy of a catalog built here, for wiring allocation releases. */
  public static Optional<ServiceStrategy> services(ResourceCatalog catalog) {
    return catalog.find("", "v1", "services").map(ResourceType::strategy)
        .filter(ServiceStrategy.class::isInstance).map(ServiceStrategy.class::cast);
  }

  private static void core(ResourceCatalog.Builder b, ServiceStrategy services) {
    b.add("", "v1", "ConfigMap", "configmaps", true).shortNames("cm").strategy(new ConfigMapStrategy()).done();
    b.add("", "v1", "Endpoints", "endpoints", true).shortNames("ep").strategy(new EndpointsStrategy()).done();
    b.add("", "v1", "Event", "events", true).shortNames("ev").strategy(EventStrategy.legacy()).done();
    b.add("", "v1", "LimitRange", "limitranges", true).shortNames("limits").strategy(new LimitRangeStrategy())
        .done();
    b.add("", "v1", "Namespace", "namespaces", false).shortNames("ns").status()
        .subresource("finalize", "", "v1", "Namespace", "update").strategy(new NamespaceStrategy()).done();
    b.add("", "v1", "Node", "nodes", false).shortNames("no").status().strategy(new NodeStrategy()).done();
    b.add("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true).shortNames("pvc").status()
        .strategy(new PersistentVolumeClaimStrategy()).done();
    b.add("", "v1", "PersistentVolume", "persistentvolumes", false).shortNames("pv").status()
        .strategy(new PersistentVolumeStrategy()).done();
    b.add("", "v1", "Pod", "pods", true).shortNames("po").categories(ALL).status()
        .subresource("binding", "", "v1", "Binding", "create")
        .subresource("eviction", "policy", "v1", "Eviction", "create")
        .strategy(new PodStrategy()).done();
    b.add("", "v1", "PodTemplate", "podtemplates", true).strategy(new PodTemplateStrategy()).done();
    b.add("", "v1", "ReplicationController", "replicationcontrollers", true).shortNames("rc").categories(ALL)
        .status().subresource("scale", "autoscaling", "v1", "Scale", "get", "patch", "update")
        .strategy(new ReplicationControllerStrategy()).done();
    b.add("", "v1", "ResourceQuota", "resourcequotas", true).shortNames("quota").status()
        .strategy(new ResourceQuotaStrategy()).done();
    b.add("", "v1", "Secret", "secrets", true).strategy(new SecretStrategy()).done();
    b.add("", "v1", "ServiceAccount", "serviceaccounts", true).shortNames("sa")
        .subresource("token", "authentication.k8s.io", "v1", "TokenRequest", "create")
        .strategy(new ServiceAccountStrategy()).done();
    b.add("", "v1", "Service", "services", true).shortNames("svc").categories(ALL).status().strategy(services)
        .done();
  }

  private static void apps(ResourceCatalog.Builder b) {
    b.add("apps", "v1", "ControllerRevision", "controllerrevisions", true)
        .strategy(new ControllerRevisionStrategy()).done();
    b.add("apps", "v1", "DaemonSet", "daemonsets", true).shortNames("ds").categories(ALL).status()
        .strategy(new DaemonSetStrategy()).done();
    b.add("apps", "v1", "Deployment", "deployments", true).shortNames("deploy").categories(ALL).status()
        .subresource("scale", "autoscaling", "v1", "Scale", "get", "patch", "update")
        .strategy(new DeploymentStrategy()).done();
    b.add("apps", "v1", "ReplicaSet", "replicasets", true).shortNames("rs").categories(ALL).status()
        .subresource("scale", "autoscaling", "v1", "Scale", "get", "patch", "update")
        .strategy(new ReplicaSetStrategy()).done();
    b.add("apps", "v1", "StatefulSet", "statefulsets", true).shortNames("sts").categories(ALL).status()
        .subresource("scale", "autoscaling", "v1", "Scale", "get", "patch", "update")
        .strategy(new StatefulSetStrategy()).done();
  }

  /** v2 (the storage and preferred version) first; v1 is served from the same storage through a converter. */
  private static void autoscaling(ResourceCatalog.Builder b) {
    HorizontalPodAutoscalerStrategy hpa = new HorizontalPodAutoscalerStrategy();
    String storage = "horizontalpodautoscalers";
    b.add("autoscaling", "v2", "HorizontalPodAutoscaler", storage, true).shortNames("hpa").categories(ALL)
        .status().strategy(hpa).storedAs(storage, VersionConverter.IDENTITY).done();
    b.add("autoscaling", "v1", "HorizontalPodAutoscaler", storage, true).shortNames("hpa").categories(ALL)
        .status().strategy(hpa).storedAs(storage, new HorizontalPodAutoscalerV1Converter()).done();
  }

  private static void networking(ResourceCatalog.Builder b) {
    String g = "networking.k8s.io";
    b.add(g, "v1", "IngressClass", "ingressclasses", false).strategy(new IngressClassStrategy()).done();
    b.add(g, "v1", "Ingress", "ingresses", true).shortNames("ing").status().strategy(new IngressStrategy())
        .done();
    b.add(g, "v1", "NetworkPolicy", "networkpolicies", true).shortNames("netpol")
        .strategy(new NetworkPolicyStrategy()).done();
  }

  private static void rbac(ResourceCatalog.Builder b) {
    String g = "rbac.authorization.k8s.io";
    b.add(g, "v1", "ClusterRoleBinding", "clusterrolebindings", false)
        .strategy(RoleBindingStrategy.clusterRoleBinding()).done();
    b.add(g, "v1", "ClusterRole", "clusterroles", false).strategy(RoleStrategy.clusterRole()).done();
    b.add(g, "v1", "RoleBinding", "rolebindings", true).strategy(RoleBindingStrategy.roleBinding()).done();
    b.add(g, "v1", "Role", "roles", true).strategy(RoleStrategy.role()).done();
  }

  private static void storage(ResourceCatalog.Builder b) {
    String g = "storage.k8s.io";
    b.add(g, "v1", "CSIDriver", "csidrivers", false).strategy(new CsiDriverStrategy()).done();
    b.add(g, "v1", "CSINode", "csinodes", false).strategy(new CsiNodeStrategy()).done();
    b.add(g, "v1", "StorageClass", "storageclasses", false).shortNames("sc").strategy(new StorageClassStrategy())
        .done();
    b.add(g, "v1", "VolumeAttachment", "volumeattachments", false).status()
        .strategy(new VolumeAttachmentStrategy()).done();
  }
}

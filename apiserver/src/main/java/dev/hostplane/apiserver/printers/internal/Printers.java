package dev.hostplane.apiserver.printers.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Times;
import java.util.HashMap;
import java.util.Map;

/**
 * Which printer serves which resource: upstream's table handlers by group and resource, whatever the version
 * (they print the internal type every version converts to). A resource without one gets {@link #DEFAULT}. Not
 * API.
 */
public final class Printers {
  private Printers() {}

  /**
   * Upstream's {@code rest.NewDefaultTableConvertor}: NAME and CREATED AT, the creation time in RFC 3339 (UTC, whole
   * seconds; Go's zero time when absent), typed {@code date}. It serves every resource without a printer upstream,
   * Roles, ClusterRoles, LimitRanges and CustomResourceDefinitions among them.
   */
  public static final Printer DEFAULT = Printer.of(Printers::defaultRow,
      Column.NAME, new Column("Created At", "date", "", "", 0));

  private static final Map<String, Printer> BY_RESOURCE = new HashMap<>();

  static {
    add("", "pods", PodPrinter.PRINTER);
    add("", "podtemplates", WorkloadPrinters.POD_TEMPLATES);
    add("", "replicationcontrollers", WorkloadPrinters.REPLICATION_CONTROLLERS);
    add("", "services", NetworkPrinters.SERVICES);
    add("", "endpoints", NetworkPrinters.ENDPOINTS);
    add("", "nodes", ClusterPrinters.NODES);
    add("", "namespaces", ClusterPrinters.NAMESPACES);
    add("", "events", EventPrinter.PRINTER);
    add("", "configmaps", ConfigPrinters.CONFIG_MAPS);
    add("", "secrets", ConfigPrinters.SECRETS);
    add("", "serviceaccounts", ConfigPrinters.SERVICE_ACCOUNTS);
    add("", "resourcequotas", ConfigPrinters.RESOURCE_QUOTAS);
    add("", "persistentvolumes", StoragePrinters.PERSISTENT_VOLUMES);
    add("", "persistentvolumeclaims", StoragePrinters.PERSISTENT_VOLUME_CLAIMS);
    add("apps", "deployments", WorkloadPrinters.DEPLOYMENTS);
    add("apps", "replicasets", WorkloadPrinters.REPLICA_SETS);
    add("apps", "statefulsets", WorkloadPrinters.STATEFUL_SETS);
    add("apps", "daemonsets", WorkloadPrinters.DAEMON_SETS);
    add("apps", "controllerrevisions", WorkloadPrinters.CONTROLLER_REVISIONS);
    add("batch", "jobs", BatchPrinters.JOBS);
    add("batch", "cronjobs", BatchPrinters.CRON_JOBS);
    add("events.k8s.io", "events", EventPrinter.PRINTER);
    add("autoscaling", "horizontalpodautoscalers", AutoscalingPrinter.PRINTER);
    add("networking.k8s.io", "ingresses", NetworkPrinters.INGRESSES);
    add("networking.k8s.io", "ingressclasses", NetworkPrinters.INGRESS_CLASSES);
    add("networking.k8s.io", "networkpolicies", NetworkPrinters.NETWORK_POLICIES);
    add("discovery.k8s.io", "endpointslices", NetworkPrinters.ENDPOINT_SLICES);
    add("policy", "poddisruptionbudgets", ConfigPrinters.POD_DISRUPTION_BUDGETS);
    add("rbac.authorization.k8s.io", "rolebindings", AccessPrinters.ROLE_BINDINGS);
    add("rbac.authorization.k8s.io", "clusterrolebindings", AccessPrinters.ROLE_BINDINGS);
    add("admissionregistration.k8s.io", "validatingwebhookconfigurations", AccessPrinters.WEBHOOK_CONFIGURATIONS);
    add("admissionregistration.k8s.io", "mutatingwebhookconfigurations", AccessPrinters.WEBHOOK_CONFIGURATIONS);
    add("certificates.k8s.io", "certificatesigningrequests", AccessPrinters.CERTIFICATE_SIGNING_REQUESTS);
    add("coordination.k8s.io", "leases", ClusterPrinters.LEASES);
    add("scheduling.k8s.io", "priorityclasses", ClusterPrinters.PRIORITY_CLASSES);
    add("node.k8s.io", "runtimeclasses", ClusterPrinters.RUNTIME_CLASSES);
    add("storage.k8s.io", "storageclasses", StoragePrinters.STORAGE_CLASSES);
    add("storage.k8s.io", "csidrivers", StoragePrinters.CSI_DRIVERS);
    add("storage.k8s.io", "csinodes", StoragePrinters.CSI_NODES);
    add("storage.k8s.io", "volumeattachments", StoragePrinters.VOLUME_ATTACHMENTS);
  }

  private static void add(String group, String resource, Printer p) {
    BY_RESOURCE.put(group + "/" + resource, p);
  }

  /** The printer for a group and (plural) resource; {@link #DEFAULT} when upstream has none. */
  public static Printer forResource(String group, String resource) {
    return BY_RESOURCE.getOrDefault(group + "/" + resource, DEFAULT);
  }

  private static Row defaultRow(ObjectNode obj, Ages ages) {
    String created = Ages.instant(obj.path("metadata").path("creationTimestamp")).map(Times::formatTime)
        .orElse("0001-01-01T00:00:00Z");
    return Row.of(WorkloadPrinters.name(obj), created);
  }
}

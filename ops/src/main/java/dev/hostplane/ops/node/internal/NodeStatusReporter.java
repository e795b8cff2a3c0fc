package dev.hostplane.ops.node.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * Registers the Node, renews its Lease in {@code kube-node-lease} and reports its status (addresses, capacity, the
 * Ready condition with a heartbeat, the kubelet endpoint). Called from the node's heartbeat thread only.
 */
public final class NodeStatusReporter {
  public static final String KUBELET_VERSION = "v1.33.0-hostplane";
  private static final int LEASE_DURATION_SECONDS = 40;

  private final ApiClient api;
  private final String name;
  private final String ip;
  private final int kubeletPort;
  private final Instant readySince = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private String nodeUid = "";

  public NodeStatusReporter(ApiClient api, String name, String ip, int kubeletPort) {
    this.api = api;
    this.name = name;
    this.ip = ip;
    this.kubeletPort = kubeletPort;
  }

  /** Creates the Node (or adopts an existing one of that name) and reports its status. */
  public void register() throws IOException, InterruptedException {
    ObjectNode node = ApiClient.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Node");
    ObjectNode meta = node.putObject("metadata").put("name", name);
    meta.putObject("labels").put("kubernetes.io/hostname", name).put("kubernetes.io/os", "linux")
        .put("kubernetes.io/arch", arch()).put("node.hostplane.dev/sandbox", "true");
    node.putObject("spec");
    ApiClient.Response r = api.post("/api/v1/nodes", node);
    if (r.code() == 409) {
      r = api.get("/api/v1/nodes/" + name);
    }
    if (!r.ok()) {
      throw new IOException("cannot register Node " + name + ": " + r.code() + " " + r.body());
    }
    nodeUid = r.json().path("metadata").path("uid").asText("");
    if (!reportStatus()) {
      throw new IOException("Node " + name + " was deleted while it registered");
    }
  }

  /** One heartbeat: renew the Lease, then report the status; a Node deleted meanwhile is registered again. */
  public void heartbeat() throws IOException, InterruptedException {
    if (!reportStatus()) {
      register();
    }
    renewLease();
  }

  void renewLease() throws IOException, InterruptedException {
    String path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/" + name;
    ObjectNode patch = ApiClient.JSON.createObjectNode();
    patch.putObject("spec").put("holderIdentity", name).put("leaseDurationSeconds", LEASE_DURATION_SECONDS)
        .put("renewTime", microTime(Instant.now()));
    ApiClient.Response r = api.mergePatch(path, patch);
    if (r.code() == 404) {
      ObjectNode lease = ApiClient.JSON.createObjectNode().put("apiVersion", "coordination.k8s.io/v1")
          .put("kind", "Lease");
      ObjectNode meta = lease.putObject("metadata").put("name", name).put("namespace", "kube-node-lease");
      if (!nodeUid.isEmpty()) {
        meta.putArray("ownerReferences").addObject().put("apiVersion", "v1").put("kind", "Node").put("name", name)
            .put("uid", nodeUid);
      }
      lease.set("spec", patch.get("spec"));
      r = api.post("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", lease);
    }
    if (!r.ok()) {
      throw new IOException("cannot renew Lease " + name + ": " + r.code() + " " + r.body());
    }
  }

  /** Reports the Node's status; false when the Node does not exist. */
  boolean reportStatus() throws IOException, InterruptedException {
    ObjectNode patch = ApiClient.JSON.createObjectNode();
    ObjectNode status = patch.putObject("status");
    ObjectNode resources = ApiClient.JSON.createObjectNode()
        .put("cpu", String.valueOf(Runtime.getRuntime().availableProcessors()))
        .put("memory", memoryKi() + "Ki").put("pods", "110").put("ephemeral-storage", "10Gi");
    status.set("capacity", resources);
    status.set("allocatable", resources.deepCopy());
    ArrayNode conditions = status.putArray("conditions");
    String now = time(Instant.now());
    condition(conditions, "MemoryPressure", "False", "KubeletHasSufficientMemory",
        "kubelet has sufficient memory available", now);
    condition(conditions, "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now);
    condition(conditions, "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available",
        now);
    condition(conditions, "Ready", "True", "KubeletReady", "kubelet is posting ready status", now);
    ArrayNode addresses = status.putArray("addresses");
    addresses.addObject().put("type", "InternalIP").put("address", ip);
    addresses.addObject().put("type", "Hostname").put("address", name);
    status.putObject("daemonEndpoints").putObject("kubeletEndpoint").put("Port", kubeletPort);
    status.putObject("nodeInfo").put("machineID", "").put("systemUUID", "").put("bootID", "")
        .put("kernelVersion", System.getProperty("os.version")).put("osImage", "Hostplane sandbox node")
        .put("containerRuntimeVersion", "hostplane-process://" + KUBELET_VERSION)
        .put("kubeletVersion", KUBELET_VERSION).put("kubeProxyVersion", "").put("operatingSystem", "linux")
        .put("architecture", arch());
    ApiClient.Response r = api.mergePatch("/api/v1/nodes/" + name + "/status", patch);
    if (r.code() == 404) {
      return false;
    }
    if (!r.ok()) {
      throw new IOException("cannot report the status of Node " + name + ": " + r.code() + " " + r.body());
    }
    return true;
  }

  private void condition(ArrayNode conditions, String type, String status, String reason, String message,
      String now) {
    conditions.addObject().put("type", type).put("status", status).put("lastHeartbeatTime", now)
        .put("lastTransitionTime", time(readySince)).put("reason", reason).put("message", message);
  }

  public static String time(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  static String microTime(Instant t) {
    return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(java.time.ZoneOffset.UTC)
        .format(t);
  }

  private static String arch() {
    String a = System.getProperty("os.arch");
    return switch (a) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> a;
    };
  }

  private static long memoryKi() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Not Linux, or unreadable: report the JVM's view below.
    }
    return Runtime.getRuntime().maxMemory() / 1024;
  }

}

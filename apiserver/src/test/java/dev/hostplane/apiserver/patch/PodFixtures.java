package dev.hostplane.apiserver.patch;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A realistic running Pod of about 10 KiB of JSON (four containers with ports, env, mounts, probes and resources;
 * volumes; status with conditions and container statuses), and the strategic merge patches kubectl would send for
 * it. Every call builds new trees.
 */
final class PodFixtures {
  static final int CONTAINERS = 4;
  static final int ENV_PER_CONTAINER = 12;
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private PodFixtures() {}

  static ObjectNode pod() {
    ObjectNode pod = F.objectNode().put("apiVersion", "v1").put("kind", "Pod");
    ObjectNode meta = pod.putObject("metadata").put("name", "web-7d4b9c8f6-x2x9q").put("namespace", "shop")
        .put("uid", "0d5c3f7e-2a41-4d8e-9a0b-5e6f7a8b9c0d").put("resourceVersion", "1234567")
        .put("creationTimestamp", "2026-01-02T03:04:05Z").put("generateName", "web-7d4b9c8f6-");
    meta.putObject("labels").put("app", "web").put("tier", "frontend").put("pod-template-hash", "7d4b9c8f6")
        .put("app.kubernetes.io/version", "1.4.2").put("team", "storefront");
    meta.putObject("annotations").put("prometheus.io/scrape", "true").put("prometheus.io/port", "9090")
        .put("kubectl.kubernetes.io/restartedAt", "2026-01-01T00:00:00Z");
    meta.putArray("ownerReferences").addObject().put("apiVersion", "apps/v1").put("kind", "ReplicaSet")
        .put("name", "web-7d4b9c8f6").put("uid", "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d").put("controller", true)
        .put("blockOwnerDeletion", true);
    ObjectNode spec = pod.putObject("spec");
    ArrayNode containers = spec.putArray("containers");
    for (int c = 0; c < CONTAINERS; c++) {
      containers.add(container(c));
    }
    ArrayNode volumes = spec.putArray("volumes");
    volumes.addObject().put("name", "config").putObject("configMap").put("name", "web-config")
        .put("defaultMode", 420);
    volumes.addObject().put("name", "tls").putObject("secret").put("secretName", "web-tls").put("defaultMode", 420);
    volumes.addObject().put("name", "cache").putObject("emptyDir").put("sizeLimit", "1Gi");
    volumes.addObject().put("name", "data").putObject("persistentVolumeClaim").put("claimName", "web-data");
    ObjectNode token = volumes.addObject().put("name", "kube-api-access-abcde").putObject("projected")
        .put("defaultMode", 420);
    token.putArray("sources").addObject().putObject("serviceAccountToken").put("path", "token")
        .put("expirationSeconds", 3607);
    spec.put("restartPolicy", "Always").put("terminationGracePeriodSeconds", 30).put("dnsPolicy", "ClusterFirst")
        .put("serviceAccountName", "web").put("nodeName", "node-17.shop.internal")
        .put("schedulerName", "default-scheduler").put("priority", 0).put("enableServiceLinks", true)
        .put("preemptionPolicy", "PreemptLowerPriority");
    spec.putObject("securityContext").put("runAsNonRoot", true).put("fsGroup", 2000);
    spec.putObject("nodeSelector").put("kubernetes.io/os", "linux");
    ArrayNode tolerations = spec.putArray("tolerations");
    for (String key : new String[] {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
      tolerations.addObject().put("key", key).put("operator", "Exists").put("effect", "NoExecute")
          .put("tolerationSeconds", 300);
    }
    ObjectNode status = pod.putObject("status").put("phase", "Running").put("hostIP", "10.0.3.17")
        .put("podIP", "10.244.7.33").put("startTime", "2026-01-02T03:04:05Z").put("qosClass", "Burstable");
    ArrayNode conditions = status.putArray("conditions");
    for (String type : new String[] {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
        "PodScheduled"}) {
      conditions.addObject().put("type", type).put("status", "True").putNull("lastProbeTime")
          .put("lastTransitionTime", "2026-01-02T03:04:09Z");
    }
    status.putArray("podIPs").addObject().put("ip", "10.244.7.33");
    ArrayNode statuses = status.putArray("containerStatuses");
    for (int c = 0; c < CONTAINERS; c++) {
      ObjectNode s = statuses.addObject().put("name", "c" + c).put("ready", true).put("restartCount", 0)
          .put("image", "registry.example.com/shop/c" + c + ":1.4.2")
          .put("imageID", "registry.example.com/shop/c" + c + "@sha256:" + "0123456789abcdef".repeat(4))
          .put("containerID", "containerd://" + "fedcba9876543210".repeat(4)).put("started", true);
      s.putObject("state").putObject("running").put("startedAt", "2026-01-02T03:04:08Z");
    }
    return pod;
  }

  private static ObjectNode container(int c) {
    ObjectNode ct = F.objectNode().put("name", "c" + c).put("image", "registry.example.com/shop/c" + c + ":1.4.2")
        .put("imagePullPolicy", "IfNotPresent");
    ct.putArray("args").add("--port=8080").add("--metrics-port=9090").add("--log-level=info");
    ArrayNode ports = ct.putArray("ports");
    ports.addObject().put("name", "http").put("containerPort", 8080 + c).put("protocol", "TCP");
    ports.addObject().put("name", "metrics").put("containerPort", 9090 + c).put("protocol", "TCP");
    ArrayNode env = ct.putArray("env");
    for (int e = 0; e < ENV_PER_CONTAINER; e++) {
      if (e % 4 == 3) {
        env.addObject().put("name", "SECRET_" + e).putObject("valueFrom").putObject("secretKeyRef")
            .put("name", "web-secrets").put("key", "key-" + e);
      } else {
        env.addObject().put("name", "ENV_" + e).put("value", "value-" + c + "-" + e);
      }
    }
    ObjectNode resources = ct.putObject("resources");
    resources.putObject("limits").put("cpu", "500m").put("memory", "512Mi");
    resources.putObject("requests").put("cpu", "100m").put("memory", "128Mi");
    ArrayNode mounts = ct.putArray("volumeMounts");
    mounts.addObject().put("name", "config").put("mountPath", "/etc/web").put("readOnly", true);
    mounts.addObject().put("name", "cache").put("mountPath", "/var/cache/web");
    mounts.addObject().put("name", "kube-api-access-abcde").put("mountPath",
        "/var/run/secrets/kubernetes.io/serviceaccount").put("readOnly", true);
    ct.putObject("readinessProbe").put("periodSeconds", 5).putObject("httpGet").put("path", "/ready")
        .put("port", 8080 + c).put("scheme", "HTTP");
    ct.putObject("livenessProbe").put("periodSeconds", 10).put("failureThreshold", 3).putObject("httpGet")
        .put("path", "/healthz").put("port", 8080 + c).put("scheme", "HTTP");
    ct.put("terminationMessagePath", "/dev/termination-log").put("terminationMessagePolicy", "File");
    return ct;
  }

  /** What {@code kubectl set image pod/<p> c1=<image>} sends: the new image and every container's name. */
  static ObjectNode setImagePatch() {
    ObjectNode patch = F.objectNode();
    ObjectNode spec = patch.putObject("spec");
    ArrayNode order = spec.putArray("$setElementOrder/containers");
    for (int c = 0; c < CONTAINERS; c++) {
      order.addObject().put("name", "c" + c);
    }
    spec.putArray("containers").addObject().put("image", "registry.example.com/shop/c1:1.5.0").put("name", "c1");
    return patch;
  }

  /**
   * What client-side {@code kubectl apply} sends after an edit of the manifest: the new last-applied annotation
   * (a few KiB), a label changed, one env var changed and one deleted in c0 (with {@code $setElementOrder} lists for
   * containers and env), a volume switched from configMap to secret ({@code $retainKeys}).
   */
  static ObjectNode applyPatch() {
    ObjectNode patch = F.objectNode();
    ObjectNode meta = patch.putObject("metadata");
    StringBuilder lastApplied = new StringBuilder("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"spec\":{\"containers\":[");
    for (int c = 0; c < CONTAINERS; c++) {
      lastApplied.append(c > 0 ? "," : "").append("{\"name\":\"c").append(c).append("\",\"env\":[")
          .append("{\"name\":\"ENV_0\",\"value\":\"value\"},".repeat(ENV_PER_CONTAINER - 1))
          .append("{\"name\":\"ENV_X\",\"value\":\"value\"}]}");
    }
    meta.putObject("annotations").put("kubectl.kubernetes.io/last-applied-configuration",
        lastApplied.append("]}}").toString());
    meta.putObject("labels").put("team", "checkout");
    ObjectNode spec = patch.putObject("spec");
    ArrayNode order = spec.putArray("$setElementOrder/containers");
    for (int c = 0; c < CONTAINERS; c++) {
      order.addObject().put("name", "c" + c);
    }
    ObjectNode c0 = spec.putArray("containers").addObject();
    ArrayNode envOrder = c0.putArray("$setElementOrder/env");
    for (int e = 0; e < ENV_PER_CONTAINER; e++) {
      if (e != 5) {
        envOrder.addObject().put("name", (e % 4 == 3 ? "SECRET_" : "ENV_") + e);
      }
    }
    ArrayNode env = c0.putArray("env");
    env.addObject().put("name", "ENV_2").put("value", "changed");
    env.addObject().put("$patch", "delete").put("name", "ENV_5");
    c0.put("name", "c0");
    ArrayNode volOrder = spec.putArray("$setElementOrder/volumes");
    for (String v : new String[] {"config", "tls", "cache", "data", "kube-api-access-abcde"}) {
      volOrder.addObject().put("name", v);
    }
    ObjectNode vol = spec.putArray("volumes").addObject();
    vol.putArray("$retainKeys").add("name").add("secret");
    vol.putNull("configMap");
    vol.put("name", "config");
    vol.putObject("secret").put("secretName", "web-config");
    return patch;
  }
}

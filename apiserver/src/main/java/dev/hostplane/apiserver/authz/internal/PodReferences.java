package dev.hostplane.apiserver.authz.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a pod bound to a node lets that node read: the pod itself, its secrets, config maps, persistent volume claims
 * and service account, as keys {@code <kind>/<namespace>/<name>} (kinds: pod, secret, configmap, pvc,
 * serviceaccount). {@code nodeName} is "" for an unscheduled pod (which grants nothing).
 */
public record PodReferences(String nodeName, Set<String> keys) {
  public static final String POD = "pod";
  public static final String SECRET = "secret";
  public static final String CONFIG_MAP = "configmap";
  public static final String PVC = "pvc";
  public static final String SERVICE_ACCOUNT = "serviceaccount";

  public PodReferences {
    keys = Set.copyOf(keys);
  }

  public static String key(String kind, String namespace, String name) {
    return kind + "/" + namespace + "/" + name;
  }

  public static PodReferences parse(ObjectNode pod) {
    String ns = pod.path("metadata").path("namespace").asText("");
    String podName = pod.path("metadata").path("name").asText("");
    JsonNode spec = pod.path("spec");
    Set<String> keys = new LinkedHashSet<>();
    keys.add(key(POD, ns, podName));
    add(keys, SERVICE_ACCOUNT, ns, spec.path("serviceAccountName"));
    for (JsonNode s : spec.path("imagePullSecrets")) {
      add(keys, SECRET, ns, s.path("name"));
    }
    for (JsonNode v : spec.path("volumes")) {
      add(keys, SECRET, ns, v.path("secret").path("secretName"));
      add(keys, CONFIG_MAP, ns, v.path("configMap").path("name"));
      add(keys, PVC, ns, v.path("persistentVolumeClaim").path("claimName"));
      add(keys, SECRET, ns, v.path("csi").path("nodePublishSecretRef").path("name"));
      add(keys, SECRET, ns, v.path("azureFile").path("secretName"));
      for (String plugin : new String[] {"cephfs", "rbd", "flexVolume", "iscsi", "scaleIO", "storageos", "cinder"}) {
        add(keys, SECRET, ns, v.path(plugin).path("secretRef").path("name"));
      }
      for (JsonNode src : v.path("projected").path("sources")) {
        add(keys, SECRET, ns, src.path("secret").path("name"));
        add(keys, CONFIG_MAP, ns, src.path("configMap").path("name"));
      }
      if (v.path("ephemeral").isObject()) {
        // A generic ephemeral volume's claim is named after the pod and the volume.
        keys.add(key(PVC, ns, podName + "-" + v.path("name").asText("")));
      }
    }
    for (String list : new String[] {"initContainers", "containers", "ephemeralContainers"}) {
      for (JsonNode c : spec.path(list)) {
        for (JsonNode e : c.path("envFrom")) {
          add(keys, SECRET, ns, e.path("secretRef").path("name"));
          add(keys, CONFIG_MAP, ns, e.path("configMapRef").path("name"));
        }
        for (JsonNode e : c.path("env")) {
          add(keys, SECRET, ns, e.path("valueFrom").path("secretKeyRef").path("name"));
          add(keys, CONFIG_MAP, ns, e.path("valueFrom").path("configMapKeyRef").path("name"));
        }
      }
    }
    return new PodReferences(spec.path("nodeName").asText(""), keys);
  }

  private static void add(Set<String> keys, String kind, String ns, JsonNode name) {
    if (name.isTextual() && !name.asText().isEmpty()) {
      keys.add(key(kind, ns, name.asText()));
    }
  }
}

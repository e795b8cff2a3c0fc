package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Upstream's core/v1 defaulting of a pod spec ({@code pkg/apis/core/v1/defaults.go}). {@link #applyToSpec} runs
 * for every pod spec, in pods and in templates; {@link #applyPodOnly} adds what upstream defaults only on Pod
 * objects (SetDefaults_Pod). Both mutate the given spec and never overwrite a field that is set.
 */
final class PodSpecDefaults {
  private PodSpecDefaults() {}

  static final long DEFAULT_GRACE_SECONDS = 30;
  private static final List<String> CONTAINER_LISTS = List.of("initContainers", "containers", "ephemeralContainers");
  private static final List<String> VOLUME_SOURCES = List.of("hostPath", "emptyDir", "gcePersistentDisk",
      "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi", "glusterfs", "persistentVolumeClaim", "rbd",
      "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume",
      "quobyte", "azureDisk", "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos", "csi",
      "ephemeral", "image");

  /** The volume source fields of a core/v1 Volume (a volume has exactly one). */
  static List<String> volumeSources() {
    return VOLUME_SOURCES;
  }

  /** SetDefaults_PodSpec and the defaults of everything nested in it (containers, ports, probes, volumes). */
  static void applyToSpec(ObjectNode spec) {
    Nodes.defaultText(spec, "dnsPolicy", "ClusterFirst");
    Nodes.defaultText(spec, "restartPolicy", "Always");
    Nodes.ensureObj(spec, "securityContext");
    Nodes.defaultNum(spec, "terminationGracePeriodSeconds", DEFAULT_GRACE_SECONDS);
    Nodes.defaultText(spec, "schedulerName", "default-scheduler");
    boolean hostNetwork = Nodes.isTrue(spec, "hostNetwork");
    for (String list : CONTAINER_LISTS) {
      for (ObjectNode c : Nodes.objects(spec, list)) {
        applyToContainer(c, hostNetwork);
      }
    }
    for (ObjectNode v : Nodes.objects(spec, "volumes")) {
      applyToVolume(v);
    }
  }

  /** SetDefaults_Pod: requests default to limits, enableServiceLinks true. */
  static void applyPodOnly(ObjectNode spec) {
    for (String list : List.of("initContainers", "containers")) {
      for (ObjectNode c : Nodes.objects(spec, list)) {
        ObjectNode resources = Nodes.obj(c, "resources");
        ObjectNode limits = Nodes.obj(resources, "limits");
        if (limits == null) {
          continue;
        }
        ObjectNode requests = Nodes.ensureObj(resources, "requests");
        limits.fields().forEachRemaining(e -> {
          if (!requests.has(e.getKey())) {
            requests.set(e.getKey(), e.getValue().deepCopy());
          }
        });
      }
    }
    Nodes.defaultBool(spec, "enableServiceLinks", true);
  }

  static void applyToContainer(ObjectNode c, boolean hostNetwork) {
    if (!Nodes.has(c, "imagePullPolicy")) {
      c.put("imagePullPolicy", "latest".equals(imageTag(Nodes.text(c, "image"))) ? "Always" : "IfNotPresent");
    }
    Nodes.defaultText(c, "terminationMessagePath", "/dev/termination-log");
    Nodes.defaultText(c, "terminationMessagePolicy", "File");
    Nodes.ensureObj(c, "resources");
    for (ObjectNode p : Nodes.objects(c, "ports")) {
      Nodes.defaultText(p, "protocol", "TCP");
      if (hostNetwork && !Nodes.has(p, "hostPort") && Nodes.has(p, "containerPort")) {
        p.set("hostPort", p.get("containerPort").deepCopy());
      }
    }
    for (ObjectNode env : Nodes.objects(c, "env")) {
      ObjectNode fieldRef = Nodes.obj(Nodes.obj(env, "valueFrom"), "fieldRef");
      if (fieldRef != null) {
        Nodes.defaultText(fieldRef, "apiVersion", "v1");
      }
    }
    for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
      ObjectNode p = Nodes.obj(c, probe);
      if (p != null) {
        applyToProbe(p);
      }
    }
    ObjectNode lifecycle = Nodes.obj(c, "lifecycle");
    for (String hook : List.of("postStart", "preStop")) {
      ObjectNode httpGet = Nodes.obj(Nodes.obj(lifecycle, hook), "httpGet");
      if (httpGet != null) {
        applyToHttpGet(httpGet);
      }
    }
  }

  private static void applyToProbe(ObjectNode p) {
    Nodes.defaultNum(p, "timeoutSeconds", 1);
    Nodes.defaultNum(p, "periodSeconds", 10);
    Nodes.defaultNum(p, "successThreshold", 1);
    Nodes.defaultNum(p, "failureThreshold", 3);
    ObjectNode httpGet = Nodes.obj(p, "httpGet");
    if (httpGet != null) {
      applyToHttpGet(httpGet);
    }
    ObjectNode grpc = Nodes.obj(p, "grpc");
    if (grpc != null) {
      Nodes.defaultText(grpc, "service", "");
    }
  }

  private static void applyToHttpGet(ObjectNode httpGet) {
    Nodes.defaultText(httpGet, "path", "/");
    Nodes.defaultText(httpGet, "scheme", "HTTP");
  }

  static void applyToVolume(ObjectNode v) {
    if (VOLUME_SOURCES.stream().noneMatch(s -> Nodes.has(v, s))) {
      v.putObject("emptyDir");
    }
    for (String s : List.of("secret", "configMap", "downwardAPI", "projected")) {
      ObjectNode src = Nodes.obj(v, s);
      if (src != null) {
        Nodes.defaultNum(src, "defaultMode", 0644);
      }
    }
    ObjectNode hostPath = Nodes.obj(v, "hostPath");
    if (hostPath != null) {
      Nodes.defaultText(hostPath, "type", "");
    }
    ObjectNode iscsi = Nodes.obj(v, "iscsi");
    if (iscsi != null) {
      Nodes.defaultText(iscsi, "iscsiInterface", "default");
    }
    for (ObjectNode source : Nodes.objects(Nodes.obj(v, "projected"), "sources")) {
      ObjectNode token = Nodes.obj(source, "serviceAccountToken");
      if (token != null) {
        Nodes.defaultNum(token, "expirationSeconds", 3600);
      }
    }
    ObjectNode ephemeral = Nodes.obj(v, "ephemeral");
    ObjectNode claimSpec = Nodes.obj(Nodes.obj(ephemeral, "volumeClaimTemplate"), "spec");
    if (claimSpec != null) {
      Nodes.defaultText(claimSpec, "volumeMode", "Filesystem");
    }
  }

  /**
   * The tag of an image reference as upstream's ParseImageName reports it: "latest" when the reference has neither
   * tag nor digest, "" when it has only a digest.
   */
  static String imageTag(String image) {
    String ref = image;
    boolean digest = false;
    int at = ref.indexOf('@');
    if (at >= 0) {
      digest = true;
      ref = ref.substring(0, at);
    }
    int slash = ref.lastIndexOf('/');
    int colon = ref.lastIndexOf(':');
    if (colon > slash) {
      return ref.substring(colon + 1);
    }
    return digest ? "" : "latest";
  }
}

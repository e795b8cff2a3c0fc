package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Validation;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Upstream's ValidatePodSpec, in the parts that matter to clients of a hosted control plane: containers (names,
 * images, ports, resources, env, mounts), volumes, restart and DNS policy, tolerations, scheduling fields. Runs on
 * defaulted specs; never mutates.
 */
final class PodSpecValidation {
  private PodSpecValidation() {}

  private static final Set<String> STANDARD_CONTAINER_RESOURCES = Set.of("cpu", "memory", "ephemeral-storage");

  /**
   * Validates {@code spec} found at {@code path} (e.g. {@code spec} or {@code spec.template.spec}).
   *
   * @param forPod true for a Pod (adds pod-only checks such as image whitespace); false for templates
   */
  static void validate(ObjectNode spec, String path, boolean forPod, CauseList errs) {
    validate(spec, path, forPod, Set.of(), errs);
  }

  /**
   * As {@link #validate(ObjectNode, String, boolean, CauseList)}, with {@code extraVolumes} that mounts may also
   * name (a StatefulSet's volumeClaimTemplates).
   */
  static void validate(ObjectNode spec, String path, boolean forPod, Set<String> extraVolumes, CauseList errs) {
    Set<String> volumes = validateVolumes(spec, path + ".volumes", errs);
    volumes.addAll(extraVolumes);
    Set<String> names = new HashSet<>();
    boolean hostNetwork = Nodes.isTrue(spec, "hostNetwork");
    List<ObjectNode> containers = Nodes.objects(spec, "containers");
    if (containers.isEmpty()) {
      errs.required(path + ".containers");
    }
    for (String list : List.of("containers", "initContainers", "ephemeralContainers")) {
      List<ObjectNode> cs = Nodes.objects(spec, list);
      for (int i = 0; i < cs.size(); i++) {
        validateContainer(cs.get(i), path + "." + list + "[" + i + "]", forPod, hostNetwork, volumes, names, errs);
      }
    }
    switch (Nodes.text(spec, "restartPolicy")) {
      case "Always", "OnFailure", "Never" -> { }
      case "" -> errs.required(path + ".restartPolicy");
      default -> errs.notSupported(path + ".restartPolicy", Nodes.text(spec, "restartPolicy"),
          "Always", "OnFailure", "Never");
    }
    String dnsPolicy = Nodes.text(spec, "dnsPolicy");
    switch (dnsPolicy) {
      case "ClusterFirstWithHostNet", "ClusterFirst", "Default" -> { }
      case "None" -> {
        if (!Nodes.has(spec, "dnsConfig")) {
          errs.required(path + ".dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None");
        }
      }
      case "" -> errs.required(path + ".dnsPolicy");
      default -> errs.notSupported(path + ".dnsPolicy", dnsPolicy,
          "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None");
    }
    Long deadline = Nodes.num(spec, "activeDeadlineSeconds");
    if (deadline != null && (deadline < 1 || deadline > Integer.MAX_VALUE)) {
      errs.invalid(path + ".activeDeadlineSeconds", deadline, "must be between 1 and 2147483647, inclusive");
    }
    for (String f : List.of("nodeName", "serviceAccountName", "priorityClassName")) {
      String v = Nodes.str(spec, f);
      if (v != null && !v.isEmpty()) {
        errs.invalidEach(path + "." + f, v, Validation.isDns1123Subdomain(v));
      }
    }
    for (String f : List.of("hostname", "subdomain")) {
      String v = Nodes.str(spec, f);
      if (v != null && !v.isEmpty()) {
        errs.invalidEach(path + "." + f, v, Validation.isDns1123Label(v));
      }
    }
    LabelSelectors.validateLabels(Nodes.stringMap(spec, "nodeSelector"), path + ".nodeSelector", errs);
    validateTolerations(Nodes.objects(spec, "tolerations"), path + ".tolerations", errs);
    Set<String> gates = new HashSet<>();
    List<ObjectNode> schedulingGates = Nodes.objects(spec, "schedulingGates");
    for (int i = 0; i < schedulingGates.size(); i++) {
      String name = Nodes.text(schedulingGates.get(i), "name");
      String p = path + ".schedulingGates[" + i + "].name";
      errs.invalidEach(p, name, Validation.isQualifiedName(name));
      if (!gates.add(name)) {
        errs.duplicate(p, name);
      }
    }
  }

  private static void validateContainer(ObjectNode c, String path, boolean forPod, boolean hostNetwork,
      Set<String> volumes, Set<String> names, CauseList errs) {
    String name = Nodes.text(c, "name");
    if (name.isEmpty()) {
      errs.required(path + ".name");
    } else {
      errs.invalidEach(path + ".name", name, Validation.isDns1123Label(name));
      if (!names.add(name)) {
        errs.duplicate(path + ".name", name);
      }
    }
    String image = Nodes.text(c, "image");
    if (image.isEmpty()) {
      errs.required(path + ".image");
    } else if (forPod && !image.equals(image.strip())) {
      errs.invalid(path + ".image", image, "must not have leading or trailing whitespace");
    }
    switch (Nodes.text(c, "imagePullPolicy")) {
      case "Always", "IfNotPresent", "Never" -> { }
      case "" -> errs.required(path + ".imagePullPolicy");
      default -> errs.notSupported(path + ".imagePullPolicy", Nodes.text(c, "imagePullPolicy"),
          "Always", "IfNotPresent", "Never");
    }
    switch (Nodes.text(c, "terminationMessagePolicy")) {
      case "File", "FallbackToLogsOnError" -> { }
      case "" -> errs.required(path + ".terminationMessagePolicy");
      default -> errs.notSupported(path + ".terminationMessagePolicy", Nodes.text(c, "terminationMessagePolicy"),
          "File", "FallbackToLogsOnError");
    }
    validatePorts(Nodes.objects(c, "ports"), path + ".ports", hostNetwork, errs);
    List<ObjectNode> env = Nodes.objects(c, "env");
    for (int i = 0; i < env.size(); i++) {
      String envName = Nodes.text(env.get(i), "name");
      String p = path + ".env[" + i + "].name";
      if (envName.isEmpty()) {
        errs.required(p);
      } else if (envName.chars().anyMatch(ch -> ch < 32 || ch > 126 || ch == '=')) {
        errs.invalid(p, envName, "a valid environment variable name must consist only of printable ASCII "
            + "characters other than '='");
      }
    }
    validateResources(Nodes.obj(c, "resources"), path + ".resources", errs);
    Set<String> mountPaths = new HashSet<>();
    List<ObjectNode> mounts = Nodes.objects(c, "volumeMounts");
    for (int i = 0; i < mounts.size(); i++) {
      String p = path + ".volumeMounts[" + i + "]";
      String vol = Nodes.text(mounts.get(i), "name");
      if (vol.isEmpty()) {
        errs.required(p + ".name");
      } else if (!volumes.contains(vol)) {
        errs.notFound(p + ".name", vol);
      }
      String mountPath = Nodes.text(mounts.get(i), "mountPath");
      if (mountPath.isEmpty()) {
        errs.required(p + ".mountPath");
      } else if (!mountPaths.add(mountPath)) {
        errs.invalid(p + ".mountPath", mountPath, "must be unique");
      }
    }
  }

  private static void validatePorts(List<ObjectNode> ports, String path, boolean hostNetwork, CauseList errs) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      ObjectNode port = ports.get(i);
      String p = path + "[" + i + "]";
      String name = Nodes.text(port, "name");
      if (!name.isEmpty()) {
        List<String> msgs = FieldChecks.portName(name);
        if (!msgs.isEmpty()) {
          errs.invalidEach(p + ".name", name, msgs);
        } else if (!names.add(name)) {
          errs.duplicate(p + ".name", name);
        }
      }
      Long containerPort = Nodes.num(port, "containerPort");
      if (containerPort == null || containerPort == 0) {
        errs.required(p + ".containerPort");
      } else {
        FieldChecks.portNumber(errs, p + ".containerPort", containerPort);
      }
      Long hostPort = Nodes.num(port, "hostPort");
      if (hostPort != null && hostPort != 0) {
        FieldChecks.portNumber(errs, p + ".hostPort", hostPort);
        if (hostNetwork && containerPort != null && !hostPort.equals(containerPort)) {
          errs.invalid(p + ".hostPort", hostPort, "must match `containerPort` when `hostNetwork` is true");
        }
      }
      FieldChecks.requiredOneOf(errs, p + ".protocol", port, "protocol", "SCTP", "TCP", "UDP");
    }
  }

  /** ValidateResourceRequirements: names, quantities, and requests not above limits. */
  static void validateResources(ObjectNode resources, String path, CauseList errs) {
    Map<String, String> limits = Nodes.stringMap(resources, "limits");
    Map<String, String> requests = Nodes.stringMap(resources, "requests");
    Map<String, BigDecimal> limitValues = new java.util.HashMap<>();
    for (Map.Entry<String, String> e : limits.entrySet()) {
      String p = path + ".limits[" + e.getKey() + "]";
      validateResourceName(e.getKey(), p, errs);
      BigDecimal v = Quantities.check(errs, p, e.getValue(), true);
      if (v != null) {
        limitValues.put(e.getKey(), v);
      }
    }
    for (Map.Entry<String, String> e : requests.entrySet()) {
      String p = path + ".requests[" + e.getKey() + "]";
      validateResourceName(e.getKey(), p, errs);
      BigDecimal v = Quantities.check(errs, p, e.getValue(), true);
      BigDecimal limit = limitValues.get(e.getKey());
      boolean overcommit = isOvercommitAllowed(e.getKey());
      if (v != null && limit != null) {
        if (!overcommit && v.compareTo(limit) != 0) {
          errs.invalid(path + ".requests", e.getValue(), "must be equal to " + e.getKey() + " limit of "
              + limits.get(e.getKey()));
        } else if (v.compareTo(limit) > 0) {
          errs.invalid(path + ".requests", e.getValue(), "must be less than or equal to " + e.getKey()
              + " limit of " + limits.get(e.getKey()));
        }
      } else if (!overcommit && !limits.containsKey(e.getKey())) {
        errs.required(path + ".limits", "Limit must be set for non overcommitable resources");
      }
    }
  }

  private static void validateResourceName(String name, String path, CauseList errs) {
    if (name.contains("/")) {
      errs.invalidEach(path, name, Validation.isQualifiedName(name));
    } else if (!STANDARD_CONTAINER_RESOURCES.contains(name) && !name.startsWith("hugepages-")) {
      errs.invalid(path, name, "must be a standard resource for containers");
    }
  }

  /** Native resources (no domain, or kubernetes.io) other than hugepages may be overcommitted. */
  private static boolean isOvercommitAllowed(String name) {
    boolean nativeName = !name.contains("/") || name.contains("kubernetes.io/");
    return nativeName && !name.startsWith("hugepages-");
  }

  /** Volume names (required, DNS labels, unique) and exactly one source each; returns the names. */
  private static Set<String> validateVolumes(ObjectNode spec, String path, CauseList errs) {
    Set<String> names = new HashSet<>();
    List<ObjectNode> volumes = Nodes.objects(spec, "volumes");
    for (int i = 0; i < volumes.size(); i++) {
      ObjectNode v = volumes.get(i);
      String p = path + "[" + i + "]";
      String name = Nodes.text(v, "name");
      if (name.isEmpty()) {
        errs.required(p + ".name");
      } else {
        errs.invalidEach(p + ".name", name, Validation.isDns1123Label(name));
        if (!names.add(name)) {
          errs.duplicate(p + ".name", name);
        }
      }
      int sources = 0;
      for (String s : PodSpecDefaults.volumeSources()) {
        if (Nodes.has(v, s)) {
          sources++;
          if (sources > 1) {
            errs.forbidden(p + "." + s, "may not specify more than 1 volume type");
          }
        }
      }
      if (sources == 0) {
        errs.required(p, "must specify a volume type");
      }
      ObjectNode pvc = Nodes.obj(v, "persistentVolumeClaim");
      if (pvc != null && Nodes.text(pvc, "claimName").isEmpty()) {
        errs.required(p + ".persistentVolumeClaim.claimName");
      }
    }
    return names;
  }

  static void validateTolerations(List<ObjectNode> tolerations, String path, CauseList errs) {
    for (int i = 0; i < tolerations.size(); i++) {
      ObjectNode t = tolerations.get(i);
      String p = path + "[" + i + "]";
      String key = Nodes.text(t, "key");
      if (!key.isEmpty()) {
        errs.invalidEach(p + ".key", key, Validation.isQualifiedName(key));
      }
      String op = Nodes.text(t, "operator");
      if (key.isEmpty() && !"Exists".equals(op)) {
        errs.invalid(p + ".operator", op,
            "operator must be Exists when `key` is empty, which means \"match all values and all keys\"");
      }
      switch (op) {
        case "", "Equal" -> errs.invalidEach(p + ".value", Nodes.text(t, "value"),
            Validation.isValidLabelValue(Nodes.text(t, "value")));
        case "Exists" -> {
          if (!Nodes.text(t, "value").isEmpty()) {
            errs.invalid(p + ".operator", Nodes.text(t, "value"),
                "value must be empty when `operator` is 'Exists'");
          }
        }
        default -> errs.notSupported(p + ".operator", op, "Equal", "Exists");
      }
      String effect = Nodes.text(t, "effect");
      if (Nodes.has(t, "tolerationSeconds") && !"NoExecute".equals(effect)) {
        errs.invalid(p + ".effect", effect, "effect must be 'NoExecute' when `tolerationSeconds` is set");
      }
      if (!effect.isEmpty() && !List.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
        errs.notSupported(p + ".effect", effect, "NoSchedule", "PreferNoSchedule", "NoExecute");
      }
    }
  }
}

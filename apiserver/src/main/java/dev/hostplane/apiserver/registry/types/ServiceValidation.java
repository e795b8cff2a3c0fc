package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Validation;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Upstream's ValidateService for a single-stack cluster of one IP family. Never mutates. */
final class ServiceValidation {
  private ServiceValidation() {}

  static void validate(ObjectNode svc, String clusterFamily, CauseList errs) {
    ObjectNode spec = Nodes.obj(svc, "spec");
    if (spec == null) {
      spec = Nodes.F.objectNode();
    }
    String type = Nodes.text(spec, "type");
    FieldChecks.requiredOneOf(errs, "spec.type", spec, "type", "ClusterIP", "ExternalName", "LoadBalancer",
        "NodePort");
    boolean headless = "None".equals(Nodes.text(spec, "clusterIP"));
    List<ObjectNode> ports = Nodes.objects(spec, "ports");
    if (ports.isEmpty() && !headless && !"ExternalName".equals(type)) {
      errs.required("spec.ports");
    }
    validatePorts(ports, type, errs);
    if ("ExternalName".equals(type)) {
      String name = Nodes.text(spec, "externalName");
      if (name.isEmpty()) {
        errs.required("spec.externalName");
      } else {
        String trimmed = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        errs.invalidEach("spec.externalName", name, Validation.isDns1123Subdomain(trimmed));
      }
      if (!Nodes.strings(spec, "clusterIPs").isEmpty() || !Nodes.text(spec, "clusterIP").isEmpty()) {
        errs.forbidden("spec.clusterIPs", "may not be set for ExternalName services");
      }
    } else {
      validateClusterIps(spec, type, clusterFamily, errs);
    }
    FieldChecks.requiredOneOf(errs, "spec.sessionAffinity", spec, "sessionAffinity", "ClientIP", "None");
    Long timeout = Nodes.num(Nodes.at(spec, "sessionAffinityConfig", "clientIP"), "timeoutSeconds");
    if (timeout != null && (timeout <= 0 || timeout > 86400)) {
      errs.invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout,
          "must be greater than 0 and less than 86400");
    }
    boolean external = "NodePort".equals(type) || "LoadBalancer".equals(type);
    String etp = Nodes.text(spec, "externalTrafficPolicy");
    if (!external && !etp.isEmpty()) {
      errs.invalid("spec.externalTrafficPolicy", etp,
          "may only be set when `type` is 'NodePort' or 'LoadBalancer'");
    } else if (external) {
      FieldChecks.requiredOneOf(errs, "spec.externalTrafficPolicy", spec, "externalTrafficPolicy", "Cluster",
          "Local");
    }
    FieldChecks.oneOf(errs, "spec.internalTrafficPolicy", spec, "internalTrafficPolicy", "Cluster", "Local");
    Long hc = Nodes.num(spec, "healthCheckNodePort");
    if (hc != null && hc != 0 && !("LoadBalancer".equals(type) && "Local".equals(etp))) {
      errs.invalid("spec.healthCheckNodePort", hc,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'");
    }
    List<String> externalIps = Nodes.strings(spec, "externalIPs");
    for (int i = 0; i < externalIps.size(); i++) {
      if (IpAddresses.parse(externalIps.get(i)) == null) {
        errs.invalid("spec.externalIPs[" + i + "]", externalIps.get(i), IpAddresses.INVALID_IP);
      }
    }
    List<String> ranges = Nodes.strings(spec, "loadBalancerSourceRanges");
    for (int i = 0; i < ranges.size(); i++) {
      if (!"LoadBalancer".equals(type)) {
        errs.forbidden("spec.loadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'");
        break;
      }
      if (IpAddresses.parseCidr(ranges.get(i).strip()) == null) {
        errs.invalid("spec.loadBalancerSourceRanges[" + i + "]", ranges.get(i),
            "must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24 ");
      }
    }
    LabelSelectors.validateLabels(Nodes.stringMap(spec, "selector"), "spec.selector", errs);
  }

  private static void validatePorts(List<ObjectNode> ports, String type, CauseList errs) {
    Set<String> names = new HashSet<>();
    Set<String> portKeys = new HashSet<>();
    Set<String> nodePortKeys = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      ObjectNode port = ports.get(i);
      String p = "spec.ports[" + i + "]";
      String name = Nodes.text(port, "name");
      if (ports.size() > 1 && name.isEmpty()) {
        errs.required(p + ".name");
      } else if (!name.isEmpty()) {
        errs.invalidEach(p + ".name", name, Validation.isDns1123Label(name));
        if (!names.add(name)) {
          errs.duplicate(p + ".name", name);
        }
      }
      long number = Nodes.num(port, "port") == null ? 0 : Nodes.num(port, "port");
      FieldChecks.portNumber(errs, p + ".port", number);
      String protocol = Nodes.text(port, "protocol");
      FieldChecks.requiredOneOf(errs, p + ".protocol", port, "protocol", "SCTP", "TCP", "UDP");
      FieldChecks.numberOrName(errs, p + ".targetPort", Nodes.get(port, "targetPort"));
      if (!portKeys.add(protocol + "/" + number)) {
        errs.duplicate(p, new CauseList.Raw("core.ServicePort{Name:\"\", Protocol:" + CauseList.quote(protocol)
            + ", AppProtocol:(*string)(nil), Port:" + number + ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, "
            + "StrVal:\"\"}, NodePort:0}"));
      }
      Long nodePort = Nodes.num(port, "nodePort");
      if (nodePort != null && nodePort != 0) {
        if ("ClusterIP".equals(type)) {
          errs.forbidden(p + ".nodePort", "may not be used when `type` is 'ClusterIP'");
        }
        FieldChecks.portNumber(errs, p + ".nodePort", nodePort);
        if (!nodePortKeys.add(protocol + "/" + nodePort)) {
          errs.duplicate(p + ".nodePort", nodePort);
        }
      }
    }
  }

  private static void validateClusterIps(ObjectNode spec, String type, String clusterFamily, CauseList errs) {
    String single = Nodes.text(spec, "clusterIP");
    List<String> ipList = Nodes.strings(spec, "clusterIPs");
    CauseList.Raw shown = new CauseList.Raw(CauseList.jsonStrings(ipList));
    if (!single.isEmpty() && !ipList.isEmpty() && !single.equals(ipList.get(0))) {
      errs.invalid("spec.clusterIPs", shown, "first value must match `clusterIP`");
    }
    if (ipList.size() > 1) {
      errs.invalid("spec.clusterIPs", shown, "may specify no more than one IP for each IP family");
    }
    for (int i = 0; i < ipList.size(); i++) {
      String ip = ipList.get(i);
      String p = "spec.clusterIPs[" + i + "]";
      if ("None".equals(ip)) {
        if (i > 0 || ipList.size() > 1) {
          errs.invalid(p, ip, "'None' must be the first and only value");
        } else if ("NodePort".equals(type) || "LoadBalancer".equals(type)) {
          errs.invalid(p, ip, "may not be set to 'None' for " + type + " services");
        }
      } else if (IpAddresses.parse(ip) == null) {
        errs.invalid(p, ip, IpAddresses.INVALID_IP);
      }
    }
    String policy = Nodes.text(spec, "ipFamilyPolicy");
    if ("RequireDualStack".equals(policy)) {
      errs.invalid("spec.ipFamilyPolicy", policy, "this cluster is not configured for dual-stack services");
    } else {
      FieldChecks.oneOf(errs, "spec.ipFamilyPolicy", spec, "ipFamilyPolicy", "SingleStack", "PreferDualStack",
          "RequireDualStack");
    }
    List<String> families = Nodes.strings(spec, "ipFamilies");
    for (int i = 0; i < families.size(); i++) {
      String f = families.get(i);
      if (!f.equals("IPv4") && !f.equals("IPv6")) {
        errs.notSupported("spec.ipFamilies[" + i + "]", f, "IPv4", "IPv6");
      } else if (!f.equals(clusterFamily)) {
        errs.invalid("spec.ipFamilies[" + i + "]", f, "not configured on this cluster");
      }
    }
    if (!ipList.isEmpty() && !"None".equals(ipList.get(0)) && IpAddresses.parse(ipList.get(0)) != null
        && !families.isEmpty() && !families.get(0).equals(IpAddresses.family(ipList.get(0)))) {
      errs.invalid("spec.clusterIPs[0]", ipList.get(0), "expected an " + families.get(0)
          + " value as indicated by `ipFamilies[0]`");
    }
  }

  /**
   * Upstream's update rule for a single-stack cluster: an allocated clusterIP may not change while the Service
   * keeps one (ExternalName on either side and headless on both sides are exempt).
   */
  static void validateClusterIpUpdate(ObjectNode svc, ObjectNode old, CauseList errs) {
    if (!ServiceAllocations.needsClusterIp(svc) || !ServiceAllocations.needsClusterIp(old)) {
      return;
    }
    JsonNode spec = Nodes.obj(svc, "spec");
    JsonNode oldSpec = Nodes.obj(old, "spec");
    List<String> now = Nodes.strings(spec, "clusterIPs");
    List<String> before = Nodes.strings(oldSpec, "clusterIPs");
    if ("None".equals(Nodes.text(spec, "clusterIP")) && "None".equals(Nodes.text(oldSpec, "clusterIP"))) {
      return;
    }
    CauseList.Raw shown = new CauseList.Raw(CauseList.jsonStrings(now));
    if (now.size() == before.size()) {
      for (int i = 0; i < before.size(); i++) {
        if (!before.get(i).equals(now.get(i))) {
          errs.invalid("spec.clusterIPs[" + i + "]", shown, "may not change once set");
        }
      }
    } else if (now.size() < before.size()) {
      if (now.isEmpty()) {
        errs.invalid("spec.clusterIPs[0]", shown, "primary clusterIP can not be unset");
      } else if (!before.get(0).equals(now.get(0))) {
        errs.invalid("spec.clusterIPs[0]", shown, "may not change once set");
      }
    } else if (!before.isEmpty() && !before.get(0).equals(now.get(0))) {
      errs.invalid("spec.clusterIPs[0]", shown, "may not change once set");
    }
  }
}

package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.List;

/**
 * networking.k8s.io/v1 NetworkPolicy: podSelector {} by default, ports TCP, and policyTypes defaulted as upstream:
 * [Ingress], plus Egress when egress rules are present.
 */
final class NetworkPolicyStrategy implements Strategy {
  @Override
  public void applyDefaults(ObjectNode obj) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    Nodes.ensureObj(spec, "podSelector");
    for (String dir : List.of("ingress", "egress")) {
      for (ObjectNode rule : Nodes.objects(spec, dir)) {
        for (ObjectNode port : Nodes.objects(rule, "ports")) {
          Nodes.defaultText(port, "protocol", "TCP");
        }
      }
    }
    if (Nodes.isEmpty(spec, "policyTypes")) {
      ArrayNode types = spec.putArray("policyTypes");
      types.add("Ingress");
      if (!Nodes.isEmpty(spec, "egress")) {
        types.add("Egress");
      }
    }
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ObjectNode spec = Nodes.obj(obj, "spec");
    LabelSelectors.validate(Nodes.obj(spec, "podSelector"), "spec.podSelector", errs);
    List<String> types = Nodes.strings(spec, "policyTypes");
    for (int i = 0; i < types.size(); i++) {
      if (!types.get(i).equals("Ingress") && !types.get(i).equals("Egress")) {
        errs.notSupported("spec.policyTypes[" + i + "]", types.get(i), "Ingress", "Egress");
      }
    }
    if (types.size() > 2) {
      errs.invalid("spec.policyTypes", new CauseList.Raw(CauseList.goStrings(types)),
          "may not specify more than two policyTypes");
    }
    validateRules(spec, "ingress", "from", errs);
    validateRules(spec, "egress", "to", errs);
    return errs.list();
  }

  private static void validateRules(ObjectNode spec, String dir, String peersField, CauseList errs) {
    List<ObjectNode> rules = Nodes.objects(spec, dir);
    for (int i = 0; i < rules.size(); i++) {
      String p = "spec." + dir + "[" + i + "]";
      List<ObjectNode> ports = Nodes.objects(rules.get(i), "ports");
      for (int k = 0; k < ports.size(); k++) {
        String pp = p + ".ports[" + k + "]";
        ObjectNode port = ports.get(k);
        FieldChecks.oneOf(errs, pp + ".protocol", port, "protocol", "TCP", "UDP", "SCTP");
        FieldChecks.numberOrName(errs, pp + ".port", Nodes.get(port, "port"));
        Long end = Nodes.num(port, "endPort");
        if (end != null) {
          Long start = Nodes.num(port, "port");
          if (start == null) {
            errs.required(pp + ".port", "must be specified when endPort is specified");
          } else if (end < start) {
            errs.invalid(pp + ".endPort", end, "must be greater than or equal to `port`");
          }
        }
      }
      List<ObjectNode> peers = Nodes.objects(rules.get(i), peersField);
      for (int k = 0; k < peers.size(); k++) {
        validatePeer(peers.get(k), p + "." + peersField + "[" + k + "]", errs);
      }
    }
  }

  private static void validatePeer(ObjectNode peer, String path, CauseList errs) {
    int n = 0;
    if (Nodes.has(peer, "podSelector")) {
      n++;
      LabelSelectors.validate(peer.get("podSelector"), path + ".podSelector", errs);
    }
    if (Nodes.has(peer, "namespaceSelector")) {
      n++;
      LabelSelectors.validate(peer.get("namespaceSelector"), path + ".namespaceSelector", errs);
    }
    ObjectNode block = Nodes.obj(peer, "ipBlock");
    if (block != null) {
      n++;
      String cidr = Nodes.text(block, "cidr");
      IpAddresses.Cidr parsed = IpAddresses.parseCidr(cidr);
      if (cidr.isEmpty()) {
        errs.required(path + ".ipBlock.cidr");
      } else if (parsed == null) {
        errs.invalid(path + ".ipBlock.cidr", cidr, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
      }
      List<String> except = Nodes.strings(block, "except");
      for (int i = 0; i < except.size(); i++) {
        IpAddresses.Cidr e = IpAddresses.parseCidr(except.get(i));
        String ep = path + ".ipBlock.except[" + i + "]";
        if (e == null) {
          errs.invalid(ep, except.get(i), "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
        } else if (parsed != null && (e.prefix() <= parsed.prefix() || !parsed.contains(e.base()))) {
          errs.invalid(ep, except.get(i), "must be a strict subset of `cidr`");
        }
      }
    }
    if (n == 0) {
      errs.required(path, "must specify a peer");
    } else if (block != null && n > 1) {
      errs.forbidden(path, "may not specify more than 1 peer type when ipBlock is specified");
    }
  }

  @Override
  public boolean tracksGeneration() {
    return true;
  }
}

package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * discovery.k8s.io/v1 EndpointSlice: addressType IPv4, IPv6 or FQDN (immutable); 1..100 addresses per endpoint,
 * each valid for the type; at most 1000 endpoints and 20000 ports; port names unique.
 */
final class EndpointSliceStrategy implements Strategy {
  @Override
  public void applyDefaults(ObjectNode obj) {
    for (ObjectNode port : Nodes.objects(obj, "ports")) {
      Nodes.defaultText(port, "name", "");
      Nodes.defaultText(port, "protocol", "TCP");
    }
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    String type = Nodes.text(obj, "addressType");
    FieldChecks.requiredOneOf(errs, "addressType", obj, "addressType", "FQDN", "IPv4", "IPv6");
    List<ObjectNode> endpoints = Nodes.objects(obj, "endpoints");
    if (endpoints.size() > 1000) {
      errs.tooMany("endpoints", endpoints.size(), 1000);
    }
    for (int i = 0; i < endpoints.size(); i++) {
      validateEndpoint(endpoints.get(i), "endpoints[" + i + "]", type, errs);
    }
    List<ObjectNode> ports = Nodes.objects(obj, "ports");
    if (ports.size() > 20000) {
      errs.tooMany("ports", ports.size(), 20000);
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      ObjectNode port = ports.get(i);
      String p = "ports[" + i + "]";
      String name = Nodes.text(port, "name");
      if (!name.isEmpty()) {
        errs.invalidEach(p + ".name", name, Validation.isDns1123Label(name));
      }
      if (!names.add(name)) {
        errs.duplicate(p + ".name", name);
      }
      FieldChecks.requiredOneOf(errs, p + ".protocol", port, "protocol", "SCTP", "TCP", "UDP");
      Long number = Nodes.num(port, "port");
      if (number != null) {
        FieldChecks.portNumber(errs, p + ".port", number);
      }
    }
    return errs.list();
  }

  private static void validateEndpoint(ObjectNode endpoint, String path, String type, CauseList errs) {
    List<String> addresses = Nodes.strings(endpoint, "addresses");
    if (addresses.isEmpty()) {
      errs.required(path + ".addresses", "must contain at least 1 address");
    } else if (addresses.size() > 100) {
      errs.tooMany(path + ".addresses", addresses.size(), 100);
    }
    for (int i = 0; i < addresses.size(); i++) {
      String a = addresses.get(i);
      String p = path + ".addresses[" + i + "]";
      switch (type) {
        case "IPv4" -> {
          if (!IpAddresses.isV4(a)) {
            errs.invalid(p, a, "must be a valid IPv4 address");
          }
        }
        case "IPv6" -> {
          if (!IpAddresses.isV6(a)) {
            errs.invalid(p, a, "must be a valid IPv6 address");
          }
        }
        case "FQDN" -> errs.invalidEach(p, a, Validation.isDns1123Subdomain(a));
        default -> { }
      }
    }
    String hostname = Nodes.text(endpoint, "hostname");
    if (!hostname.isEmpty()) {
      errs.invalidEach(path + ".hostname", hostname, Validation.isDns1123Label(hostname));
    }
    String node = Nodes.text(endpoint, "nodeName");
    if (!node.isEmpty()) {
      errs.invalidEach(path + ".nodeName", node, Validation.isDns1123Subdomain(node));
    }
    ObjectNode ref = Nodes.obj(endpoint, "targetRef");
    if (ref != null && !Nodes.text(ref, "name").isEmpty()) {
      errs.invalidEach(path + ".targetRef.name", Nodes.text(ref, "name"),
          HorizontalPodAutoscalerStrategy.pathSegmentErrors(Nodes.text(ref, "name")));
    }
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    errs.addAll(validate(obj));
    FieldChecks.immutable(errs, "addressType", Nodes.get(obj, "addressType"), Nodes.get(old, "addressType"));
    return errs.list();
  }
}

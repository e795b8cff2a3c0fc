package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * core/v1 Endpoints: addresses are IPs outside loopback and link-local ranges, ports valid and named when there
 * are several. PUT creates a missing object (the endpoints controller relies on it).
 */
final class EndpointsStrategy implements Strategy {
  @Override
  public void applyDefaults(ObjectNode obj) {
    for (ObjectNode subset : Nodes.objects(obj, "subsets")) {
      for (ObjectNode port : Nodes.objects(subset, "ports")) {
        Nodes.defaultText(port, "protocol", "TCP");
      }
    }
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    List<ObjectNode> subsets = Nodes.objects(obj, "subsets");
    for (int i = 0; i < subsets.size(); i++) {
      String p = "subsets[" + i + "]";
      ObjectNode subset = subsets.get(i);
      for (String list : List.of("addresses", "notReadyAddresses")) {
        List<ObjectNode> addresses = Nodes.objects(subset, list);
        for (int a = 0; a < addresses.size(); a++) {
          validateAddress(addresses.get(a), p + "." + list + "[" + a + "]", errs);
        }
      }
      List<ObjectNode> ports = Nodes.objects(subset, "ports");
      Set<String> names = new HashSet<>();
      for (int k = 0; k < ports.size(); k++) {
        String pp = p + ".ports[" + k + "]";
        ObjectNode port = ports.get(k);
        String name = Nodes.text(port, "name");
        if (ports.size() > 1 && name.isEmpty()) {
          errs.required(pp + ".name");
        } else if (!name.isEmpty()) {
          errs.invalidEach(pp + ".name", name, Validation.isDns1123Label(name));
          if (!names.add(name)) {
            errs.duplicate(pp + ".name", name);
          }
        }
        FieldChecks.portNumber(errs, pp + ".port", Nodes.num(port, "port") == null ? 0 : Nodes.num(port, "port"));
        FieldChecks.requiredOneOf(errs, pp + ".protocol", port, "protocol", "SCTP", "TCP", "UDP");
      }
    }
    return errs.list();
  }

  static void validateAddress(ObjectNode address, String path, CauseList errs) {
    String ip = Nodes.text(address, "ip");
    byte[] bytes = IpAddresses.parse(ip);
    if (bytes == null) {
      errs.invalid(path + ".ip", ip, IpAddresses.INVALID_IP);
    } else {
      checkNonSpecial(bytes, ip, path + ".ip", errs);
    }
    String hostname = Nodes.text(address, "hostname");
    if (!hostname.isEmpty()) {
      errs.invalidEach(path + ".hostname", hostname, Validation.isDns1123Label(hostname));
    }
    String node = Nodes.text(address, "nodeName");
    if (!node.isEmpty()) {
      errs.invalidEach(path + ".nodeName", node, Validation.isDns1123Subdomain(node));
    }
  }

  /** Upstream ValidateNonSpecialIP: no unspecified, loopback, link-local or multicast endpoint addresses. */
  static void checkNonSpecial(byte[] b, String ip, String path, CauseList errs) {
    boolean v4 = b.length == 4;
    boolean unspecified = java.util.stream.IntStream.range(0, b.length).allMatch(i -> b[i] == 0);
    boolean loopback = v4 ? (b[0] & 0xff) == 127 : isV6Loopback(b);
    boolean linkLocal = v4 ? (b[0] & 0xff) == 169 && (b[1] & 0xff) == 254
        : (b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80;
    boolean multicast = v4 ? (b[0] & 0xf0) == 0xe0 : (b[0] & 0xff) == 0xff;
    if (unspecified) {
      errs.invalid(path, ip, "may not be unspecified (0.0.0.0)");
    } else if (loopback) {
      errs.invalid(path, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)");
    } else if (linkLocal) {
      errs.invalid(path, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)");
    } else if (multicast) {
      errs.invalid(path, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
    }
  }

  private static boolean isV6Loopback(byte[] b) {
    for (int i = 0; i < 15; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[15] == 1;
  }

  @Override
  public boolean allowCreateOnUpdate() {
    return true;
  }
}

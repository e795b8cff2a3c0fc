package dev.hostplane.apiserver.printers.internal;

import static dev.hostplane.apiserver.printers.internal.Cells.integer;
import static dev.hostplane.apiserver.printers.internal.Cells.or;
import static dev.hostplane.apiserver.printers.internal.Cells.text;
import static dev.hostplane.apiserver.printers.internal.WorkloadPrinters.age;
import static dev.hostplane.apiserver.printers.internal.WorkloadPrinters.name;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Services, Endpoints, EndpointSlices, Ingresses, IngressClasses and NetworkPolicies, as upstream prints them.
 * Load-balancer addresses are never clipped: server-side printing is always "wide". Not API.
 */
final class NetworkPrinters {
  private NetworkPrinters() {}

  static final Printer SERVICES = Printer.of(NetworkPrinters::service, Column.NAME, Column.string("Type"),
      Column.string("Cluster-IP"), Column.string("External-IP"), Column.string("Port(s)"), Column.AGE,
      Column.wide("Selector"));

  static final Printer ENDPOINTS = Printer.of(NetworkPrinters::endpoints, Column.NAME, Column.string("Endpoints"),
      Column.AGE);

  static final Printer ENDPOINT_SLICES = Printer.of(NetworkPrinters::endpointSlice, Column.NAME,
      Column.string("AddressType"), Column.string("Ports"), Column.string("Endpoints"), Column.AGE);

  static final Printer INGRESSES = Printer.of(NetworkPrinters::ingress, Column.NAME, Column.string("Class"),
      Column.string("Hosts"), Column.string("Address"), Column.string("Ports"), Column.AGE);

  static final Printer INGRESS_CLASSES = Printer.of(NetworkPrinters::ingressClass, Column.NAME,
      Column.string("Controller"), Column.string("Parameters"), Column.AGE);

  static final Printer NETWORK_POLICIES = Printer.of(NetworkPrinters::networkPolicy, Column.NAME,
      Column.string("Pod-Selector"), Column.AGE);

  /**
   * CLUSTER-IP is the first cluster IP ({@code None} for headless, {@code <none>} without one). EXTERNAL-IP: the
   * external IPs for ClusterIP and NodePort ({@code <none>} without), for LoadBalancer the ingress addresses then
   * the external IPs ({@code <pending>} without either), for ExternalName the name. PORT(S) is
   * {@code port[:nodePort]/protocol}, comma-separated, {@code <none>} without ports.
   */
  private static Row service(ObjectNode svc, Ages ages) {
    JsonNode spec = svc.path("spec");
    JsonNode clusterIps = spec.path("clusterIPs");
    String clusterIp = clusterIps.size() > 0 ? text(clusterIps.get(0)) : text(spec.path("clusterIP"));
    List<String> ports = new ArrayList<>();
    for (JsonNode p : spec.path("ports")) {
      long nodePort = integer(p.path("nodePort"));
      String protocol = text(p.path("protocol"));
      ports.add(nodePort > 0 ? integer(p.path("port")) + ":" + nodePort + "/" + protocol
          : integer(p.path("port")) + "/" + protocol);
    }
    return Row.of(name(svc), text(spec.path("type")), or(clusterIp, "<none>"), externalIp(svc),
        or(String.join(",", ports), "<none>"), age(svc, ages), Cells.labels(spec.path("selector")));
  }

  private static String externalIp(ObjectNode svc) {
    JsonNode spec = svc.path("spec");
    List<String> externalIps = Cells.strings(spec.path("externalIPs"));
    switch (text(spec.path("type"))) {
      case "ClusterIP", "NodePort":
        return externalIps.isEmpty() ? "<none>" : String.join(",", externalIps);
      case "LoadBalancer": {
        List<String> all = new ArrayList<>(loadBalancerAddresses(svc.path("status").path("loadBalancer")));
        all.addAll(externalIps);
        return all.isEmpty() ? "<pending>" : String.join(",", all);
      }
      case "ExternalName":
        return text(spec.path("externalName"));
      default:
        return "<unknown>";
    }
  }

  /** The distinct ingress IPs (else hostnames), sorted, as upstream's load-balancer status stringers. */
  private static TreeSet<String> loadBalancerAddresses(JsonNode loadBalancerStatus) {
    TreeSet<String> result = new TreeSet<>();
    for (JsonNode i : loadBalancerStatus.path("ingress")) {
      if (!text(i.path("ip")).isEmpty()) {
        result.add(text(i.path("ip")));
      } else if (!text(i.path("hostname")).isEmpty()) {
        result.add(text(i.path("hostname")));
      }
    }
    return result;
  }

  /**
   * ENDPOINTS: up to three {@code ip:port} pairs over all subsets and ports (bare IPs for a subset without ports),
   * then {@code + N more...}; {@code <none>} without subsets (and "" when subsets hold no address).
   */
  private static Row endpoints(ObjectNode ep, Ages ages) {
    JsonNode subsets = ep.path("subsets");
    String formatted;
    if (subsets.size() == 0) {
      formatted = "<none>";
    } else {
      final int max = 3;
      List<String> list = new ArrayList<>();
      boolean more = false;
      int count = 0;
      for (JsonNode ss : subsets) {
        JsonNode addresses = ss.path("addresses");
        if (ss.path("ports").size() == 0) {
          count += addresses.size();
          for (JsonNode a : addresses) {
            if (list.size() == max) {
              more = true;
              break;
            }
            list.add(text(a.path("ip")));
          }
          continue;
        }
        for (JsonNode port : ss.path("ports")) {
          count += addresses.size();
          for (JsonNode a : addresses) {
            if (list.size() == max) {
              more = true;
              break;
            }
            list.add(Cells.joinHostPort(text(a.path("ip")), integer(port.path("port"))));
          }
        }
      }
      formatted = String.join(",", list);
      if (more) {
        formatted += " + " + (count - max) + " more...";
      }
    }
    return Row.of(name(ep), formatted, age(ep, ages));
  }

  /** PORTS and ENDPOINTS list up to three ports (number, else name, else {@code *}) and addresses. */
  private static Row endpointSlice(ObjectNode slice, Ages ages) {
    final int max = 3;
    List<String> ports = new ArrayList<>();
    boolean morePorts = false;
    int portCount = 0;
    for (JsonNode p : slice.path("ports")) {
      if (ports.size() < max) {
        String port = "*";
        if (p.path("port").isNumber()) {
          port = Long.toString(p.path("port").asLong());
        } else if (p.path("name").isTextual()) {
          port = p.path("name").asText();
        }
        ports.add(port);
      } else if (ports.size() == max) {
        morePorts = true;
      }
      portCount++;
    }
    List<String> addresses = new ArrayList<>();
    boolean moreAddresses = false;
    int addressCount = 0;
    for (JsonNode e : slice.path("endpoints")) {
      for (JsonNode a : e.path("addresses")) {
        if (addresses.size() < max) {
          addresses.add(text(a));
        } else if (addresses.size() == max) {
          moreAddresses = true;
        }
        addressCount++;
      }
    }
    return Row.of(name(slice), text(slice.path("addressType")),
        Cells.listWithMore(ports, morePorts, portCount, max),
        Cells.listWithMore(addresses, moreAddresses, addressCount, max), age(slice, ages));
  }

  /**
   * HOSTS: up to three rule hosts then {@code + N more...} (counting every rule), {@code *} when no rule names a
   * host. PORTS is {@code 80, 443} with TLS, else {@code 80}.
   */
  private static Row ingress(ObjectNode ing, Ages ages) {
    JsonNode spec = ing.path("spec");
    final int max = 3;
    List<String> hosts = new ArrayList<>();
    boolean more = false;
    JsonNode rules = spec.path("rules");
    for (JsonNode rule : rules) {
      if (hosts.size() == max) {
        more = true;
      }
      if (!more && !text(rule.path("host")).isEmpty()) {
        hosts.add(text(rule.path("host")));
      }
    }
    String hostCell;
    if (hosts.isEmpty()) {
      hostCell = "*";
    } else {
      hostCell = String.join(",", hosts);
      if (more) {
        hostCell += " + " + (rules.size() - max) + " more...";
      }
    }
    String className = spec.path("ingressClassName").isTextual() ? spec.path("ingressClassName").asText() : "<none>";
    String address = String.join(",", loadBalancerAddresses(ing.path("status").path("loadBalancer")));
    String ports = spec.path("tls").size() != 0 ? "80, 443" : "80";
    return Row.of(name(ing), className, hostCell, address, ports, age(ing, ages));
  }

  /** PARAMETERS: {@code Kind[.apiGroup]/name}, {@code <none>} without parameters. */
  private static Row ingressClass(ObjectNode ic, Ages ages) {
    JsonNode spec = ic.path("spec");
    JsonNode p = spec.path("parameters");
    String parameters = "<none>";
    if (Cells.present(p)) {
      parameters = text(p.path("kind"));
      if (p.path("apiGroup").isTextual()) {
        parameters += "." + p.path("apiGroup").asText();
      }
      parameters += "/" + text(p.path("name"));
    }
    return Row.of(name(ic), text(spec.path("controller")), parameters, age(ic, ages));
  }

  /** POD-SELECTOR: an absent or empty selector (all pods) prints {@code <none>}. */
  private static Row networkPolicy(ObjectNode np, Ages ages) {
    JsonNode selector = np.path("spec").path("podSelector");
    String formatted = Cells.present(selector) ? Cells.selector(selector) : "<none>";
    return Row.of(name(np), formatted, age(np, ages));
  }
}

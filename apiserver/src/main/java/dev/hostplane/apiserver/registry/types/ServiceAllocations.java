package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.ObjectMeta;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Takes and gives back the cluster IPs and node ports a Service holds, against the two allocators. Every
 * {@code allocate*} call is all-or-nothing: when any value cannot be had, what this call already took is released
 * and an {@link ApiException} is thrown (422 Invalid with upstream's cause, or 500 when a range is full).
 *
 * <p>With {@code shared} reservations (several apiservers on one storage) the allocators are this apiserver's view
 * of the ranges and {@link ServiceClaims} the storage side: {@link #claim} makes what {@code allocate} took the
 * Service's own in storage, and the releases delete the Service's claims. Without, the allocators are the whole
 * truth and claims and releases complete at once.
 */
final class ServiceAllocations {
  private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

  private final ServiceAddressAllocator ips;
  private final NodePortAllocator ports;
  private final ServiceClaims claims;

  ServiceAllocations(ServiceAddressAllocator ips, NodePortAllocator ports, ServiceStrategy.Reservations shared) {
    this.ips = ips;
    this.ports = ports;
    this.claims = shared == null ? null : new ServiceClaims(ips, ports, shared);
  }

  String family() {
    return ips.family();
  }

  /** What this call took, so a failure can undo it. */
  private final class Taken {
    final List<String> addresses = new ArrayList<>();
    final List<Integer> nodePorts = new ArrayList<>();

    void undo() {
      addresses.forEach(ips::release);
      nodePorts.forEach(ports::release);
    }
  }

  /**
   * Fills and takes spec.clusterIP(s), the node ports and healthCheckNodePort {@code svc} needs and does not hold
   * in {@code old} (null on create). Values that fail validation anyway (malformed IPs, a clusterIP that
   * disagrees with clusterIPs[0], a second IP family) are left for validation to report.
   */
  void allocate(ObjectNode svc, ObjectNode old) {
    ObjectNode spec = Nodes.ensureObj(svc, "spec");
    Taken taken = new Taken();
    try {
      if (needsClusterIp(svc) && (old == null || !needsClusterIp(old))) {
        allocateClusterIp(svc, spec, taken);
      }
      if (needsNodePorts(svc)) {
        allocateNodePorts(svc, spec, old != null && needsNodePorts(old) ? nodePortsOf(old) : Set.of(), taken);
      }
      if (needsHealthCheckPort(svc)) {
        Long held = old != null && needsHealthCheckPort(old) ? Nodes.num(Nodes.obj(old, "spec"),
            "healthCheckNodePort") : null;
        Long wanted = Nodes.num(spec, "healthCheckNodePort");
        if (wanted == null || wanted == 0) {
          spec.put("healthCheckNodePort", takeNextPort(taken));
        } else if (!wanted.equals(held)) {
          takePort(svc, "spec.healthCheckNodePort", wanted, taken);
        }
      }
    } catch (RuntimeException e) {
      taken.undo();
      throw e;
    }
  }

  /** Marks every cluster IP and node port {@code svc} holds as taken (values outside the ranges are ignored). */
  void markUsed(ObjectNode svc) {
    if (needsClusterIp(svc)) {
      for (String ip : clusterIpsOf(svc)) {
        try {
          ips.markUsed(ip);
        } catch (RuntimeException e) {
          // not in this cluster's range (or not an IP): nothing to track
        }
      }
    }
    for (int p : allNodePortsOf(svc)) {
      try {
        ports.markUsed(p);
      } catch (RuntimeException e) {
        // outside the node port range
      }
    }
  }

  /**
   * Releases what {@code holder} holds and {@code keep} (may be null) does not: at once in this apiserver's view,
   * then the holder's claims in storage (the stage completes when they are deleted; it never fails).
   */
  CompletionStage<Void> releaseUnshared(ObjectNode holder, ObjectNode keep) {
    List<String> freedIps = new ArrayList<>(heldIps(holder));
    freedIps.removeAll(heldIps(keep));
    List<Integer> freedPorts = new ArrayList<>(allNodePortsOf(holder));
    if (keep != null) {
      freedPorts.removeAll(allNodePortsOf(keep));
    }
    release(freedIps, freedPorts);
    return claims == null ? DONE : claims.release(ObjectMeta.uid(holder), freedIps, freedPorts);
  }

  /** See {@link ServiceClaims#claim}; at once without shared reservations. */
  CompletionStage<Void> claim(ObjectNode svc, ObjectNode old) {
    return claims == null ? DONE : claims.claim(svc, old);
  }

  /** See {@link ServiceClaims#follow}; nothing to follow without shared reservations. */
  CompletionStage<Void> follow() {
    return claims == null ? DONE : claims.follow();
  }

  void stopFollowing() {
    if (claims != null) {
      claims.stopFollowing();
    }
  }

  /**
   * Marks every listed Service's values used in this view, then (with shared reservations) repairs the claims, see
   * {@link ServiceClaims#repair}.
   */
  CompletionStage<ServiceStrategy.RepairResult> repair(Supplier<CompletionStage<List<ObjectNode>>> services,
      Instant now, Duration grace) {
    Supplier<CompletionStage<List<ObjectNode>>> marked = () -> services.get().thenApply(list -> {
      list.forEach(this::markUsed);
      return list;
    });
    return claims == null ? marked.get().thenApply(list -> new ServiceStrategy.RepairResult(0, 0, List.of()))
        : claims.repair(marked, now, grace);
  }

  /** Releases values in this apiserver's view only. */
  private void release(List<String> freedIps, List<Integer> freedPorts) {
    freedIps.forEach(ips::release);
    freedPorts.forEach(ports::release);
  }

  /** The cluster IPs {@code svc} (may be null) holds. */
  static Set<String> heldIps(ObjectNode svc) {
    return svc != null && needsClusterIp(svc) ? clusterIpsOf(svc) : Set.of();
  }

  /** The canonical text of an address (as claim keys name it). */
  static String canonical(String ip) {
    byte[] b = IpAddresses.parse(ip);
    return b == null ? ip : IpAddresses.format(b);
  }

  private void allocateClusterIp(ObjectNode svc, ObjectNode spec, Taken taken) {
    List<String> requested = Nodes.strings(spec, "clusterIPs");
    String single = Nodes.text(spec, "clusterIP");
    if (requested.size() > 1 || (!single.isEmpty() && !requested.isEmpty() && !single.equals(requested.get(0)))) {
      return;
    }
    String ip = requested.isEmpty() ? single : requested.get(0);
    if ("None".equals(ip)) {
      setClusterIp(spec, "None");
      return;
    }
    if (ip.isEmpty()) {
      if (!familyMatches(spec)) {
        return;
      }
      try {
        ip = ips.allocateNext();
      } catch (AllocationException e) {
        throw ApiException.internal("failed to allocate a serviceIP: " + e.getMessage());
      }
      taken.addresses.add(ip);
      setClusterIp(spec, ip);
      return;
    }
    if (IpAddresses.parse(ip) == null) {
      return;
    }
    try {
      ips.allocate(ip);
    } catch (AllocationException e) {
      throw invalid(svc, "spec.clusterIPs", new CauseList.Raw(CauseList.jsonStrings(List.of(ip))),
          "failed to allocate IP " + ip + ": " + e.getMessage());
    }
    taken.addresses.add(ip);
    setClusterIp(spec, ip);
  }

  /** False when the client asked for an IP family this cluster does not serve (validation reports it). */
  private boolean familyMatches(ObjectNode spec) {
    List<String> families = Nodes.strings(spec, "ipFamilies");
    return families.isEmpty() || families.get(0).equals(ips.family());
  }

  private static void setClusterIp(ObjectNode spec, String ip) {
    spec.put("clusterIP", ip);
    ArrayNode a = spec.putArray("clusterIPs");
    a.add(ip);
  }

  private void allocateNodePorts(ObjectNode svc, ObjectNode spec, Set<Integer> held, Taken taken) {
    List<ObjectNode> list = Nodes.objects(spec, "ports");
    Set<Long> seen = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      ObjectNode port = list.get(i);
      Long wanted = Nodes.num(port, "nodePort");
      if (wanted == null || wanted == 0) {
        port.put("nodePort", takeNextPort(taken));
      } else if (!held.contains(wanted.intValue()) && seen.add(wanted)) {
        takePort(svc, "spec.ports[" + i + "].nodePort", wanted, taken);
      }
    }
  }

  private int takeNextPort(Taken taken) {
    try {
      int p = ports.allocateNext();
      taken.nodePorts.add(p);
      return p;
    } catch (AllocationException e) {
      throw ApiException.internal("failed to allocate a nodePort: " + e.getMessage());
    }
  }

  private void takePort(ObjectNode svc, String path, long port, Taken taken) {
    try {
      ports.allocate((int) port);
      taken.nodePorts.add((int) port);
    } catch (AllocationException e) {
      throw invalid(svc, path, port, e.getMessage());
    }
  }

  private static ApiException invalid(ObjectNode svc, String path, Object value, String detail) {
    List<Status.Cause> causes = new CauseList().invalid(path, value, detail).list();
    return ApiException.invalid("", "Service", ObjectMeta.name(svc), causes);
  }

  static String type(ObjectNode svc) {
    String t = Nodes.text(Nodes.obj(svc, "spec"), "type");
    return t.isEmpty() ? "ClusterIP" : t;
  }

  static boolean needsClusterIp(ObjectNode svc) {
    return !"ExternalName".equals(type(svc));
  }

  static boolean needsNodePorts(ObjectNode svc) {
    String t = type(svc);
    return "NodePort".equals(t) || ("LoadBalancer".equals(t)
        && !Boolean.FALSE.equals(Nodes.bool(Nodes.obj(svc, "spec"), "allocateLoadBalancerNodePorts")));
  }

  static boolean needsHealthCheckPort(ObjectNode svc) {
    return "LoadBalancer".equals(type(svc))
        && "Local".equals(Nodes.text(Nodes.obj(svc, "spec"), "externalTrafficPolicy"));
  }

  private static Set<String> clusterIpsOf(ObjectNode svc) {
    ObjectNode spec = Nodes.obj(svc, "spec");
    Set<String> out = new LinkedHashSet<>(Nodes.strings(spec, "clusterIPs"));
    if (!Nodes.text(spec, "clusterIP").isEmpty()) {
      out.add(Nodes.text(spec, "clusterIP"));
    }
    out.remove("None");
    out.remove("");
    return out;
  }

  private static Set<Integer> nodePortsOf(ObjectNode svc) {
    Set<Integer> out = new LinkedHashSet<>();
    for (ObjectNode p : Nodes.objects(Nodes.obj(svc, "spec"), "ports")) {
      Long n = Nodes.num(p, "nodePort");
      if (n != null && n != 0) {
        out.add(n.intValue());
      }
    }
    return out;
  }

  /** Node ports and the health-check port a stored Service holds. */
  static Set<Integer> allNodePortsOf(ObjectNode svc) {
    Set<Integer> out = new LinkedHashSet<>(needsNodePorts(svc) ? nodePortsOf(svc) : Set.of());
    JsonNode hc = Nodes.get(Nodes.obj(svc, "spec"), "healthCheckNodePort");
    if (needsHealthCheckPort(svc) && hc != null && hc.asLong() != 0) {
      out.add(hc.asInt());
    }
    return out;
  }
}

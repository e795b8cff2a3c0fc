package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.registry.AllocationConflict;
import dev.hostplane.apiserver.registry.ObjectMeta;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Takes and gives back the cluster IPs and node ports a Service holds, against the two allocators. Every
 * {@code allocate*} call is all-or-nothing: when any value cannot be had, what this call already took is released
 * and an {@link ApiException} is thrown (422 Invalid with upstream's cause, or 500 when a range is full).
 *
 * <p>With {@code shared} reservations (several apiservers on one storage) the allocators are this apiserver's view
 * of the ranges, kept current by following the reservations; {@link #claim} makes what {@code allocate} took the
 * Service's own in storage, and the releases delete the Service's claims. Without, the allocators are the whole
 * truth and claims and releases complete at once.
 */
final class ServiceAllocations {
  private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

  private final ServiceAddressAllocator ips;
  private final NodePortAllocator ports;
  private final ServiceStrategy.Reservations shared;

  ServiceAllocations(ServiceAddressAllocator ips, NodePortAllocator ports, ServiceStrategy.Reservations shared) {
    this.ips = ips;
    this.ports = ports;
    this.shared = shared;
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
    if (shared == null) {
      return DONE;
    }
    String owner = ObjectMeta.uid(holder);
    if (owner == null || owner.isEmpty()) {
      return DONE;
    }
    List<CompletableFuture<Void>> deletes = new ArrayList<>();
    for (String ip : freedIps) {
      if (ips.inRange(ip)) {
        deletes.add(shared.clusterIps().release(canonical(ip), owner).toCompletableFuture());
      }
    }
    for (int p : freedPorts) {
      if (ports.inRange(p)) {
        deletes.add(shared.nodePorts().release(Integer.toString(p), owner).toCompletableFuture());
      }
    }
    return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new));
  }

  /**
   * Claims in storage the in-range values {@code svc} holds and {@code old} (null on create) does not, for
   * {@code svc}'s uid. When another object holds any of them: the claims this call made are deleted, what
   * {@code svc} took beyond {@code old} is released in this apiserver's view, the taken values are marked used
   * there, and the stage fails with {@link AllocationConflict}.
   */
  CompletionStage<Void> claim(ObjectNode svc, ObjectNode old) {
    if (shared == null) {
      return DONE;
    }
    String owner = ObjectMeta.uid(svc);
    String object = ObjectMeta.namespace(svc) + "/" + ObjectMeta.name(svc);
    List<String> newIps = new ArrayList<>();
    for (String ip : heldIps(svc)) {
      if (!heldIps(old).contains(ip) && ips.inRange(ip)) {
        newIps.add(canonical(ip));
      }
    }
    List<String> newPorts = new ArrayList<>();
    Set<Integer> oldPorts = old == null ? Set.of() : allNodePortsOf(old);
    for (int p : allNodePortsOf(svc)) {
      if (!oldPorts.contains(p) && ports.inRange(p)) {
        newPorts.add(Integer.toString(p));
      }
    }
    if (newIps.isEmpty() && newPorts.isEmpty()) {
      return DONE;
    }
    List<Claim> claims = new ArrayList<>();
    newIps.forEach(ip -> claims.add(new Claim(shared.clusterIps(), ip, shared.clusterIps().claim(ip, owner, object)
        .toCompletableFuture())));
    newPorts.forEach(p -> claims.add(new Claim(shared.nodePorts(), p, shared.nodePorts().claim(p, owner, object)
        .toCompletableFuture())));
    return CompletableFuture.allOf(claims.stream().map(Claim::outcome).toArray(CompletableFuture[]::new))
        .handle((v, err) -> {
          List<Claim> lost = new ArrayList<>();
          List<CompletableFuture<Void>> undo = new ArrayList<>();
          for (Claim c : claims) {
            RangeReservations.Outcome o = c.outcome().isCompletedExceptionally() ? null : c.outcome().join();
            if (o == RangeReservations.Outcome.TAKEN) {
              lost.add(c);
            } else if (o == RangeReservations.Outcome.CLAIMED && err != null) {
              undo.add(c.range().release(c.value(), owner).toCompletableFuture());
            }
          }
          if (err == null && lost.isEmpty()) {
            return DONE;
          }
          if (err == null) {
            for (Claim c : claims) {
              if (!lost.contains(c)) {
                undo.add(c.range().release(c.value(), owner).toCompletableFuture());
              }
            }
            // This view only (the storage side is `undo`, awaited below, so that a retry's claims are not raced).
            List<String> tookIps = new ArrayList<>(heldIps(svc));
            tookIps.removeAll(heldIps(old));
            List<Integer> tookPorts = new ArrayList<>(allNodePortsOf(svc));
            tookPorts.removeAll(oldPorts);
            release(tookIps, tookPorts);
            lost.forEach(this::markTaken);
          }
          Throwable failure = err != null ? err
              : new AllocationConflict(lost.stream().map(Claim::value).toList());
          return CompletableFuture.allOf(undo.toArray(CompletableFuture[]::new))
              .handle((x, e) -> (Void) null)
              .thenCompose(x -> CompletableFuture.<Void>failedFuture(failure));
        }).thenCompose(x -> x);
  }

  /**
   * Starts following the claims of every apiserver into the allocators (taken when claimed, free when released);
   * completes once the current claims are in. Without shared reservations there is nothing to follow.
   */
  CompletionStage<Void> follow() {
    if (shared == null) {
      return DONE;
    }
    CompletableFuture<Void> a = shared.clusterIps().follow(new RangeReservations.Listener() {
      @Override
      public void taken(String value) {
        ips.markUsed(value);
      }

      @Override
      public void freed(String value) {
        ips.release(value);
      }
    }).toCompletableFuture();
    CompletableFuture<Void> b = shared.nodePorts().follow(new RangeReservations.Listener() {
      @Override
      public void taken(String value) {
        ports.markUsed(Integer.parseInt(value));
      }

      @Override
      public void freed(String value) {
        ports.release(Integer.parseInt(value));
      }
    }).toCompletableFuture();
    return CompletableFuture.allOf(a, b);
  }

  void stopFollowing() {
    if (shared != null) {
      shared.clusterIps().close();
      shared.nodePorts().close();
    }
  }

  /**
   * Reconciles the claims with the Services: lists the claims, then (so that a Service written after a claim is
   * seen) the Services; marks every Service's values used in this view; claims what a Service holds unclaimed (or
   * claimed, longer than {@code grace}, by an owner that holds nothing); deletes claims older than {@code grace}
   * that no Service holds (a write that died between claiming and storing), unless changed since listed.
   */
  CompletionStage<ServiceStrategy.RepairResult> repair(java.util.function.Supplier<CompletionStage<List<ObjectNode>>> services,
      java.time.Instant now, java.time.Duration grace) {
    if (shared == null) {
      return services.get().thenApply(list -> {
        list.forEach(this::markUsed);
        return new ServiceStrategy.RepairResult(0, 0, List.of());
      });
    }
    // This view is listed again first, so that values a lost race marked taken and since freed come back.
    CompletableFuture<List<RangeReservations.Reservation>> ipClaims = shared.clusterIps().resync()
        .thenCompose(v -> shared.clusterIps().list()).toCompletableFuture();
    CompletableFuture<List<RangeReservations.Reservation>> portClaims = shared.nodePorts().resync()
        .thenCompose(v -> shared.nodePorts().list()).toCompletableFuture();
    return CompletableFuture.allOf(ipClaims, portClaims)
        .thenCompose(v -> services.get())
        .thenCompose(list -> {
          java.util.Map<String, List<ObjectNode>> ipHolders = new java.util.TreeMap<>();
          java.util.Map<String, List<ObjectNode>> portHolders = new java.util.TreeMap<>();
          for (ObjectNode svc : list) {
            markUsed(svc);
            for (String ip : heldIps(svc)) {
              if (ips.inRange(ip)) {
                ipHolders.computeIfAbsent(canonical(ip), k -> new ArrayList<>()).add(svc);
              }
            }
            for (int p : allNodePortsOf(svc)) {
              if (ports.inRange(p)) {
                portHolders.computeIfAbsent(Integer.toString(p), k -> new ArrayList<>()).add(svc);
              }
            }
          }
          List<String> duplicates = new ArrayList<>();
          List<CompletableFuture<Integer>> claimed = new ArrayList<>();
          List<CompletableFuture<Integer>> leaked = new ArrayList<>();
          repairRange(shared.clusterIps(), ipClaims.join(), ipHolders, now, grace, duplicates, claimed, leaked);
          repairRange(shared.nodePorts(), portClaims.join(), portHolders, now, grace, duplicates, claimed, leaked);
          List<CompletableFuture<Integer>> all = new ArrayList<>(claimed);
          all.addAll(leaked);
          return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(x -> new ServiceStrategy.RepairResult(
              claimed.stream().mapToInt(CompletableFuture::join).sum(),
              leaked.stream().mapToInt(CompletableFuture::join).sum(), duplicates));
        });
  }

  private static void repairRange(RangeReservations range, List<RangeReservations.Reservation> claims,
      java.util.Map<String, List<ObjectNode>> holders, java.time.Instant now, java.time.Duration grace,
      List<String> duplicates, List<CompletableFuture<Integer>> claimed, List<CompletableFuture<Integer>> leaked) {
    java.util.Map<String, RangeReservations.Reservation> byValue = new java.util.HashMap<>();
    claims.forEach(r -> byValue.put(r.value(), r));
    holders.forEach((value, svcs) -> {
      if (svcs.size() > 1) {
        duplicates.add(range.range() + "/" + value + " held by " + svcs.stream()
            .map(x -> ObjectMeta.namespace(x) + "/" + ObjectMeta.name(x)).toList());
      }
      ObjectNode first = svcs.get(0);
      String owner = ObjectMeta.uid(first);
      String object = ObjectMeta.namespace(first) + "/" + ObjectMeta.name(first);
      RangeReservations.Reservation r = byValue.get(value);
      if (r == null) {
        claimed.add(range.claim(value, owner, object).toCompletableFuture()
            .thenApply(o -> o == RangeReservations.Outcome.CLAIMED ? 1 : 0));
      } else if (svcs.stream().noneMatch(x -> r.owner().equals(ObjectMeta.uid(x)))
          && r.claimed().plus(grace).isBefore(now)) {
        claimed.add(range.deleteUnchanged(r).thenCompose(deleted -> deleted
            ? range.claim(value, owner, object).thenApply(o -> o == RangeReservations.Outcome.CLAIMED ? 1 : 0)
            : CompletableFuture.completedFuture(0)).toCompletableFuture());
      }
    });
    for (RangeReservations.Reservation r : claims) {
      if (!holders.containsKey(r.value()) && r.claimed().plus(grace).isBefore(now)) {
        leaked.add(range.deleteUnchanged(r).thenApply(deleted -> deleted ? 1 : 0).toCompletableFuture());
      }
    }
  }

  /** Releases values in this apiserver's view only. */
  private void release(List<String> freedIps, List<Integer> freedPorts) {
    freedIps.forEach(ips::release);
    freedPorts.forEach(ports::release);
  }

  private record Claim(RangeReservations range, String value,
      CompletableFuture<RangeReservations.Outcome> outcome) {}

  private void markTaken(Claim c) {
    if (c.range() == shared.clusterIps()) {
      ips.markUsed(c.value());
    } else {
      ports.markUsed(Integer.parseInt(c.value()));
    }
  }

  /** The cluster IPs {@code svc} (may be null) holds. */
  private static Set<String> heldIps(ObjectNode svc) {
    return svc != null && needsClusterIp(svc) ? clusterIpsOf(svc) : Set.of();
  }

  private static String canonical(String ip) {
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
  private static Set<Integer> allNodePortsOf(ObjectNode svc) {
    Set<Integer> out = new LinkedHashSet<>(needsNodePorts(svc) ? nodePortsOf(svc) : Set.of());
    JsonNode hc = Nodes.get(Nodes.obj(svc, "spec"), "healthCheckNodePort");
    if (needsHealthCheckPort(svc) && hc != null && hc.asLong() != 0) {
      out.add(hc.asInt());
    }
    return out;
  }
}

package dev.hostplane.apiserver.registry.types;

import dev.hostplane.apiserver.api.NameRule;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Validation;
import dev.hostplane.apiserver.registry.HoldsAllocations;
import dev.hostplane.apiserver.registry.NamedBy;
import dev.hostplane.apiserver.registry.Strategy;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * core/v1 Service: defaults, ClusterIP and NodePort allocation, validation ({@code pkg/registry/core/service}).
 *
 * <p><b>Allocation contract.</b> {@link #prepareForCreate} and {@link #prepareForUpdate} take cluster IPs and node
 * ports from the allocators (all-or-nothing per call; a value that cannot be had fails the call with 422 Invalid,
 * or 500 when a range is full). With {@link Reservations} (apiservers sharing a storage) the allocators are this
 * apiserver's view and {@link #claim} must follow a prepare, to make the values the Service's own in storage. The
 * store may still fail the write afterwards (validation, admission, conflict, storage). The caller that wires this
 * strategy must therefore (see {@link HoldsAllocations}):
 * <ul>
 *   <li>after a failed create: {@link #release(ObjectNode)} the prepared object;</li>
 *   <li>after a failed update: {@link #releaseUnshared(ObjectNode, ObjectNode)} (prepared new, stored old);</li>
 *   <li>after a successful update: {@link #releaseUnshared(ObjectNode, ObjectNode)} (stored old, stored new);</li>
 *   <li>after the object is finally deleted: {@link #release(ObjectNode)} the deleted object;</li>
 *   <li>at startup: {@code markUsed} every stored Service's IPs and ports on the allocators, and follow the
 *       reservations.</li>
 * </ul>
 */
public final class ServiceStrategy implements Strategy, NamedBy, HoldsAllocations {
  /** The claims of cluster IPs and node ports in storage, shared by the apiservers on it. */
  public record Reservations(RangeReservations clusterIps, RangeReservations nodePorts) {}

  private final ServiceAllocations allocations;

  /** Allocation from the allocators alone: one apiserver per storage. */
  public ServiceStrategy(ServiceAddressAllocator clusterIps, NodePortAllocator nodePorts) {
    this(clusterIps, nodePorts, null);
  }

  /** Allocation claimed in {@code reservations} (null: none), correct across apiservers on one storage. */
  public ServiceStrategy(ServiceAddressAllocator clusterIps, NodePortAllocator nodePorts,
      Reservations reservations) {
    this.allocations = new ServiceAllocations(clusterIps, nodePorts, reservations);
  }

  @Override
  public NameRule nameRule() {
    return NameRule.DNS1035_LABEL;
  }

  @Override
  public void applyDefaults(ObjectNode obj) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    Nodes.defaultText(spec, "type", "ClusterIP");
    Nodes.defaultText(spec, "sessionAffinity", "None");
    if ("ClientIP".equals(Nodes.text(spec, "sessionAffinity")) && !Nodes.has(spec, "sessionAffinityConfig")) {
      spec.putObject("sessionAffinityConfig").putObject("clientIP").put("timeoutSeconds", 10800);
    }
    for (ObjectNode port : Nodes.objects(spec, "ports")) {
      Nodes.defaultText(port, "protocol", "TCP");
      JsonNode target = Nodes.get(port, "targetPort");
      boolean unset = target == null || (target.isNumber() && target.asLong() == 0)
          || (target.isTextual() && target.asText().isEmpty());
      if (unset && Nodes.has(port, "port")) {
        port.set("targetPort", port.get("port").deepCopy());
      }
    }
    String type = Nodes.text(spec, "type");
    if (type.equals("NodePort") || type.equals("LoadBalancer")) {
      Nodes.defaultText(spec, "externalTrafficPolicy", "Cluster");
    }
    if (type.equals("ClusterIP") || type.equals("NodePort") || type.equals("LoadBalancer")) {
      Nodes.defaultText(spec, "internalTrafficPolicy", "Cluster");
    }
    if (type.equals("LoadBalancer")) {
      Nodes.defaultBool(spec, "allocateLoadBalancerNodePorts", true);
    }
  }

  @Override
  public void prepareForCreate(ObjectNode obj) {
    obj.putObject("status").putObject("loadBalancer");
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    String single = Nodes.text(spec, "clusterIP");
    if (!single.isEmpty() && Nodes.isEmpty(spec, "clusterIPs")) {
      spec.putArray("clusterIPs").add(single);
    }
    allocations.allocate(obj, null);
    defaultIpFamilies(obj);
  }

  @Override
  public void prepareForUpdate(ObjectNode obj, ObjectNode old) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    ObjectNode oldSpec = Nodes.obj(old, "spec");
    dropTypeDependentFields(obj, old);
    patchAllocatedValues(obj, old);
    normalizeClusterIps(spec, oldSpec);
    if (ServiceAllocations.needsClusterIp(obj) && ServiceAllocations.needsClusterIp(old)) {
      for (String f : List.of("ipFamilies", "ipFamilyPolicy")) {
        if (!Nodes.has(spec, f) && Nodes.has(oldSpec, f)) {
          spec.set(f, oldSpec.get(f).deepCopy());
        }
      }
    }
    allocations.allocate(obj, old);
    defaultIpFamilies(obj);
  }

  @Override
  public List<Status.Cause> validate(ObjectNode obj) {
    CauseList errs = new CauseList();
    ServiceValidation.validate(obj, allocations.family(), errs);
    return errs.list();
  }

  @Override
  public List<Status.Cause> validateUpdate(ObjectNode obj, ObjectNode old) {
    CauseList errs = new CauseList();
    ServiceValidation.validate(obj, allocations.family(), errs);
    ServiceValidation.validateClusterIpUpdate(obj, old, errs);
    return errs.list();
  }

  @Override
  public boolean returnsDeletedObject() {
    return true;
  }

  @Override
  public void markUsed(ObjectNode svc) {
    allocations.markUsed(svc);
  }

  /** Starts following the reservations into the allocators; completes once the current claims are in. */
  public CompletionStage<Void> follow() {
    return allocations.follow();
  }

  /** Stops following the reservations (the apiserver is stopping). */
  public void stopFollowing() {
    allocations.stopFollowing();
  }

  /** The outcome of {@link #repair}: claims made, stale claims deleted, values two Services hold. */
  public record RepairResult(int claimed, int leaked, List<String> duplicates) {}

  /**
   * One repair pass of the claims against the Services {@code services} lists (upstream's repair loops; see
   * {@link ServiceAllocations}): without reservations it only marks the Services' values used.
   */
  public CompletionStage<RepairResult> repair(
      java.util.function.Supplier<CompletionStage<List<ObjectNode>>> services, java.time.Instant now,
      java.time.Duration leakGrace) {
    return allocations.repair(services, now, leakGrace);
  }

  @Override
  public CompletionStage<Void> claim(ObjectNode svc, ObjectNode old) {
    return allocations.claim(svc, old);
  }

  /** Gives back every cluster IP and node port {@code svc} holds (after a failed create, or a final delete). */
  @Override
  public CompletionStage<Void> release(ObjectNode svc) {
    return allocations.releaseUnshared(svc, null);
  }

  /** Gives back what {@code holder} holds and {@code keep} does not (after an update, failed or done). */
  @Override
  public CompletionStage<Void> releaseUnshared(ObjectNode holder, ObjectNode keep) {
    return allocations.releaseUnshared(holder, keep);
  }

  /** Single-stack clusters: ipFamilyPolicy SingleStack and ipFamilies [family of the cluster IP]. */
  private void defaultIpFamilies(ObjectNode obj) {
    if (!ServiceAllocations.needsClusterIp(obj)) {
      return;
    }
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    Nodes.defaultText(spec, "ipFamilyPolicy", "SingleStack");
    if (Nodes.isEmpty(spec, "ipFamilies")) {
      String ipFamily = IpAddresses.family(Nodes.text(spec, "clusterIP"));
      spec.putArray("ipFamilies").add(ipFamily != null ? ipFamily : allocations.family());
    }
  }

  /** Upstream patchAllocatedValues: an update that leaves allocated values empty keeps the old ones. */
  private static void patchAllocatedValues(ObjectNode obj, ObjectNode old) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    ObjectNode oldSpec = Nodes.obj(old, "spec");
    if (ServiceAllocations.needsClusterIp(obj) && ServiceAllocations.needsClusterIp(old)) {
      if (Nodes.text(spec, "clusterIP").isEmpty() && Nodes.has(oldSpec, "clusterIP")) {
        spec.put("clusterIP", Nodes.text(oldSpec, "clusterIP"));
      }
      if (Nodes.isEmpty(spec, "clusterIPs") && !Nodes.isEmpty(oldSpec, "clusterIPs")) {
        spec.set("clusterIPs", oldSpec.get("clusterIPs").deepCopy());
      }
    }
    if (ServiceAllocations.needsNodePorts(obj) && ServiceAllocations.needsNodePorts(old)) {
      Set<Long> newPorts = new HashSet<>();
      for (ObjectNode p : Nodes.objects(spec, "ports")) {
        Long n = Nodes.num(p, "nodePort");
        if (n != null && n != 0) {
          newPorts.add(n);
        }
      }
      Map<String, Long> byName = new HashMap<>();
      for (ObjectNode p : Nodes.objects(oldSpec, "ports")) {
        Long n = Nodes.num(p, "nodePort");
        if (n != null) {
          byName.put(Nodes.text(p, "name"), n);
        }
      }
      for (ObjectNode p : Nodes.objects(spec, "ports")) {
        Long n = Nodes.num(p, "nodePort");
        Long previous = byName.get(Nodes.text(p, "name"));
        if ((n == null || n == 0) && previous != null && previous != 0 && !newPorts.contains(previous)) {
          Nodes.putNum(p, "nodePort", previous);
          newPorts.add(previous);
        }
      }
    }
    if (ServiceAllocations.needsHealthCheckPort(obj) && ServiceAllocations.needsHealthCheckPort(old)) {
      Long hc = Nodes.num(spec, "healthCheckNodePort");
      if ((hc == null || hc == 0) && Nodes.has(oldSpec, "healthCheckNodePort")) {
        spec.set("healthCheckNodePort", oldSpec.get("healthCheckNodePort").deepCopy());
      }
    }
  }

  /** Upstream normalizeClusterIPs for updates: keep clusterIP and clusterIPs consistent for old clients. */
  private static void normalizeClusterIps(ObjectNode spec, ObjectNode oldSpec) {
    String single = Nodes.text(spec, "clusterIP");
    String oldSingle = Nodes.text(oldSpec, "clusterIP");
    List<String> oldList = Nodes.strings(oldSpec, "clusterIPs");
    if (!oldList.isEmpty() && Nodes.isEmpty(spec, "clusterIPs") && oldSingle.equals(single)) {
      spec.set("clusterIPs", Nodes.textArray(oldList));
    }
    if (!oldSingle.equals(single)) {
      boolean sameList = Nodes.strings(spec, "clusterIPs").equals(oldList);
      if (!oldSingle.isEmpty() && single.isEmpty()) {
        if (sameList) {
          spec.remove("clusterIPs");
        }
      } else if (sameList) {
        spec.set("clusterIPs", Nodes.textArray(List.of(single)));
      }
    }
  }

  /**
   * Upstream dropTypeDependentFields: moving to a type that does not use a value clears it, when the client left
   * the old value in place.
   */
  private static void dropTypeDependentFields(ObjectNode obj, ObjectNode old) {
    ObjectNode spec = Nodes.ensureObj(obj, "spec");
    ObjectNode oldSpec = Nodes.obj(old, "spec");
    if (!ServiceAllocations.needsClusterIp(obj) && ServiceAllocations.needsClusterIp(old)) {
      if (Nodes.text(spec, "clusterIP").equals(Nodes.text(oldSpec, "clusterIP"))
          && Nodes.same(spec.get("clusterIPs"), oldSpec.get("clusterIPs"))) {
        spec.remove(List.of("clusterIP", "clusterIPs"));
      }
      if (Nodes.same(spec.get("ipFamilies"), oldSpec.get("ipFamilies"))) {
        spec.remove("ipFamilies");
      }
      if (Nodes.same(spec.get("ipFamilyPolicy"), oldSpec.get("ipFamilyPolicy"))) {
        spec.remove("ipFamilyPolicy");
      }
    }
    if (!ServiceAllocations.needsNodePorts(obj) && ServiceAllocations.needsNodePorts(old)) {
      List<ObjectNode> ports = Nodes.objects(spec, "ports");
      List<ObjectNode> oldPorts = Nodes.objects(oldSpec, "ports");
      for (int i = 0; i < ports.size() && i < oldPorts.size(); i++) {
        if (Nodes.same(ports.get(i).get("nodePort"), oldPorts.get(i).get("nodePort"))) {
          ports.get(i).remove("nodePort");
        }
      }
    }
    if (!ServiceAllocations.needsHealthCheckPort(obj) && ServiceAllocations.needsHealthCheckPort(old)
        && Nodes.same(spec.get("healthCheckNodePort"), oldSpec.get("healthCheckNodePort"))) {
      spec.remove("healthCheckNodePort");
    }
  }
}

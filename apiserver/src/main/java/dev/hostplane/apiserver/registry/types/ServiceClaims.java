package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.registry.AllocationConflict;
import dev.hostplane.apiserver.registry.ObjectMeta;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The storage side of Service allocation when several apiservers share a storage: each cluster IP and node port a
 * Service holds is claimed for the Service's uid in {@link RangeReservations} (the arbiter), and the two allocators
 * are this apiserver's view, kept current by following every apiserver's claims. {@link ServiceAllocations} takes
 * values from the view; this class makes them the Service's own, gives them back, and repairs.
 *
 * <p>Threading: nothing blocks; stages complete on storage threads.
 */
final class ServiceClaims {
  private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

  private final ServiceAddressAllocator ips;
  private final NodePortAllocator ports;
  private final ServiceStrategy.Reservations shared;

  /**
   * Scatters the allocators' cursors: apiservers that all began at the start of the ranges would offer the same
   * values at the same time and lose claims to each other in turn.
   */
  ServiceClaims(ServiceAddressAllocator ips, NodePortAllocator ports, ServiceStrategy.Reservations shared) {
    this.ips = ips;
    this.ports = ports;
    this.shared = shared;
    scatter();
  }

  private void scatter() {
    ips.moveCursor(ThreadLocalRandom.current().nextDouble());
    ports.moveCursor(ThreadLocalRandom.current().nextDouble());
  }

  /** Deletes {@code owner}'s claims on the given values (in range ones); never fails. */
  CompletionStage<Void> release(String owner, List<String> freedIps, List<Integer> freedPorts) {
    if (owner == null || owner.isEmpty()) {
      return DONE;
    }
    List<CompletableFuture<Void>> deletes = new ArrayList<>();
    for (String ip : freedIps) {
      if (ips.inRange(ip)) {
        deletes.add(shared.clusterIps().release(ServiceAllocations.canonical(ip), owner).toCompletableFuture());
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
    String owner = ObjectMeta.uid(svc);
    String object = ObjectMeta.namespace(svc) + "/" + ObjectMeta.name(svc);
    List<String> newIps = new ArrayList<>();
    for (String ip : ServiceAllocations.heldIps(svc)) {
      if (!ServiceAllocations.heldIps(old).contains(ip) && ips.inRange(ip)) {
        newIps.add(ServiceAllocations.canonical(ip));
      }
    }
    List<String> newPorts = new ArrayList<>();
    Set<Integer> oldPorts = old == null ? Set.of() : ServiceAllocations.allNodePortsOf(old);
    for (int p : ServiceAllocations.allNodePortsOf(svc)) {
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
            List<String> tookIps = new ArrayList<>(ServiceAllocations.heldIps(svc));
            tookIps.removeAll(ServiceAllocations.heldIps(old));
            List<Integer> tookPorts = new ArrayList<>(ServiceAllocations.allNodePortsOf(svc));
            tookPorts.removeAll(oldPorts);
            tookIps.forEach(ips::release);
            tookPorts.forEach(ports::release);
            lost.forEach(this::markTaken);
            scatter(); // away from where another apiserver is allocating now
          }
          Throwable failure = err != null ? err
              : new AllocationConflict(lost.stream().map(Claim::value).toList());
          return CompletableFuture.allOf(undo.toArray(CompletableFuture[]::new))
              .handle((x, e) -> (Void) null)
              .thenCompose(x -> CompletableFuture.<Void>failedFuture(failure));
        }).thenCompose(x -> x);
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

  /**
   * Starts following the claims of every apiserver into the allocators (taken when claimed, free when released);
   * completes once the current claims are in.
   */
  CompletionStage<Void> follow() {
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
    shared.clusterIps().close();
    shared.nodePorts().close();
  }

  /**
   * Reconciles the claims with the Services: lists the claims, then (so that a Service written after a claim is
   * seen) the Services; claims what a Service holds unclaimed (or
   * claimed, longer than {@code grace}, by an owner that holds nothing); deletes claims older than {@code grace}
   * that no Service holds (a write that died between claiming and storing), unless changed since listed.
   */
  CompletionStage<ServiceStrategy.RepairResult> repair(Supplier<CompletionStage<List<ObjectNode>>> services,
      Instant now, Duration grace) {
    // This view is listed again first, so that values a lost race marked taken and since freed come back.
    CompletableFuture<List<RangeReservations.Reservation>> ipClaims = shared.clusterIps().resync()
        .thenCompose(v -> shared.clusterIps().list()).toCompletableFuture();
    CompletableFuture<List<RangeReservations.Reservation>> portClaims = shared.nodePorts().resync()
        .thenCompose(v -> shared.nodePorts().list()).toCompletableFuture();
    return CompletableFuture.allOf(ipClaims, portClaims)
        .thenCompose(v -> services.get())
        .thenCompose(list -> {
          Map<String, List<ObjectNode>> ipHolders = new TreeMap<>();
          Map<String, List<ObjectNode>> portHolders = new TreeMap<>();
          for (ObjectNode svc : list) {
            for (String ip : ServiceAllocations.heldIps(svc)) {
              if (ips.inRange(ip)) {
                ipHolders.computeIfAbsent(ServiceAllocations.canonical(ip), k -> new ArrayList<>()).add(svc);
              }
            }
            for (int p : ServiceAllocations.allNodePortsOf(svc)) {
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
      Map<String, List<ObjectNode>> holders, Instant now, Duration grace,
      List<String> duplicates, List<CompletableFuture<Integer>> claimed, List<CompletableFuture<Integer>> leaked) {
    Map<String, RangeReservations.Reservation> byValue = new HashMap<>();
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
}

package dev.hostplane.apiserver.registry.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.registry.AllocationConflict;
import dev.hostplane.apiserver.storage.embedded.EmbeddedStorage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two apiservers' Service strategies claiming from one storage. */
class SharedServiceAllocationTest {
  @TempDir
  Path dir;
  EmbeddedStorage storage;
  Replica a;
  Replica b;

  /** One apiserver's view: its allocators, reservations and strategy. */
  final class Replica {
    final ServiceAddressAllocator ips = new ServiceAddressAllocator("10.0.0.0/24");
    final NodePortAllocator ports = new NodePortAllocator(30000, 30009);
    final ServiceStrategy.Reservations reservations;
    final ServiceStrategy strategy;

    Replica(Clock clock) {
      reservations = new ServiceStrategy.Reservations(
          new RangeReservations(storage, "/registry", "serviceips", clock),
          new RangeReservations(storage, "/registry", "servicenodeports", clock));
      strategy = new ServiceStrategy(ips, ports, reservations);
    }

    /** Defaults, prepare and claim, as the store runs them. */
    ObjectNode create(String name, String uid, String spec) {
      ObjectNode svc = Trees.obj("{metadata:{name:'" + name + "',namespace:'default',uid:'" + uid + "'},spec:"
          + spec + "}");
      strategy.applyDefaults(svc);
      strategy.prepareForCreate(svc);
      strategy.claim(svc, null).toCompletableFuture().join();
      return svc;
    }
  }

  @BeforeEach
  void open() throws Exception {
    storage = EmbeddedStorage.open(dir, EmbeddedStorage.Options.DEFAULT);
    a = new Replica(Clock.systemUTC());
    b = new Replica(Clock.systemUTC());
  }

  @AfterEach
  void close() {
    a.strategy.stopFollowing();
    b.strategy.stopFollowing();
    storage.close();
  }

  private List<String> claimed(RangeReservations r) {
    return r.list().toCompletableFuture().join().stream().map(RangeReservations.Reservation::value)
        .collect(Collectors.toList());
  }

  @Test
  void aClaimLostToAnotherApiserverGivesBackWhatItTookAndTeachesTheView() {
    a.create("first", "uid-a", "{type:'NodePort',clusterIP:'10.0.0.7',ports:[{port:80,nodePort:30001}]}");

    // b does not follow the claims: its view has 10.0.0.7 free, so prepare takes it, and the claim finds it taken.
    ObjectNode svc = Trees.obj("{metadata:{name:'second',namespace:'default',uid:'uid-b'},spec:{type:'NodePort',"
        + "clusterIP:'10.0.0.7',ports:[{port:80}]}}");
    b.strategy.applyDefaults(svc);
    ObjectNode before = svc.deepCopy();
    b.strategy.prepareForCreate(svc);
    CompletionException e = assertThrows(CompletionException.class,
        () -> b.strategy.claim(svc, null).toCompletableFuture().join());
    assertInstanceOf(AllocationConflict.class, e.getCause());
    assertTrue(b.ips.isAllocated("10.0.0.7"), "now known taken");
    assertEquals(10, b.ports.free(), "the node port b took went back");
    assertEquals(List.of("10.0.0.7"), claimed(b.reservations.clusterIps()), "b's claims were deleted");
    assertEquals(List.of("30001"), claimed(b.reservations.nodePorts()));

    // Prepared again, as the store does, the request fails like a local conflict.
    ObjectNode again = before.deepCopy();
    ApiException refused = assertThrows(ApiException.class, () -> b.strategy.prepareForCreate(again));
    assertEquals(422, refused.code());
    assertTrue(refused.getMessage().endsWith("failed to allocate IP 10.0.0.7: provided IP is already allocated"));
  }

  @Test
  void aFollowingViewSeesTheOtherApiserversClaimsAndReleases() throws Exception {
    b.strategy.follow().toCompletableFuture().join();
    ObjectNode svc = a.create("first", "uid-a", "{type:'NodePort',ports:[{port:80}]}");
    String ip = svc.at("/spec/clusterIP").asText();
    int port = svc.at("/spec/ports/0/nodePort").asInt();
    await(() -> b.ips.isAllocated(ip) && b.ports.isAllocated(port));

    ObjectNode next = b.create("second", "uid-b", "{type:'NodePort',ports:[{port:80}]}");
    assertFalse(next.at("/spec/clusterIP").asText().equals(ip), "b offers another address at once");
    assertFalse(next.at("/spec/ports/0/nodePort").asInt() == port);

    a.strategy.release(svc).toCompletableFuture().join();
    await(() -> !b.ips.isAllocated(ip) && !b.ports.isAllocated(port));
  }

  @Test
  void onlyTheOwnerReleasesAClaim() {
    ObjectNode svc = a.create("first", "uid-a", "{clusterIP:'10.0.0.9',ports:[{port:80}]}");
    ObjectNode impostor = svc.deepCopy();
    impostor.with("metadata").put("uid", "uid-other");
    b.strategy.release(impostor).toCompletableFuture().join();
    assertEquals(List.of("10.0.0.9"), claimed(a.reservations.clusterIps()));
    a.strategy.release(svc).toCompletableFuture().join();
    assertEquals(List.of(), claimed(a.reservations.clusterIps()));
  }

  @Test
  void repairClaimsWhatServicesHoldAndDropsOldClaimsNobodyHolds() {
    Replica past = new Replica(Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC));
    past.reservations.clusterIps().claim("10.0.0.50", "uid-dead", "default/dead").toCompletableFuture().join();
    past.reservations.nodePorts().claim("30009", "uid-dead", "default/dead").toCompletableFuture().join();
    a.reservations.clusterIps().claim("10.0.0.51", "uid-young", "default/in-flight").toCompletableFuture().join();
    // A Service stored before claims existed: it holds values nobody claimed.
    ObjectNode legacy = Trees.obj("{metadata:{name:'legacy',namespace:'default',uid:'uid-legacy'},spec:{type:"
        + "'NodePort',clusterIP:'10.0.0.60',clusterIPs:['10.0.0.60'],ports:[{port:80,nodePort:30005}]}}");

    ServiceStrategy.RepairResult r = a.strategy.repair(() -> CompletableFuture.completedFuture(List.of(legacy)),
        Instant.now(), Duration.ofMinutes(5)).toCompletableFuture().join();
    assertEquals(2, r.claimed(), "the legacy Service's address and port");
    assertEquals(2, r.leaked(), "the dead write's address and port");
    assertEquals(List.of(), r.duplicates());
    assertEquals(List.of("10.0.0.51", "10.0.0.60"), claimed(a.reservations.clusterIps()),
        "a young claim may belong to a write in flight: kept");
    assertEquals(List.of("30005"), claimed(a.reservations.nodePorts()));
    assertTrue(a.ips.isAllocated("10.0.0.60") && a.ports.isAllocated(30005), "marked in the view");
  }

  @Test
  void repairReportsAValueTwoServicesHold() {
    ObjectNode one = Trees.obj("{metadata:{name:'one',namespace:'default',uid:'u1'},spec:{clusterIP:'10.0.0.70',"
        + "clusterIPs:['10.0.0.70'],ports:[{port:80}]}}");
    ObjectNode two = Trees.obj("{metadata:{name:'two',namespace:'default',uid:'u2'},spec:{clusterIP:'10.0.0.70',"
        + "clusterIPs:['10.0.0.70'],ports:[{port:80}]}}");
    ServiceStrategy.RepairResult r = a.strategy.repair(() -> CompletableFuture.completedFuture(List.of(one, two)),
        Instant.now(), Duration.ofMinutes(5)).toCompletableFuture().join();
    assertEquals(List.of("serviceips/10.0.0.70 held by [default/one, default/two]"), r.duplicates());
  }

  private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 5 s");
      }
      Thread.sleep(10);
    }
  }
}

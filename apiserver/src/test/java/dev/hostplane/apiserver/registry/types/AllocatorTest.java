package dev.hostplane.apiserver.registry.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.registry.types.AllocationException.Reason;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AllocatorTest {
  @Test
  void addressesAreHandedOutInOrderSkippingTheKubernetesAddress() {
    ServiceAddressAllocator a = new ServiceAddressAllocator("10.96.0.0/29");
    assertEquals("10.96.0.1", a.firstAddress());
    assertEquals(List.of("10.96.0.2", "10.96.0.3", "10.96.0.4", "10.96.0.5", "10.96.0.6"),
        List.of(a.allocateNext(), a.allocateNext(), a.allocateNext(), a.allocateNext(), a.allocateNext()));
    AllocationException full = assertThrows(AllocationException.class, a::allocateNext);
    assertEquals(Reason.FULL, full.reason());
    assertEquals("range is full", full.getMessage());
    assertFalse(a.isAllocated("10.96.0.1"), "the first address is only taken on request");
    a.allocate("10.96.0.1");
    assertTrue(a.isAllocated("10.96.0.1"));
  }

  @Test
  void aMovedCursorContinuesThereAndWrapsPastTheEnd() {
    ServiceAddressAllocator a = new ServiceAddressAllocator("10.96.0.0/29"); // dynamic: .2 to .6
    a.moveCursor(0.6);
    assertEquals(List.of("10.96.0.5", "10.96.0.6", "10.96.0.2"),
        List.of(a.allocateNext(), a.allocateNext(), a.allocateNext()));
    NodePortAllocator p = new NodePortAllocator(30000, 30009);
    p.moveCursor(0.95);
    assertEquals(List.of(30009, 30000), List.of(p.allocateNext(), p.allocateNext()));
    assertThrows(IllegalArgumentException.class, () -> p.moveCursor(1.0));
  }

  @Test
  void theFirstAddressDoesNotCountAgainstDynamicCapacity() {
    ServiceAddressAllocator a = new ServiceAddressAllocator("10.0.0.0/30");
    a.allocate(a.firstAddress());
    assertEquals("10.0.0.2", a.allocateNext());
    assertEquals(0, a.free());
  }

  @ParameterizedTest
  @CsvSource({
      "10.96.0.0/24, 10.96.0.0, NOT_IN_RANGE",
      "10.96.0.0/24, 10.96.0.255, NOT_IN_RANGE",
      "10.96.0.0/24, 10.97.0.1, NOT_IN_RANGE",
      "10.96.0.0/24, fd00::1, NOT_IN_RANGE",
      "10.96.0.0/24, 10.96.0.300, INVALID",
      "fd00:10::/120, fd00:10::100, NOT_IN_RANGE",
  })
  void addressesOutsideTheRangeAreRefused(String cidr, String ip, Reason reason) {
    ServiceAddressAllocator a = new ServiceAddressAllocator(cidr);
    assertEquals(reason, assertThrows(AllocationException.class, () -> a.allocate(ip)).reason());
    assertFalse(a.release(ip));
    assertFalse(a.markUsed(ip));
  }

  @Test
  void aTakenAddressIsRefusedWithUpstreamsMessage() {
    ServiceAddressAllocator a = new ServiceAddressAllocator("10.0.0.0/24");
    a.allocate("10.0.0.5");
    AllocationException e = assertThrows(AllocationException.class, () -> a.allocate("10.0.0.5"));
    assertEquals(Reason.ALREADY_ALLOCATED, e.reason());
    assertEquals("provided IP is already allocated", e.getMessage());
    assertEquals("the provided IP (10.1.0.5) is not in the valid range. The range of valid IPs is 10.0.0.0/24",
        assertThrows(AllocationException.class, () -> a.allocate("10.1.0.5")).getMessage());
  }

  @Test
  void releasedAddressesComeBackAfterTheRangeWraps() {
    ServiceAddressAllocator a = new ServiceAddressAllocator("10.0.0.0/29");
    String first = a.allocateNext();
    a.allocateNext();
    assertTrue(a.release(first));
    assertFalse(a.release(first), "a second release is a no-op");
    assertEquals("10.0.0.4", a.allocateNext(), "next-fit: no immediate reuse");
    a.allocateNext();
    a.allocateNext();
    assertEquals(first, a.allocateNext(), "reused once the rest is taken");
  }

  @Test
  void markUsedRestoresStateIdempotently() {
    ServiceAddressAllocator a = new ServiceAddressAllocator("10.0.0.0/29");
    assertTrue(a.markUsed("10.0.0.2"));
    assertTrue(a.markUsed("10.0.0.2"));
    assertEquals("10.0.0.3", a.allocateNext());
  }

  @Test
  void ipv6RangesWork() {
    ServiceAddressAllocator a = new ServiceAddressAllocator("fd00:10:96::/112");
    assertEquals("IPv6", a.family());
    assertEquals("fd00:10:96::1", a.firstAddress());
    assertEquals("fd00:10:96::2", a.allocateNext());
    a.allocate("fd00:10:96:0:0:0:0:ff");
    assertTrue(a.isAllocated("fd00:10:96::ff"), "any spelling of an address is the same address");
    assertEquals(65534, a.free() + 2);
  }

  @ParameterizedTest
  @CsvSource({"10.0.0.0/31", "10.0.0.0/32", "fd00::/127", "not-a-cidr", "10.0.0.0/33"})
  void tinyOrMalformedRangesAreRejected(String cidr) {
    assertThrows(IllegalArgumentException.class, () -> new ServiceAddressAllocator(cidr));
  }

  @Test
  void concurrentAllocationsAreUniqueAndExhaustTheRange() throws Exception {
    ServiceAddressAllocator a = new ServiceAddressAllocator("10.0.0.0/22");
    int capacity = 1024 - 3;
    ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
    int failures = race(8, () -> {
      try {
        got.add(a.allocateNext());
        return true;
      } catch (AllocationException e) {
        return false;
      }
    }, 200);
    assertEquals(capacity, got.size());
    assertEquals(capacity, new HashSet<>(got).size());
    assertEquals(8 * 200 - capacity, failures);
  }

  @Test
  void nodePortsAreSequentialUniqueAndBounded() {
    NodePortAllocator p = new NodePortAllocator(30000, 30002);
    assertEquals(30000, p.allocateNext());
    p.allocate(30002);
    assertEquals(30001, p.allocateNext());
    assertEquals("range is full", assertThrows(AllocationException.class, p::allocateNext).getMessage());
    assertEquals("provided port is already allocated",
        assertThrows(AllocationException.class, () -> p.allocate(30001)).getMessage());
    assertEquals("provided port is not in the valid range. The range of valid ports is 30000-30002",
        assertThrows(AllocationException.class, () -> p.allocate(80)).getMessage());
    assertTrue(p.release(30001));
    assertEquals(30001, p.allocateNext());
  }

  @Test
  void concurrentNodePortAllocationsAreUnique() throws Exception {
    NodePortAllocator p = new NodePortAllocator();
    ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
    race(8, () -> got.add(p.allocateNext()), 100);
    Set<Integer> unique = new HashSet<>(got);
    assertEquals(800, unique.size());
    assertTrue(unique.stream().allMatch(n -> n >= 30000 && n <= 32767));
    assertEquals(2768 - 800, p.free());
  }

  /** Runs {@code task} {@code perThread} times on each of {@code threads} threads at once; counts false results. */
  private static int race(int threads, Callable<Boolean> task, int perThread) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Integer>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          start.await();
          int failed = 0;
          for (int i = 0; i < perThread; i++) {
            if (!task.call()) {
              failed++;
            }
          }
          return failed;
        }));
      }
      start.countDown();
      int failed = 0;
      for (Future<Integer> f : futures) {
        failed += f.get();
      }
      return failed;
    } finally {
      pool.shutdownNow();
    }
  }
}

package dev.hostplane.apiserver.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.embedded.EmbeddedStorage;
import dev.hostplane.apiserver.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterLeasesTest {
  @TempDir
  Path dir;
  EmbeddedStorage storage;
  final ManualClock clock = new ManualClock(Instant.parse("2025-01-01T00:00:00Z"));
  MasterLeases leases;

  @BeforeEach
  void open() throws Exception {
    storage = EmbeddedStorage.open(dir, EmbeddedStorage.Options.DEFAULT);
    leases = new MasterLeases(storage, "/registry", clock, Duration.ofSeconds(15));
  }

  @AfterEach
  void close() {
    storage.close();
  }

  private static MasterLeases.Endpoint ep(String ip) {
    return new MasterLeases.Endpoint(ip, 6443);
  }

  private long keys() {
    return storage.list("/registry/masterleases/", ListOptions.DEFAULT).toCompletableFuture().join().items().size();
  }

  @Test
  void leasesAreLiveForTheirTtlAndSortedByAddress() {
    leases.refresh("192.0.2.11", 6443, "b");
    leases.refresh("192.0.2.10", 6443, "a");
    assertEquals(List.of(ep("192.0.2.10"), ep("192.0.2.11")), leases.live());
    clock.advance(Duration.ofSeconds(10));
    leases.refresh("192.0.2.10", 6443, "a");
    clock.advance(Duration.ofSeconds(6));
    assertEquals(List.of(ep("192.0.2.10")), leases.live(), "b's lease expired");
    assertEquals(1, keys(), "and its key was deleted by the reader");
  }

  @Test
  void anAddressSharedByReplicasStaysUntilTheLastEntryGoes() {
    leases.refresh("192.0.2.20", 6443, "a");
    leases.refresh("192.0.2.20", 6443, "b");
    leases.remove("192.0.2.20", "a");
    assertEquals(List.of(ep("192.0.2.20")), leases.live());
    leases.remove("192.0.2.20", "b");
    assertEquals(List.of(), leases.live());
    assertEquals(0, keys());
    leases.remove("192.0.2.20", "b"); // already gone: fine
  }

  @Test
  void anExpiredEntryOfAnotherIsDroppedWhenOneRefreshes() {
    leases.refresh("192.0.2.20", 6443, "a");
    clock.advance(Duration.ofSeconds(10));
    leases.refresh("192.0.2.20", 6443, "b");
    clock.advance(Duration.ofSeconds(10));
    leases.refresh("192.0.2.20", 6444, "b");
    assertEquals(List.of(new MasterLeases.Endpoint("192.0.2.20", 6444)), leases.live());
    String value = new String(storage.get("/registry/masterleases/192.0.2.20").toCompletableFuture().join().value());
    assertEquals(false, value.contains("\"a\""), value);
  }
}

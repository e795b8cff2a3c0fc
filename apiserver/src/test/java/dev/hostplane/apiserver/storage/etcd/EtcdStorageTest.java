package dev.hostplane.apiserver.storage.etcd;

import static dev.hostplane.apiserver.storage.StorageContractTest.assertFails;
import static dev.hostplane.apiserver.storage.StorageContractTest.await;
import static dev.hostplane.apiserver.storage.StorageContractTest.bytes;
import static dev.hostplane.apiserver.storage.StorageContractTest.done;
import static dev.hostplane.apiserver.storage.StorageContractTest.failure;
import static dev.hostplane.apiserver.storage.StorageContractTest.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageContractTest.Recorder;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.WatchEvent;
import dev.hostplane.apiserver.testing.EtcdProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the contract suite cannot show: TLS, etcd going away and coming back, progress, compaction by others. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EtcdStorageTest {
  private static final String PREFIX = "/registry/things/";

  private static EtcdStorage connect(EtcdProcess etcd) throws Exception {
    return EtcdStorage.connect(EtcdStorage.Options.of(List.of(etcd.endpoint()))
        .withRequestTimeout(Duration.ofSeconds(3)));
  }

  @Test
  void talksTlsWithAClientCertificateAndIsRefusedWithoutOne() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.launchTls()) {
      EtcdProcess.TlsFiles tls = etcd.tlsFiles();
      EtcdStorage.Options options = EtcdStorage.Options.of(List.of(etcd.endpoint()))
          .withRequestTimeout(Duration.ofSeconds(2));
      try (EtcdStorage storage = EtcdStorage.connect(
          options.withTls(tls.caFile(), tls.clientCertFile(), tls.clientKeyFile()))) {
        Recorder watch = new Recorder();
        storage.watch(PREFIX, storage.currentRevision(), watch);
        long created = await(storage.create(PREFIX + "a", bytes("v1"))).modRevision();
        assertEquals("v1", string(await(storage.get(PREFIX + "a")).value()));
        assertEquals(created, watch.awaitEvents(1).get(0).revision());
        assertNull(storage.health());
      }
      StorageException refused = assertThrows(StorageException.class,
          () -> EtcdStorage.connect(options.withTls(tls.caFile(), null, null)));
      assertEquals(StorageException.Code.UNAVAILABLE, refused.code());
    }
  }

  @Test
  void anOutageFailsRequestsQuicklyAndEverythingRecoversByItself() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.launch(); EtcdStorage storage = connect(etcd)) {
      await(storage.create(PREFIX + "a", bytes("v1")));
      assertNull(storage.health());

      etcd.stop();
      for (Supplier<java.util.concurrent.CompletionStage<?>> request : List.<Supplier<
          java.util.concurrent.CompletionStage<?>>>of(
              () -> storage.get(PREFIX + "a"),
              () -> storage.create(PREFIX + "b", bytes("v")),
              () -> storage.list(PREFIX, ListOptions.DEFAULT),
              () -> storage.guaranteedUpdate(PREFIX + "a", false, c -> done(bytes("v2"))),
              () -> storage.delete(PREFIX + "a", c -> {}),
              storage::readCurrentRevision)) {
        long start = System.nanoTime();
        Throwable t = failure(request.get());
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        StorageException e = assertInstanceOf(StorageException.class, t);
        assertTrue(e.code() == StorageException.Code.UNAVAILABLE || e.code() == StorageException.Code.TIMEOUT,
            e.toString());
        assertTrue(took < 3500, "a request took " + took + " ms to fail");
      }
      String reason = eventually(storage::health, Duration.ofSeconds(5));
      assertTrue(reason.startsWith("etcd"), reason);

      etcd.start();
      long restarted = System.nanoTime();
      eventually(() -> {
        try {
          return string(await(storage.get(PREFIX + "a")).value());
        } catch (Exception e) {
          return null;
        }
      }, Duration.ofSeconds(15));
      assertTrue(System.nanoTime() - restarted < TimeUnit.SECONDS.toNanos(10), "recovery took too long");
      assertEquals("v2", string(await(storage.guaranteedUpdate(PREFIX + "a", false, c -> done(bytes("v2"))))
          .value()));
      eventually(() -> storage.health() == null ? "ok" : null, Duration.ofSeconds(5));
    }
  }

  @Test
  @Tag("slow")
  void afterALongOutageRequestsSucceedSoonAfterEtcdIsBack() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.launch(); EtcdStorage storage = connect(etcd)) {
      Recorder watch = new Recorder();
      storage.watch(PREFIX, storage.currentRevision(), watch);
      await(storage.create(PREFIX + "a", bytes("v1")));
      etcd.stop();
      Thread.sleep(12_000); // long enough for gRPC's own reconnect backoff to pass 5 s
      etcd.start();
      long restarted = System.nanoTime();
      eventually(() -> {
        try {
          return await(storage.get(PREFIX + "a"));
        } catch (Exception e) {
          return null;
        }
      }, Duration.ofSeconds(30));
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);
      assertTrue(took < 3000, "requests failed for " + took + " ms after etcd was back");
      long next = await(storage.create(PREFIX + "b", bytes("v1"))).modRevision();
      assertEquals(next, watch.awaitEvents(2).get(1).revision(), "the watch rode out the outage");
    }
  }

  @Test
  void aWatchResumesAfterARestartWithNoGapAndNoDuplicate() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.launch(); EtcdStorage storage = connect(etcd)) {
      Recorder watch = new Recorder();
      Storage.Watch w = storage.watch(PREFIX, storage.currentRevision(), watch);
      List<Long> written = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        written.add(await(storage.create(PREFIX + "before-" + i, bytes("v"))).modRevision());
      }
      watch.awaitEvents(3);

      etcd.stop();
      etcd.start();
      // Written at once through another client, while the watch is still re-establishing itself.
      try (EtcdStorage writer = connect(etcd)) {
        for (int i = 0; i < 3; i++) {
          written.add(await(writer.create(PREFIX + "after-" + i, bytes("v"))).modRevision());
        }
        written.add(await(writer.guaranteedUpdate(PREFIX + "before-0", false, c -> done(bytes("w")))).modRevision());
        written.add(await(writer.delete(PREFIX + "before-1", c -> {})).modRevision());
      }
      List<WatchEvent> events = watch.awaitEvents(written.size());
      long last = written.get(written.size() - 1);
      w.requestProgress();
      watch.awaitProgress(last);
      assertEquals(written, watch.events().stream().map(WatchEvent::revision).toList());
      assertEquals(List.of(WatchEvent.Type.ADDED, WatchEvent.Type.ADDED, WatchEvent.Type.ADDED,
          WatchEvent.Type.ADDED, WatchEvent.Type.ADDED, WatchEvent.Type.ADDED, WatchEvent.Type.MODIFIED,
          WatchEvent.Type.DELETED), events.stream().map(WatchEvent::type).toList());
      assertNull(watch.error());
    }
  }

  @Test
  void aWatchFailsWithUnavailableWhenEtcdStaysAway() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.launch();
        EtcdStorage storage = EtcdStorage.connect(EtcdStorage.Options.of(List.of(etcd.endpoint()))
            .withRequestTimeout(Duration.ofSeconds(2)).withWatchReconnectTimeout(Duration.ofSeconds(2)))) {
      Recorder watch = new Recorder();
      storage.watch(PREFIX, storage.currentRevision(), watch);
      etcd.stop();
      long start = System.nanoTime();
      assertEquals(StorageException.Code.UNAVAILABLE, watch.awaitError().code());
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(took >= 1900 && took < 8000, "gave up after " + took + " ms");
    }
  }

  @Test
  void progressOfAQuietWatchFollowsWritesElsewhere() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.launch(); EtcdStorage storage = connect(etcd)) {
      Recorder watch = new Recorder();
      Storage.Watch w = storage.watch(PREFIX, storage.currentRevision(), watch);
      long elsewhere = 0;
      for (int i = 0; i < 3; i++) {
        elsewhere = await(storage.create("/registry/others/" + i, bytes("v"))).modRevision();
      }
      w.requestProgress();
      assertTrue(watch.awaitProgress(elsewhere) >= elsewhere);
      assertEquals(List.of(), watch.events());
    }
  }

  @Test
  void progressOfACatchingUpWatchWaitsForItsHistory() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.launch(); EtcdStorage storage = connect(etcd)) {
      long from = storage.currentRevision();
      int n = 300;
      List<java.util.concurrent.CompletionStage<dev.hostplane.apiserver.storage.StoredObject>> writes =
          new ArrayList<>();
      for (int i = 0; i < n; i++) {
        writes.add(storage.create(PREFIX + String.format("k%04d", i), bytes("v" + i)));
      }
      long last = 0;
      for (var write : writes) {
        last = Math.max(last, await(write).modRevision());
      }
      Recorder watch = new Recorder();
      Storage.Watch w = storage.watch(PREFIX, from, watch);
      w.requestProgress(); // at once, while etcd still sends the history
      long reported = watch.awaitProgress(last);
      assertEquals(n, watch.eventsAtProgress(reported), "progress reported before the events it covers");
    }
  }

  @Test
  void compactionByThisOrAnotherClientIsReportedWithItsRevision() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.launch(); EtcdStorage storage = connect(etcd)) {
      long first = await(storage.create(PREFIX + "a", bytes("1"))).modRevision();
      long second = await(storage.guaranteedUpdate(PREFIX + "a", false, c -> done(bytes("2")))).modRevision();
      long third = await(storage.guaranteedUpdate(PREFIX + "a", false, c -> done(bytes("3")))).modRevision();
      await(storage.compact(second));
      assertEquals(second, storage.compactedRevision());
      assertEquals(second, assertFails(StorageException.Code.COMPACTED,
          storage.list(PREFIX, new ListOptions(first, 0, null))).revision());
      Recorder old = new Recorder();
      storage.watch(PREFIX, first, old);
      assertEquals(second, old.awaitError().revision());

      try (EtcdStorage other = connect(etcd)) {
        assertEquals(second, other.compactedRevision(), "learned when connecting");
        await(other.compact(third));
      }
      // This client did not see that compaction: etcd's refusal does not carry the revision, so it is looked up.
      StorageException e = assertFails(StorageException.Code.COMPACTED,
          storage.list(PREFIX, new ListOptions(second, 0, null)));
      assertEquals(third, e.revision());
      assertEquals(third, storage.compactedRevision());
      await(storage.compact(second)); // already compacted: fine
    }
  }

  @Test
  void connectFailsClearlyWhenNoEtcdAnswers() throws Exception {
    EtcdStorage.Options options = EtcdStorage.Options.of(List.of("http://127.0.0.1:1"))
        .withRequestTimeout(Duration.ofMillis(500));
    StorageException e = assertThrows(StorageException.class, () -> EtcdStorage.connect(options));
    assertEquals(StorageException.Code.UNAVAILABLE, e.code());
    assertTrue(e.getMessage().contains("http://127.0.0.1:1"), e.getMessage());
  }

  @Test
  void optionsRefuseWhatCannotWork() {
    for (String bad : List.of("127.0.0.1:2379", "ftp://127.0.0.1:2379", "http://127.0.0.1:2379/path",
        "http://", "http://a b")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> EtcdStorage.Options.of(List.of(bad)), bad);
      assertTrue(e.getMessage().contains("etcd server URL"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class,
        () -> EtcdStorage.Options.of(List.of("http://a:1", "https://b:1")));
    EtcdStorage.Options plain = EtcdStorage.Options.of(List.of("http://a:1"));
    assertThrows(IllegalArgumentException.class, () -> plain.withTls(java.nio.file.Path.of("ca.crt"), null, null));
    EtcdStorage.Options tls = EtcdStorage.Options.of(List.of("https://a:1", "https://b:2"));
    assertThrows(IllegalArgumentException.class, () -> tls.withTls(null, java.nio.file.Path.of("c.crt"), null));
    assertTrue(tls.withTls(null, null, null).tls());
    assertFalse(plain.tls());
  }

  /** Polls {@code probe} until it returns non-null; fails after {@code limit}. */
  private static <T> T eventually(Supplier<T> probe, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      T value = probe.get();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("nothing within " + limit);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void watchEventsCarryTheValuesBeforeAndAfter() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.launch(); EtcdStorage storage = connect(etcd)) {
      Recorder watch = new Recorder();
      storage.watch(PREFIX + "a", storage.currentRevision(), watch);
      await(storage.create(PREFIX + "a", bytes("1")));
      await(storage.guaranteedUpdate(PREFIX + "a", false, c -> done(bytes("2"))));
      long deleted = await(storage.delete(PREFIX + "a", c -> {})).modRevision();
      List<WatchEvent> events = watch.awaitEvents(3);
      assertNull(events.get(0).previous());
      assertEquals("1", string(events.get(1).previous().value()));
      WatchEvent delete = events.get(2);
      assertEquals("2", string(delete.object().value()));
      assertEquals(deleted, delete.object().modRevision());
      assertNotNull(delete.previous());
    }
  }
}

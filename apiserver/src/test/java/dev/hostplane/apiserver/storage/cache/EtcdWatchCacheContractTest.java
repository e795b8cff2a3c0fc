package dev.hostplane.apiserver.storage.cache;

import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageContractTest;
import dev.hostplane.apiserver.storage.etcd.EtcdStorage;
import dev.hostplane.apiserver.testing.EtcdProcess;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The storage contract through the watch cache over a real etcd: what the registry sees on the etcd path. */
class EtcdWatchCacheContractTest extends StorageContractTest {
  private static EtcdProcess etcd;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @BeforeAll
  static void startEtcd() throws Exception {
    etcd = EtcdProcess.launch();
  }

  @AfterAll
  static void stopEtcd() {
    if (etcd != null) {
      etcd.close();
    }
  }

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  @Override
  protected Storage newStorage() throws Exception {
    WatchCache cache = new WatchCache(EtcdStorage.connect(EtcdStorage.Options.of(List.of(etcd.endpoint()))), true,
        WatchCache.Options.DEFAULT.withCapacity(100_000), timer, Runnable::run);
    cache.cache("/registry/");
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!cache.isReady()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("watch cache did not become ready");
      }
      Thread.sleep(5);
    }
    return cache;
  }

  @Override
  protected Storage restart(Storage storage) throws Exception {
    storage.close();
    return newStorage();
  }
}

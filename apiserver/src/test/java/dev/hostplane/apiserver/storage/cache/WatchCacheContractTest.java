package dev.hostplane.apiserver.storage.cache;

import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageContractTest;
import dev.hostplane.apiserver.storage.embedded.EmbeddedStorage;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage contract through the watch cache (over the embedded backend): what the registry sees must not change
 * when a cache sits in between. The cache covers every key the suite writes.
 */
class WatchCacheContractTest extends StorageContractTest {
  @TempDir
  Path dir;

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  @Override
  protected Storage newStorage() throws Exception {
    WatchCache cache = new WatchCache(EmbeddedStorage.open(dir, EmbeddedStorage.Options.DEFAULT), true,
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

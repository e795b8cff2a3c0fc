package dev.hostplane.apiserver.storage;

import dev.hostplane.apiserver.storage.embedded.EmbeddedStorage;
import dev.hostplane.apiserver.storage.etcd.EtcdStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/** Opens the storage backend the configuration names: etcd when its servers are given, else the embedded store. */
public final class StorageFactory {
  private StorageFactory() {}

  /**
   * An open backend and its health probe for the {@code etcd} health check (null when healthy, else why not; never
   * blocks).
   */
  public record Backend(Storage storage, Supplier<String> health) {}

  /**
   * Connects to etcd when {@code etcd} is not null, else opens (recovering) the embedded store in {@code dataDir}.
   * Blocking I/O: call at start-up from a plain thread.
   */
  public static Backend open(Path dataDir, EtcdStorage.Options etcd) throws IOException {
    if (etcd != null) {
      EtcdStorage storage = EtcdStorage.connect(etcd);
      return new Backend(storage, storage::health);
    }
    EmbeddedStorage storage = EmbeddedStorage.open(dataDir, EmbeddedStorage.Options.DEFAULT);
    return new Backend(storage, () -> {
      try {
        storage.currentRevision();
        return null;
      } catch (RuntimeException e) {
        return e.getMessage();
      }
    });
  }
}

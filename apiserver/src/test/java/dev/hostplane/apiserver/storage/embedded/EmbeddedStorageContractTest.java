package dev.hostplane.apiserver.storage.embedded;

import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract against the embedded backend, one temporary directory per test. */
class EmbeddedStorageContractTest extends StorageContractTest {
  @TempDir
  Path dir;

  @Override
  protected Storage newStorage() throws Exception {
    return EmbeddedStorage.open(dir, EmbeddedStorage.Options.DEFAULT);
  }

  @Override
  protected Storage restart(Storage storage) throws Exception {
    storage.close();
    return newStorage();
  }
}

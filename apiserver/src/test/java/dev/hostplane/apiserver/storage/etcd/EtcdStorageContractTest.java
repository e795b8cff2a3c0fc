package dev.hostplane.apiserver.storage.etcd;

import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageContractTest;
import dev.hostplane.apiserver.testing.EtcdProcess;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The storage contract against a real etcd: one etcd for the class, a fresh client per test (each test has its own
 * key prefix). A restart is a new client on the same etcd, as an apiserver restart would be.
 */
class EtcdStorageContractTest extends StorageContractTest {
  private static EtcdProcess etcd;

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

  @Override
  protected Storage newStorage() throws Exception {
    return EtcdStorage.connect(EtcdStorage.Options.of(List.of(etcd.endpoint())));
  }

  @Override
  protected Storage restart(Storage storage) throws Exception {
    storage.close();
    return newStorage();
  }
}

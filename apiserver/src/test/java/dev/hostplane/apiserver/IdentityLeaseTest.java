package dev.hostplane.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.api.Times;
import dev.hostplane.apiserver.controller.ApiServerIdentity;
import dev.hostplane.apiserver.storage.embedded.EmbeddedStorage;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Each replica's identity lease: present and labelled while it runs, deleted when it leaves, collected if it dies. */
@Timeout(60)
class IdentityLeaseTest {
  static final String[] SHORT_LEASES = {"--identity-lease-duration-seconds=2",
      "--identity-lease-renew-interval-seconds=1", "--identity-lease-gc-interval=200ms"};
  static final String LEASES = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases";

  @TempDir
  Path dir;
  EmbeddedStorage storage;
  TestApiServer a;
  TestApiServer b;

  @BeforeEach
  void start() throws Exception {
    storage = EmbeddedStorage.open(dir.resolve("shared"), EmbeddedStorage.Options.DEFAULT);
    a = TestApiServer.start(dir.resolve("a"), storage, SHORT_LEASES);
    b = TestApiServer.start(dir.resolve("b"), storage, SHORT_LEASES);
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    storage.close();
  }

  private JsonNode lease(ApiServerIdentity id) throws Exception {
    return Replicas.getOrNull(a, LEASES + "/" + id.id());
  }

  @Test
  void eachReplicaHoldsAnIdentityLeaseLabelledAsUpstreamDoes() throws Exception {
    ApiServerIdentity ida = a.server().identity();
    ApiServerIdentity idb = b.server().identity();
    assertNotEquals(ida.id(), idb.id(), "replicas on one host get distinct ids");
    Replicas.await(Duration.ofSeconds(5), "both identity leases", () -> lease(ida) != null && lease(idb) != null);

    JsonNode list = TestApiServer.json(b.get(LEASES + "?labelSelector=apiserver.kubernetes.io/identity%3Dkube-apiserver"));
    Set<String> names = new HashSet<>();
    list.path("items").forEach(i -> names.add(i.at("/metadata/name").asText()));
    assertEquals(Set.of(ida.id(), idb.id()), names);

    JsonNode l = lease(ida);
    assertTrue(ida.id().matches("apiserver-[a-z2-7]{26}"), ida.id());
    assertEquals("kube-apiserver", l.at("/metadata/labels/apiserver.kubernetes.io~1identity").asText());
    assertEquals(ApiServerIdentity.localHostname(), l.at("/metadata/labels/kubernetes.io~1hostname").asText());
    assertEquals(ida.holderIdentity(), l.at("/spec/holderIdentity").asText());
    assertTrue(ida.holderIdentity().startsWith(ida.id() + "_"));
    assertEquals(2, l.at("/spec/leaseDurationSeconds").asInt());
    assertTrue(Times.tryParse(l.at("/spec/renewTime").asText()).isPresent(), l.toString());
  }

  @Test
  void renewalsMoveRenewTimeForward() throws Exception {
    ApiServerIdentity ida = a.server().identity();
    Replicas.await(Duration.ofSeconds(5), "the lease", () -> lease(ida) != null);
    String first = lease(ida).at("/spec/renewTime").asText();
    Replicas.await(Duration.ofSeconds(5), "a renewal", () -> !lease(ida).at("/spec/renewTime").asText()
        .equals(first));
  }

  @Test
  void aReplicaThatShutsDownDeletesItsLease() throws Exception {
    ApiServerIdentity ida = a.server().identity();
    ApiServerIdentity idb = b.server().identity();
    Replicas.await(Duration.ofSeconds(5), "both leases", () -> lease(ida) != null && lease(idb) != null);
    b.close();
    assertEquals(null, lease(idb), "deleted on the way out");
    assertNotNull(lease(ida));
  }

  @Test
  void theLeaseOfAKilledReplicaIsCollectedByAnotherOnceExpired() throws Exception {
    ApiServerIdentity ida = a.server().identity();
    ApiServerIdentity idb = b.server().identity();
    Replicas.await(Duration.ofSeconds(5), "both leases", () -> lease(ida) != null && lease(idb) != null);
    b.server().halt();
    assertNotNull(lease(idb), "a killed replica leaves its lease behind");
    Replicas.await(Duration.ofSeconds(8), "the expired lease to be collected", () -> lease(idb) == null);
    assertNotNull(lease(ida), "a live replica's lease is never collected");
  }
}

package dev.hostplane.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.storage.embedded.EmbeddedStorage;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The lease endpoint reconciler: Endpoints and EndpointSlice default/kubernetes list the live replicas. */
@Timeout(60)
class KubernetesEndpointsTest {
  static final String ENDPOINTS = "/api/v1/namespaces/default/endpoints/kubernetes";
  static final String SLICE = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes";

  @TempDir
  Path dir;
  EmbeddedStorage storage;
  final List<TestApiServer> replicas = new ArrayList<>();

  @BeforeEach
  void open() throws Exception {
    storage = EmbeddedStorage.open(dir.resolve("shared"), EmbeddedStorage.Options.DEFAULT);
  }

  @AfterEach
  void stop() {
    replicas.forEach(TestApiServer::close);
    storage.close();
  }

  private TestApiServer replica(String name, String address, String... flags) throws Exception {
    List<String> f = new ArrayList<>(List.of("--advertise-address=" + address, "--advertise-port=6443",
        "--endpoint-reconciler-interval=100ms", "--endpoint-reconciler-lease-ttl=500ms"));
    f.addAll(List.of(flags));
    TestApiServer s = TestApiServer.start(dir.resolve(name), storage, f.toArray(String[]::new));
    replicas.add(s);
    return s;
  }

  private static List<String> addresses(TestApiServer s) throws Exception {
    JsonNode e = Replicas.getOrNull(s, ENDPOINTS);
    List<String> out = new ArrayList<>();
    if (e != null) {
      e.at("/subsets/0/addresses").forEach(a -> out.add(a.path("ip").asText()));
    }
    return out;
  }

  private static void awaitAddresses(TestApiServer s, List<String> want) throws Exception {
    Replicas.await(Duration.ofSeconds(5), "endpoints " + want, () -> addresses(s).equals(want));
  }

  @Test
  void everyLiveAddressIsAnEndpointAndALeavingReplicaIsRemovedAtOnce() throws Exception {
    TestApiServer a = replica("a", "192.0.2.10");
    TestApiServer b = replica("b", "192.0.2.11");
    awaitAddresses(a, List.of("192.0.2.10", "192.0.2.11"));

    JsonNode e = Replicas.getOrNull(b, ENDPOINTS);
    assertEquals(1, e.path("subsets").size());
    assertEquals("https", e.at("/subsets/0/ports/0/name").asText());
    assertEquals(6443, e.at("/subsets/0/ports/0/port").asInt());
    assertEquals("TCP", e.at("/subsets/0/ports/0/protocol").asText());
    assertEquals("true", e.at("/metadata/labels/endpointslice.kubernetes.io~1skip-mirror").asText());
    Replicas.await(Duration.ofSeconds(5), "the slice", () -> Replicas.getOrNull(a, SLICE) != null
        && Replicas.getOrNull(a, SLICE).path("endpoints").size() == 2);
    JsonNode slice = Replicas.getOrNull(a, SLICE);
    assertEquals("IPv4", slice.path("addressType").asText());
    assertEquals("kubernetes", slice.at("/metadata/labels/kubernetes.io~1service-name").asText());
    assertEquals("192.0.2.10", slice.at("/endpoints/0/addresses/0").asText());
    assertEquals("192.0.2.11", slice.at("/endpoints/1/addresses/0").asText());
    assertEquals(true, slice.at("/endpoints/0/conditions/ready").asBoolean());
    assertEquals(e.at("/subsets/0/ports"), slice.path("ports"));

    replicas.remove(b);
    b.close();
    assertEquals(List.of("192.0.2.10"), addresses(a), "removed by the leaving replica itself");
    Replicas.await(Duration.ofSeconds(5), "the slice to follow",
        () -> Replicas.getOrNull(a, SLICE).path("endpoints").size() == 1);
  }

  @Test
  void aKilledReplicaLeavesTheEndpointsOnceItsLeaseExpires() throws Exception {
    TestApiServer a = replica("a", "192.0.2.10");
    TestApiServer b = replica("b", "192.0.2.11");
    awaitAddresses(a, List.of("192.0.2.10", "192.0.2.11"));
    b.server().halt();
    replicas.remove(b);
    awaitAddresses(a, List.of("192.0.2.10"));
  }

  @Test
  void replicasAdvertisingOneAddressMakeOneEndpointThatOutlivesEitherLeaving() throws Exception {
    TestApiServer a = replica("a", "192.0.2.20");
    TestApiServer b = replica("b", "192.0.2.20");
    awaitAddresses(b, List.of("192.0.2.20"));
    replicas.remove(a);
    a.close();
    assertEquals(List.of("192.0.2.20"), addresses(b));
    Thread.sleep(1000); // two lease TTLs: b's own entry keeps the address alive
    assertEquals(List.of("192.0.2.20"), addresses(b));
  }

  @Test
  void unchangedEndpointsAreNotWrittenAgain() throws Exception {
    TestApiServer a = replica("a", "192.0.2.10");
    replica("b", "192.0.2.11");
    awaitAddresses(a, List.of("192.0.2.10", "192.0.2.11"));
    Replicas.await(Duration.ofSeconds(5), "the slice", () -> Replicas.getOrNull(a, SLICE) != null
        && Replicas.getOrNull(a, SLICE).path("endpoints").size() == 2);
    String endpointsRv = Replicas.getOrNull(a, ENDPOINTS).at("/metadata/resourceVersion").asText();
    String sliceRv = Replicas.getOrNull(a, SLICE).at("/metadata/resourceVersion").asText();
    Thread.sleep(800); // eight passes of each replica
    assertEquals(endpointsRv, Replicas.getOrNull(a, ENDPOINTS).at("/metadata/resourceVersion").asText());
    assertEquals(sliceRv, Replicas.getOrNull(a, SLICE).at("/metadata/resourceVersion").asText());
  }

  @Test
  void reconcilerTypeNoneNeverWritesEndpoints() throws Exception {
    TestApiServer a = replica("a", "192.0.2.10", "--endpoint-reconciler-type=none");
    assertNotNull(Replicas.getOrNull(a, "/api/v1/namespaces/default/services/kubernetes"));
    Thread.sleep(500);
    assertNull(Replicas.getOrNull(a, ENDPOINTS));
    assertNull(Replicas.getOrNull(a, SLICE));
  }

  @Test
  void aLoopbackAdvertiseAddressRecordsNoEndpoint() throws Exception {
    TestApiServer a = replica("a", "127.0.0.1");
    Thread.sleep(500);
    assertNull(Replicas.getOrNull(a, ENDPOINTS));
    TestApiServer b = replica("b", "192.0.2.11");
    awaitAddresses(a, List.of("192.0.2.11"));
    assertEquals(List.of("192.0.2.11"), addresses(b));
  }
}

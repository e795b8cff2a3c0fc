package dev.hostplane.apiserver.replicas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.testing.EtcdProcess;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd stops and comes back while two replicas take a stream of writes and 20 watchers follow: no acknowledged write
 * is lost, clients see 503/504 during the outage (never a hang or a 500), and every watcher sees every acknowledged
 * write exactly once, in order, without a 410, once etcd is back, with no apiserver restarted.
 */
@Tag("slow")
class EtcdOutageUnderLoadTest {
  @TempDir
  Path dir;

  @Test
  @Timeout(300)
  void noAcknowledgedWriteIsLostAndWatchersRecover() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.launch();
        TestApiServer a = TestApiServer.start(dir, "--etcd-servers=" + etcd.endpoint());
        TestApiServer b = TestApiServer.start(dir, "--etcd-servers=" + etcd.endpoint())) {
      HttpClient client = a.client();
      List<Integer> ports = new CopyOnWriteArrayList<>(List.of(a.server().port(), b.server().port()));
      long startRv = WatchLoad.rv(TestApiServer.json(a.get(WatchLoad.CONFIGMAPS)));
      WatchLoad.Writer writer = new WatchLoad.Writer(client, ports);
      writer.start();
      List<WatchLoad.Follower> followers = WatchLoad.follow(20, client, ports, startRv);

      Thread.sleep(1500);
      int before = writer.acknowledged.size();
      etcd.stop();
      Thread.sleep(3000);
      assertTrue(a.get("/readyz?verbose").body().contains("[-]etcd failed"), "readyz reports etcd");
      etcd.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (writer.acknowledged.size() < before + 50 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      List<WatchLoad.Write> expected = writer.finish();
      assertTrue(expected.size() >= before + 50, "writes resumed after the outage: " + expected.size());
      assertTrue(writer.unavailable.get() > 0, "the outage was seen as 503/504");

      // Every acknowledged write is stored, as both replicas list it.
      Set<String> acked = new TreeSet<>();
      expected.forEach(w -> acked.add(w.name()));
      for (TestApiServer s : List.of(a, b)) {
        Set<String> stored = new TreeSet<>();
        for (JsonNode item : TestApiServer.json(s.get(WatchLoad.CONFIGMAPS)).path("items")) {
          stored.add(item.at("/metadata/name").asText());
        }
        assertTrue(stored.containsAll(acked), "every acknowledged write is stored");
      }
      int reconnects = WatchLoad.assertEveryFollowerSawExactly(followers, expected, Duration.ofSeconds(60));
      System.out.printf("etcd outage: %d writes, %d answered 503/504, %d watchers, %d reconnects%n",
          expected.size(), writer.unavailable.get(), followers.size(), reconnects);
      assertEquals("ok", a.get("/readyz").body());
    }
  }
}

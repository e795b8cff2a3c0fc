package dev.hostplane.apiserver.replicas;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.testing.EtcdProcess;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas on one etcd are restarted one after another while a stream of writes goes on and 50 watchers follow,
 * each reconnecting to another replica (as through a load balancer) from its last resourceVersion whenever its stream
 * ends. Every watcher must end with every acknowledged write exactly once, in resourceVersion order, without a 410 and
 * without listing again.
 */
@Tag("slow")
class RollingRestartTest {
  private static final int REPLICAS = 3;
  private static final int WATCHERS = 50;

  @TempDir
  Path dir;

  @Test
  @Timeout(300)
  void watchersFollowEveryWriteAcrossARollingRestart() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.launch()) {
      String[] flags = {"--etcd-servers=" + etcd.endpoint(), "--shutdown-watch-termination-grace-period=2s"};
      List<TestApiServer> live = new CopyOnWriteArrayList<>();
      for (int i = 0; i < REPLICAS; i++) {
        live.add(TestApiServer.start(dir, flags)); // one cert dir: every replica serves the same CA's certificate
      }
      HttpClient client = live.get(0).client();
      List<Integer> ports = new CopyOnWriteArrayList<>();
      live.forEach(s -> ports.add(s.server().port()));

      long startRv = WatchLoad.rv(TestApiServer.json(live.get(0).get(WatchLoad.CONFIGMAPS)));
      WatchLoad.Writer writer = new WatchLoad.Writer(client, ports);
      writer.start();
      List<WatchLoad.Follower> followers = WatchLoad.follow(WATCHERS, client, ports, startRv);

      // The rolling restart: each replica in turn ends gracefully and a new one takes its place.
      Thread.sleep(1500);
      for (int i = 0; i < REPLICAS; i++) {
        TestApiServer old = live.remove(0);
        ports.remove(Integer.valueOf(old.server().port()));
        old.close();
        TestApiServer fresh = TestApiServer.start(dir, flags);
        live.add(fresh);
        ports.add(fresh.server().port());
        Thread.sleep(1500);
      }
      List<WatchLoad.Write> expected = writer.finish();
      assertTrue(expected.size() > 50, "writes went on during the restart: " + expected.size());
      int reconnects = WatchLoad.assertEveryFollowerSawExactly(followers, expected, Duration.ofSeconds(60));
      System.out.printf("rolling restart: %d writes (%d retried), %d watchers, %d reconnects%n", expected.size(),
          writer.retries.get(), WATCHERS, reconnects);
      assertTrue(reconnects >= WATCHERS / REPLICAS, "watches moved between replicas: " + reconnects);
      live.forEach(TestApiServer::close);
    }
  }
}

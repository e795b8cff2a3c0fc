package dev.hostplane.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.config.Flags;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
  @Test
  void defaults() {
    BenchOptions o = parse();
    assertEquals(Path.of("/home/u/.kube/config"), o.kubeconfig());
    assertEquals("hostplane-bench", o.namespace());
    assertEquals("hostplane-bench-list", o.listNamespace());
    assertEquals(64, o.concurrency());
    assertEquals(4, o.connections());
    assertEquals(Duration.ofSeconds(10), o.duration());
    assertEquals(10_000, o.objects());
    assertEquals(100, o.watchers());
    assertEquals(500, o.watchEvents());
    assertEquals(1024, o.payloadBytes());
    assertEquals(Set.of(), o.skip());
    assertFalse(o.keep());
    assertEquals(List.of(), o.etcdServers());
    assertFalse(o.hasEtcd());
    assertEquals("/registry/configmaps/", o.configMapRoot());
    assertEquals(4, o.watchConnections());
  }

  @Test
  void phasesRunInTheirOrderAndAnyMayBeSkipped() {
    assertEquals(List.of("etcd", "create", "get", "authz", "list", "cache-memory", "watch", "memory"),
        BenchOptions.PHASES);
    BenchOptions o = parse("--skip=etcd,cache-memory");
    assertFalse(o.runs("etcd"));
    assertFalse(o.runs("cache-memory"));
    assertTrue(o.runs("list"));
  }

  @Test
  void etcdServersAndPrefix() {
    BenchOptions o = parse("--etcd-servers=http://127.0.0.1:2379, http://10.0.0.2:32379", "--etcd-prefix=/kube/");
    assertEquals(List.of(URI.create("http://127.0.0.1:2379"), URI.create("http://10.0.0.2:32379")),
        o.etcdServers());
    assertTrue(o.hasEtcd());
    assertEquals("/kube/configmaps/", o.configMapRoot());
    assertEquals("/registry/configmaps/", parse("--etcd-prefix=/registry").configMapRoot());
  }

  @Test
  void watchConnectionsKeepEveryConnectionBelowTheStreamLimit() {
    // {watchers, --connections, expected connections}
    int[][] cases = {{1, 1, 1}, {90, 1, 1}, {91, 1, 2}, {100, 4, 4}, {360, 4, 4}, {361, 4, 5}, {1000, 4, 12},
        {1000, 20, 20}, {5000, 1, 56}};
    for (int[] c : cases) {
      int n = BenchOptions.watchConnections(c[0], c[1]);
      assertEquals(c[2], n, c[0] + " watchers, --connections=" + c[1]);
      assertTrue((c[0] + n - 1) / n <= BenchOptions.WATCHES_PER_CONNECTION);
    }
    assertEquals(12, parse("--watchers=1000").watchConnections());
  }

  @Test
  void upstreamStyleValues() {
    BenchOptions o = parse("--duration=1s", "--objects=200", "--watchers=5", "--watch-events=20",
        "--skip=get,memory", "--keep", "--namespace=b1");
    assertEquals(Duration.ofSeconds(1), o.duration());
    assertEquals(200, o.objects());
    assertEquals(5, o.watchers());
    assertEquals(20, o.watchEvents());
    assertTrue(o.runs("create"));
    assertFalse(o.runs("get"));
    assertFalse(o.runs("memory"));
    assertTrue(o.keep());
    assertEquals("b1-list", o.listNamespace());
  }

  @Test
  void badValuesNameTheFlag() {
    for (List<String> args : List.of(List.of("--skip=create,lsit"), List.of("--concurrency=0"),
        List.of("--namespace=Bad_Name"), List.of("--duration=0"), List.of("--payload-bytes=-1"),
        List.of("--skip=cache-memry"), List.of("--etcd-servers=https://127.0.0.1:2379"),
        List.of("--etcd-servers=127.0.0.1:2379"), List.of("--etcd-servers=http://127.0.0.1"),
        List.of("--etcd-servers=http://127.0.0.1:2379/v3"), List.of("--etcd-prefix=registry"))) {
      Flags.FlagException e = assertThrows(Flags.FlagException.class, () -> parse(args.toArray(String[]::new)));
      String flag = args.get(0).substring(0, args.get(0).indexOf('='));
      assertTrue(e.getMessage().contains(flag), e.getMessage());
    }
  }

  private static BenchOptions parse(String... args) {
    Flags f = BenchOptions.flags(Map.of(), "/home/u");
    f.parse(List.of(args));
    return BenchOptions.from(f);
  }
}

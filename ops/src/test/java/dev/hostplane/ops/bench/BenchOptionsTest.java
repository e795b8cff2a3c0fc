package dev.hostplane.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.config.Flags;
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
        List.of("--namespace=Bad_Name"), List.of("--duration=0"), List.of("--payload-bytes=-1"))) {
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

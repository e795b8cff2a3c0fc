package dev.hostplane.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.apiserver.testing.EtcdProcess;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.options.GetOption;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The etcd and cache-memory phases against a real etcd (no apiserver: the objects are put directly). */
@Tag("slow")
@Timeout(180)
class EtcdPhasesTest {
  private static final int OBJECTS = 5_000;

  static EtcdProcess etcd;
  static Client client;

  @BeforeAll
  static void start() throws Exception {
    etcd = EtcdProcess.launch();
    client = Client.builder().endpoints(etcd.endpoint()).build();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void putPhaseMeasuresARateAndDeletesItsKeys() throws Exception {
    Context c = context("--duration=1s", "--concurrency=8");

    OptionalDouble rate = EtcdPutPhase.run(c.ctx);
    System.out.println(c.describe());

    assertTrue(rate.isPresent() && rate.getAsDouble() > 0, c.describe());
    assertEquals(List.of(), c.ctx.table().failures());
    assertEquals("etcd", c.ctx.table().rows().get(0).phase());
    assertTrue(c.ctx.table().rows().get(0).metric().startsWith("puts/s"), c.describe());
    assertEquals(0, count("/hostplane-bench/"), c.describe());
  }

  @Test
  void cacheMemoryPhaseMeasuresTheCachedConfigMaps() throws Exception {
    Context c = context("--objects=" + OBJECTS, "--etcd-prefix=/phases-test");
    KV kv = client.getKVClient();
    LoadLoop.Result made = LoadLoop.run(16, Duration.ofMinutes(1), OBJECTS, i -> kv.put(
            ByteSequence.from("/phases-test/configmaps/ns-list/bench-" + i, StandardCharsets.UTF_8),
            ByteSequence.from(c.ctx.configMaps().body("bench-" + i)))
        .thenApply(r -> (String) null));
    assertEquals(OBJECTS, made.ok(), made.firstError());

    CacheMemoryPhase.run(c.ctx);
    System.out.println(c.describe());

    assertEquals(List.of(), c.ctx.table().failures(), c.describe());
    ResultTable.Row heap = c.ctx.table().rows().get(0);
    assertEquals("heap per 10,000 objects", heap.metric());
    double mib = Double.parseDouble(heap.value().replace(" MiB", ""));
    // Every cached value holds a payload of 1,024 bytes: 10,000 of them take at least 9.8 MiB.
    assertTrue(mib > 9.5 && mib < 100, c.describe());
    assertEquals(new ResultTable.Row("cache-memory", "objects cached", Integer.toString(OBJECTS), "",
        ResultTable.Verdict.NONE), c.ctx.table().rows().get(1));
  }

  private static long count(String prefix) throws Exception {
    return client.getKVClient().get(ByteSequence.from(prefix, StandardCharsets.UTF_8),
        GetOption.builder().isPrefix(true).withCountOnly(true).build()).get(30, TimeUnit.SECONDS).getCount();
  }

  private static Context context(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--etcd-servers=" + etcd.endpoint());
    Flags f = BenchOptions.flags(Map.of(), "/home/u");
    f.parse(all);
    BenchOptions o = BenchOptions.from(f);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    RunContext ctx = new RunContext(null, null, o, new ConfigMaps(o.payloadBytes()), null, new ResultTable(),
        new PrintStream(log, true, StandardCharsets.UTF_8));
    return new Context(ctx, log);
  }

  private record Context(RunContext ctx, ByteArrayOutputStream log) {
    String describe() {
      return log.toString(StandardCharsets.UTF_8) + ctx.table().render();
    }
  }
}

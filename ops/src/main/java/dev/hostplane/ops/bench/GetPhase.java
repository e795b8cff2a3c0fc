package dev.hostplane.ops.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Phase "get": GET ConfigMaps picked at random among those the create phase made (or, when it was skipped, those in
 * the namespace; or else a hundred made here), {@code --concurrency} in flight, for {@code --duration}.
 */
final class GetPhase {
  static final double TARGET_PER_SECOND = 10_000;
  private static final int SEED_OBJECTS = 100;

  private GetPhase() {}

  static void run(RunContext ctx, List<String> created) {
    BenchOptions o = ctx.options();
    List<String> names = created.isEmpty() ? ctx.namespaces().configMapNames(o.namespace()) : created;
    if (names.isEmpty()) {
      names = seed(ctx);
    }
    String[] pool = names.toArray(String[]::new);
    ctx.log().println("bench: get: " + o.concurrency() + " in flight over " + pool.length + " objects for "
        + o.duration().toMillis() + " ms");
    LoadLoop.Result r = LoadLoop.run(ctx.client(), o.concurrency(), o.duration(), Long.MAX_VALUE,
        index -> HttpRequest.get(ConfigMaps.object(o.namespace(),
            pool[ThreadLocalRandom.current().nextInt(pool.length)])));
    ctx.log().printf("bench: get: %d reads, %d errors in %.1f s%n", r.ok(), r.errors(), r.seconds());
    ctx.table().add("get", "gets/s", ResultTable.rate(r.perSecond()),
        ">= " + ResultTable.rate(TARGET_PER_SECOND), r.perSecond() >= TARGET_PER_SECOND);
    ctx.table().add("get", "latency p50 / p99", r.latency().p50p99() + " ms");
    ctx.reportErrors("get", r);
  }

  private static List<String> seed(RunContext ctx) {
    String ns = ctx.options().namespace();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < SEED_OBJECTS; i++) {
      names.add("get-" + i);
    }
    LoadLoop.Result r = LoadLoop.run(ctx.client(), ctx.options().concurrency(), Duration.ofMinutes(5),
        names.size(), index -> ctx.configMaps().create(ns, names.get((int) index)));
    if (r.ok() < names.size()) {
      throw new BenchException("cannot create the objects to read: " + r.firstError());
    }
    return names;
  }
}

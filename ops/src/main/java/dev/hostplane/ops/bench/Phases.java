package dev.hostplane.ops.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The order of a run, in one place: namespace, etcd (raw puts, with {@code --etcd-servers}), create (and its ratio
 * to the etcd puts), get, authz (latency added by token authentication and RBAC), list, cache-memory (with {@code --etcd-servers}; it needs the list phase's objects),
 * watch, memory (after the load and again when idle), then cleanup. Blocking: runs on the calling thread.
 */
public final class Phases {
  /** How long the server is left alone before the idle memory sample. */
  static final Duration IDLE_WAIT = Duration.ofSeconds(5);
  static final double TARGET_IDLE_RSS_MIB = 200;

  private Phases() {}

  /**
   * Runs every phase not skipped and returns the figures. Fails with a {@link BenchException} when the run cannot go
   * on (the bench namespaces are still deleted, best effort, unless {@code --keep}).
   */
  public static ResultTable run(ClientConfig config, Http2Client client, BenchOptions options, PrintStream log) {
    ResultTable table = new ResultTable();
    Namespaces namespaces = new Namespaces(client, log);
    RunContext ctx = new RunContext(config, client, options, new ConfigMaps(options.payloadBytes()), namespaces, table,
        log);
    try {
      boolean fresh = namespaces.ensure(options.namespace());
      OptionalDouble putsPerSecond = OptionalDouble.empty();
      if (options.runs("etcd")) {
        putsPerSecond = EtcdPutPhase.run(ctx);
      }
      List<String> created = List.of();
      if (options.runs("create")) {
        CreatePhase.Created c = CreatePhase.run(ctx, fresh);
        created = c.names();
        EtcdPutPhase.compare(table, OptionalDouble.of(c.perSecond()), putsPerSecond);
      }
      if (options.runs("get")) {
        GetPhase.run(ctx, created);
      }
      if (options.runs("authz")) {
        AuthzPhase.run(ctx);
      }
      if (options.runs("list")) {
        ListPhase.run(ctx);
      }
      if (options.runs("cache-memory")) {
        CacheMemoryPhase.run(ctx);
      }
      if (options.runs("watch")) {
        WatchPhase.run(ctx);
      }
      if (options.runs("memory")) {
        memory(ctx);
      }
    } finally {
      if (!options.keep()) {
        namespaces.deleteOwned();
      }
    }
    return table;
  }

  private static void memory(RunContext ctx) {
    MemorySample after = MemorySample.fetch(ctx.client());
    ctx.log().println("bench: memory: waiting " + IDLE_WAIT.toSeconds() + " s for the idle sample");
    Namespaces.sleep(IDLE_WAIT);
    MemorySample idle = MemorySample.fetch(ctx.client());
    ResultTable t = ctx.table();
    String rss = MemorySample.mib(after.rssBytes()) + " / " + MemorySample.mib(idle.rssBytes()) + " MiB";
    if (idle.rssBytes().isPresent()) {
      t.add("memory", "RSS after / idle", rss, "idle < " + ResultTable.rate(TARGET_IDLE_RSS_MIB) + " MiB",
          idle.rssBytes().getAsDouble() < TARGET_IDLE_RSS_MIB * 1024 * 1024);
    } else {
      t.add("memory", "RSS after / idle", idle.note() == null ? "n/a" : "n/a (" + idle.note() + ")");
    }
    String kind = idle.heapKind() == null ? after.heapKind() : idle.heapKind();
    t.add("memory", "go".equals(kind) ? "Go heap in use after / idle" : "heap used after / idle",
        idle.heapBytes().isPresent() || after.heapBytes().isPresent()
            ? MemorySample.mib(after.heapBytes()) + " / " + MemorySample.mib(idle.heapBytes()) + " MiB"
            : "n/a");
  }
}

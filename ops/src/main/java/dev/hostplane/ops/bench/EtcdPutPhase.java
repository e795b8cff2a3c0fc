package dev.hostplane.ops.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Phase "etcd", right before the create phase: what the apiserver's etcd does on its own. Plain jetcd puts (no
 * transaction, no read) of the very bodies the create phase POSTs ({@link ConfigMaps#body}), {@code --concurrency}
 * in flight for {@code --duration}, as the create phase; keys under a prefix of this run
 * ({@code /hostplane-bench/<random>/}), deleted afterwards. {@link #WARMUP} of the same puts comes first, not
 * measured, so that this process's etcd client is compiled and connected.
 *
 * <p>After the create phase, {@link #compare} sets the apiserver's creates/s against these puts/s: the share of
 * etcd's write throughput that clients get through the apiserver, whose create is one etcd transaction (a compare
 * on the key's create revision, then the put) of a larger value, plus decoding, admission, validation and encoding.
 *
 * <p>Threading: blocks the calling thread; puts complete, and the next ones start, on the etcd client's threads.
 */
final class EtcdPutPhase {
  static final double TARGET_RATIO = 0.6;
  static final Duration WARMUP = Duration.ofSeconds(2);
  static final int DELETE_CHUNK = 1000;
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private EtcdPutPhase() {}

  /** Runs the phase; returns the measured puts per second, or empty when it was skipped or failed. */
  static OptionalDouble run(RunContext ctx) {
    BenchOptions o = ctx.options();
    if (!o.hasEtcd()) {
      ctx.log().println("bench: etcd: skipped (no --etcd-servers)");
      ctx.table().add("etcd", "puts/s", "skipped (no --etcd-servers)");
      return OptionalDouble.empty();
    }
    String prefix = "/hostplane-bench/" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "/";
    Client client = Client.builder().endpoints(o.etcdServers().toArray(URI[]::new)).build();
    try {
      KV kv = client.getKVClient();
      ctx.log().println("bench: etcd: warm-up: puts under " + prefix + " for " + WARMUP.toMillis()
          + " ms (not measured)");
      String problem = firstPut(kv, prefix, ctx.configMaps());
      if (problem != null) {
        ctx.table().failure("etcd", "no put to " + o.etcdServers() + " succeeded: " + problem);
        return OptionalDouble.empty();
      }
      LoadLoop.run(o.concurrency(), WARMUP, Long.MAX_VALUE, i -> put(kv, prefix + "warmup-" + i,
          ctx.configMaps().body("bench-warmup-" + i)));

      ctx.log().println("bench: etcd: puts, " + o.concurrency() + " in flight for " + o.duration().toMillis()
          + " ms");
      LoadLoop.Result r = LoadLoop.run(o.concurrency(), o.duration(), Long.MAX_VALUE,
          i -> put(kv, prefix + "bench-" + i, ctx.configMaps().body("bench-" + i)));
      ctx.log().printf("bench: etcd: %d puts, %d errors in %.1f s%n", r.ok(), r.errors(), r.seconds());
      ctx.table().add("etcd", "puts/s (create bodies, " + o.concurrency() + " in flight)",
          ResultTable.rate(r.perSecond()));
      ctx.table().add("etcd", "put latency p50 / p99", r.latency().p50p99() + " ms");
      ctx.reportErrors("etcd", r);
      return r.ok() > 0 ? OptionalDouble.of(r.perSecond()) : OptionalDouble.empty();
    } finally {
      deletePrefix(ctx, client, prefix);
      client.close();
    }
  }

  /**
   * The row after the create phase: creates/s over puts/s, with its target. Nothing when either figure is missing.
   */
  static void compare(ResultTable table, OptionalDouble createsPerSecond, OptionalDouble putsPerSecond) {
    if (createsPerSecond.isEmpty() || putsPerSecond.isEmpty() || putsPerSecond.getAsDouble() <= 0) {
      return;
    }
    double ratio = createsPerSecond.getAsDouble() / putsPerSecond.getAsDouble();
    table.add("create", "create / etcd put ratio", String.format(Locale.ROOT, "%.2f", ratio),
        ">= " + TARGET_RATIO, ratio >= TARGET_RATIO);
  }

  /** One put, as a {@link LoadLoop.Attempt}: completes with null once etcd acknowledged it. */
  private static CompletableFuture<String> put(KV kv, String key, byte[] value) {
    return kv.put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from(value))
        .thenApply(r -> (String) null);
  }

  /** One put, waited for: null when it succeeded, else why not (etcd unreachable, ...). */
  private static String firstPut(KV kv, String prefix, ConfigMaps configMaps) {
    try {
      put(kv, prefix + "first", configMaps.body("bench-first")).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return null;
    } catch (TimeoutException e) {
      return "no answer within " + CALL_TIMEOUT.toSeconds() + " s";
    } catch (ExecutionException e) {
      return Http2Client.describe(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted");
    }
  }

  /**
   * Deletes every key of this run, at most {@link #DELETE_CHUNK} per request. Not one range delete: after a single
   * delete of 150,000 keys, etcd 3.4 spent its time copying its read buffer (grown by that delete) on every later
   * read, and creates through the apiserver fell from about 1,800/s to 150/s until etcd restarted. Chunks stay
   * within what ordinary write batches reach. Best effort: a failure is logged, not thrown.
   */
  private static void deletePrefix(RunContext ctx, Client client, String prefix) {
    KV kv = client.getKVClient();
    ByteSequence from = ByteSequence.from(prefix, StandardCharsets.UTF_8);
    ByteSequence end = ByteSequence.from(prefix.substring(0, prefix.length() - 1)
        + (char) (prefix.charAt(prefix.length() - 1) + 1), StandardCharsets.UTF_8);
    long deleted = 0;
    try {
      while (true) {
        GetResponse page = kv.get(from, GetOption.builder().withRange(end).withKeysOnly(true)
            .withLimit(DELETE_CHUNK).build()).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (page.getKvs().isEmpty()) {
          break;
        }
        ByteSequence after = page.getKvs().get(page.getKvs().size() - 1).getKey()
            .concat(ByteSequence.from(new byte[] {0}));
        deleted += kv.delete(from, DeleteOption.builder().withRange(after).build())
            .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getDeleted();
        if (!page.isMore()) {
          break;
        }
        from = after;
      }
      ctx.log().println("bench: etcd: deleted " + deleted + " keys under " + prefix);
    } catch (ExecutionException | TimeoutException e) {
      ctx.log().println("bench: etcd: could not delete the keys under " + prefix + " (" + deleted + " deleted): "
          + Http2Client.describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ctx.log().println("bench: etcd: interrupted before the keys under " + prefix + " were deleted");
    }
  }

}

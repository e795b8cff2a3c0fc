package dev.hostplane.ops.bench;

import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.ListResult;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import dev.hostplane.apiserver.storage.cache.WatchCache;
import dev.hostplane.apiserver.storage.etcd.EtcdStorage;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Phase "cache-memory", after the list phase (which leaves {@code --objects} 1 KiB ConfigMaps in
 * {@code <namespace>-list}): the heap the apiserver's watch cache takes per 10,000 such objects. Needs
 * {@code --etcd-servers}; without it the phase is skipped with a note.
 *
 * <p>In this process, an {@link EtcdStorage} is connected to the apiserver's etcd and reads
 * {@code <etcd-prefix>/configmaps/} once in the cache's own pages (so the client's buffers and pools have grown to
 * what loading needs, and are not counted). The heap in use is read ({@link HeapGauge}: after full collections,
 * once it stops moving), a {@link WatchCache} over that storage caches the same root (every namespace's ConfigMaps,
 * as the apiserver's cache does), and once it is ready and holds at least {@code --objects} objects the heap is read
 * again.
 *
 * <p>What is measured: the difference of the two readings, scaled to 10,000 objects, which is the cache's own
 * structures: per object the key as a String, a {@code StoredObject} whose value is the stored JSON as a byte[]
 * (the form the apiserver keeps cached objects in; it decodes them when it serves them), and the entry of the
 * cache's sorted map; plus the cache's small fixed part (its backend watch, an empty event window: nothing writes
 * ConfigMaps meanwhile). Not measured: the storage client (connected and warmed before the first reading), this
 * bench's own state (in both readings), and the rest of an apiserver's heap (decoded objects in flight, connections,
 * other resources' caches). The cached values are the apiserver's stored form of the bench's ConfigMaps (the
 * {@code --payload-bytes} payload plus metadata), whose average size is reported beside the figure.
 *
 * <p>Threading: blocks the calling thread; the cache loads on the storage's threads.
 */
final class CacheMemoryPhase {
  static final double TARGET_MIB_PER_10K = 30;
  private static final int PAGE = 10_000;
  private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  private CacheMemoryPhase() {}

  static void run(RunContext ctx) {
    BenchOptions o = ctx.options();
    if (!o.hasEtcd()) {
      ctx.log().println("bench: cache-memory: skipped (no --etcd-servers)");
      ctx.table().add("cache-memory", "heap per 10,000 objects", "skipped (no --etcd-servers)");
      return;
    }
    String root = o.configMapRoot();
    EtcdStorage storage;
    try {
      storage = EtcdStorage.connect(EtcdStorage.Options.of(o.etcdServers().stream().map(Object::toString).toList()));
    } catch (IOException | StorageException | IllegalStateException e) {
      ctx.table().failure("cache-memory", "cannot connect to etcd at " + o.etcdServers() + ": " + e.getMessage());
      return;
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
        new DefaultThreadFactory("bench-cache-timer", true));
    ExecutorService executor = Executors.newSingleThreadExecutor(new DefaultThreadFactory("bench-cache", true));
    try {
      ctx.log().println("bench: cache-memory: reading " + root + " once (not measured)");
      Stored stored = readAll(storage, root);
      HeapGauge gauge = HeapGauge.ofThisProcess();
      HeapGauge.Reading before = gauge.settle();
      WatchCache cache = new WatchCache(storage, false, WatchCache.Options.DEFAULT, timer, executor);
      try {
        cache.cache(root);
        int objects = awaitLoaded(cache, root, o.objects());
        if (objects < 0) {
          ctx.table().failure("cache-memory", "the cache of " + root + " held " + cache.size(root) + " objects "
              + "(ready: " + cache.isReady() + ") after " + LOAD_TIMEOUT.toSeconds() + " s, expected at least "
              + o.objects());
          return;
        }
        HeapGauge.Reading after = gauge.settle();
        report(ctx, before, after, objects, stored);
      } finally {
        cache.close();
      }
    } catch (BenchException e) {
      ctx.table().failure("cache-memory", e.getMessage());
    } finally {
      storage.close();
      timer.shutdownNow();
      executor.shutdownNow();
    }
  }

  /** What the unmeasured read found under the root: objects and the sum of their stored values' sizes. */
  private record Stored(long objects, long valueBytes) {
    long averageValue() {
      return objects == 0 ? 0 : valueBytes / objects;
    }
  }

  private static void report(RunContext ctx, HeapGauge.Reading before, HeapGauge.Reading after, int objects,
      Stored stored) {
    double per10k = HeapGauge.perTenThousand(before.bytes(), after.bytes(), objects);
    double mib = per10k / (1024 * 1024);
    ctx.log().printf("bench: cache-memory: heap %s -> %s MiB with %d objects cached%s%n",
        mib(before.bytes()), mib(after.bytes()), objects,
        before.stable() && after.stable() ? "" : " (the heap did not settle)");
    ctx.table().add("cache-memory", "heap per 10,000 objects", String.format(Locale.ROOT, "%.1f MiB", mib),
        "< " + ResultTable.rate(TARGET_MIB_PER_10K) + " MiB", mib < TARGET_MIB_PER_10K);
    ctx.table().add("cache-memory", "objects cached", Integer.toString(objects));
    ctx.table().add("cache-memory", "heap per object / stored value",
        Math.round(per10k / 10_000) + " / " + stored.averageValue() + " bytes");
    if (!before.stable() || !after.stable()) {
      ctx.table().failure("cache-memory", "the heap did not settle within " + HeapGauge.MAX_ROUNDS
          + " collections; the figure is rough");
    }
  }

  /** Reads every object under {@code root} in pages, as the cache loads them. */
  private static Stored readAll(Storage storage, String root) {
    long count = 0;
    long bytes = 0;
    long revision = 0;
    String start = null;
    while (true) {
      ListResult page = await(storage.list(root, new ListOptions(revision, PAGE, start)).toCompletableFuture(),
          "list " + root);
      for (StoredObject so : page.items()) {
        count++;
        bytes += so.value().length;
      }
      if (!page.more() || page.items().isEmpty()) {
        return new Stored(count, bytes);
      }
      revision = page.revision();
      start = page.items().get(page.items().size() - 1).key() + "\u0000";
    }
  }

  /** Waits until the cache is ready with at least {@code min} objects; returns its size, or -1 after the timeout. */
  private static int awaitLoaded(WatchCache cache, String root, int min) {
    long deadline = System.nanoTime() + LOAD_TIMEOUT.toNanos();
    while (System.nanoTime() - deadline < 0) {
      int size = cache.size(root);
      if (cache.isReady() && size >= min) {
        return size;
      }
      Namespaces.sleep(Duration.ofMillis(50));
    }
    return -1;
  }

  private static <T> T await(CompletableFuture<T> f, String what) {
    try {
      return f.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new BenchException(what + ": no answer from etcd within " + CALL_TIMEOUT.toSeconds() + " s");
    } catch (ExecutionException e) {
      throw new BenchException(what + " failed: " + Http2Client.describe(e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted");
    }
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
  }
}

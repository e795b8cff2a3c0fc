package dev.hostplane.ops.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Phase "watch": {@code --watchers} concurrent watches of the bench namespace's ConfigMaps from the resourceVersion of
 * a list, then {@code --watch-events} merge patches of a few target ConfigMaps at {@code --watch-rate} per second,
 * each stamped with its sequence number and send time. Every watcher must receive every update whose write
 * succeeded; a missing one is a failure. The watches go over connections of their own
 * ({@link BenchOptions#watchConnections()}: enough that none exceeds the server's stream limit), and so do the
 * updates.
 *
 * <p>Targets: delivery p99 below {@link #TARGET_P99_MILLIS} with up to {@link #SMALL_FAN_OUT} watchers, below
 * {@link #TARGET_P99_MILLIS_LARGE} with more (the fan-out target: 1,000 watchers at 200 updates per second).
 *
 * <p>Threading: writes are paced from the calling thread (non-blocking sends); watch events are handled on the
 * client's event loops.
 */
final class WatchPhase {
  static final double TARGET_P99_MILLIS = 50;
  static final double TARGET_P99_MILLIS_LARGE = 100;
  static final int SMALL_FAN_OUT = 100;
  private static final int TARGETS = 10;
  private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration DELIVERY_GRACE = Duration.ofSeconds(10);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private WatchPhase() {}

  /** The delivery p99 target for {@code watchers} concurrent watches, in milliseconds. */
  static double targetP99Millis(int watchers) {
    return watchers > SMALL_FAN_OUT ? TARGET_P99_MILLIS_LARGE : TARGET_P99_MILLIS;
  }

  /** The updates that were acknowledged, and when the first of them was sent ({@link System#nanoTime()}). */
  private record Written(BitSet ok, long firstSentNanos) {}

  static void run(RunContext ctx) {
    BenchOptions o = ctx.options();
    String ns = o.namespace();
    List<String> targets = createTargets(ctx, Math.min(TARGETS, o.watchEvents()));
    String rv = currentResourceVersion(ctx, ns);

    int connections = o.watchConnections();
    ctx.log().println("bench: watch: opening " + o.watchers() + " watches over " + connections
        + " HTTP/2 connections");
    try (Http2Client watchClient = Http2Client.connect(ctx.config(), connections, OPEN_TIMEOUT)) {
      Latencies latencies = new Latencies();
      List<Watcher> watchers = new ArrayList<>();
      List<Exchange> streams = new ArrayList<>();
      HttpRequest watch = HttpRequest.get(ConfigMaps.collection(ns) + "?watch=true&resourceVersion=" + rv);
      for (int i = 0; i < o.watchers(); i++) {
        Watcher w = new Watcher(i, latencies);
        watchers.add(w);
        streams.add(watchClient.exchange(watch, w));
      }
      List<Watcher> open = awaitOpen(ctx, watchers);
      ctx.log().println("bench: watch: " + open.size() + " watches open from resourceVersion " + rv + "; writing "
          + o.watchEvents() + " updates at " + o.watchRate() + "/s");

      Written written;
      // The writer has a connection of its own, as a real writer would: on a connection shared with watches, its
      // responses would queue behind watch events and the figure would measure that queue.
      try (Http2Client writer = Http2Client.connect(ctx.config(), 1, OPEN_TIMEOUT)) {
        written = write(ctx, writer, targets);
      }
      awaitDelivery(open, written.ok(), deliveryGrace(o.watchers(), written.ok().cardinality()));
      for (int i = 0; i < watchers.size(); i++) {
        watchers.get(i).cancelling();
        streams.get(i).cancel();
      }
      report(ctx, latencies, open, written);
    }
  }

  /**
   * How long delivery may go on after the last update was acknowledged: {@link #DELIVERY_GRACE}, plus a second
   * per 100,000 expected deliveries (a large fan-out on a small machine drains a backlog).
   */
  static Duration deliveryGrace(int watchers, int events) {
    return DELIVERY_GRACE.plusSeconds((long) watchers * events / 100_000);
  }

  /** Creates the ConfigMaps the updates go to (a kept run's are reused). */
  private static List<String> createTargets(RunContext ctx, int count) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = "watch-" + i;
      HttpResponse r = ctx.client().call(ctx.configMaps().create(ctx.options().namespace(), name), CALL_TIMEOUT);
      if (!r.ok() && r.status() != 409) {
        throw new BenchException("cannot create ConfigMap " + name + ": " + r.describe());
      }
      names.add(name);
    }
    return names;
  }

  private static String currentResourceVersion(RunContext ctx, String ns) {
    HttpResponse r = ctx.client().call(HttpRequest.get(ConfigMaps.collection(ns) + "?limit=1"), CALL_TIMEOUT);
    if (!r.ok()) {
      throw new BenchException("cannot list configmaps in " + ns + ": " + r.describe());
    }
    String rv = r.json().path("metadata").path("resourceVersion").asText("");
    if (rv.isEmpty()) {
      throw new BenchException("the list of configmaps in " + ns + " has no resourceVersion");
    }
    return rv;
  }

  /** Waits for every watch's response headers; returns those that answered 200, reports the others. */
  private static List<Watcher> awaitOpen(RunContext ctx, List<Watcher> watchers) {
    long deadline = System.nanoTime() + OPEN_TIMEOUT.toNanos();
    List<Watcher> open = new ArrayList<>();
    String firstProblem = null;
    for (Watcher w : watchers) {
      String problem;
      try {
        int status = w.opened().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (status == 200) {
          open.add(w);
          continue;
        }
        problem = "HTTP " + status;
      } catch (java.util.concurrent.TimeoutException e) {
        problem = "no response headers within " + OPEN_TIMEOUT.toSeconds() + " s";
      } catch (java.util.concurrent.ExecutionException e) {
        problem = w.problem() != null ? w.problem() : Http2Client.describe(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchException("interrupted");
      }
      if (firstProblem == null) {
        firstProblem = problem;
      }
    }
    if (open.size() < watchers.size()) {
      ctx.table().failure("watch", (watchers.size() - open.size()) + " of " + watchers.size()
          + " watches could not be opened; first: " + firstProblem);
    }
    return open;
  }

  /**
   * Sends the updates at a steady rate (each stamped just before it is sent) and waits for their responses.
   * Returns the sequence numbers whose writes succeeded.
   */
  private static Written write(RunContext ctx, Http2Client writer, List<String> targets) {
    BenchOptions o = ctx.options();
    long period = 1_000_000_000L / o.watchRate();
    BitSet ok = new BitSet();
    Latencies writes = new Latencies();
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    long start = System.nanoTime();
    for (int seq = 0; seq < o.watchEvents(); seq++) {
      long due = start + seq * period;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      int s = seq;
      long sent = System.nanoTime();
      HttpRequest patch = ConfigMaps.stamp(o.namespace(), targets.get(seq % targets.size()), seq, sent);
      // Thread hop: completions run on an event loop; the BitSet is guarded by its own lock.
      pending.add(writer.send(patch).whenComplete((r, e) -> {
        if (e == null && r.ok()) {
          writes.record(System.nanoTime() - sent);
          synchronized (ok) {
            ok.set(s);
          }
        } else {
          errors.incrementAndGet();
          firstError.compareAndSet(null, e != null ? Http2Client.describe(e) : r.describe());
        }
      }));
    }
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).exceptionally(e -> null)
          .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      long unanswered = pending.stream().filter(f -> !f.isDone()).count();
      ctx.table().failure("watch", unanswered + " of " + o.watchEvents() + " updates were still unanswered "
          + CALL_TIMEOUT.toSeconds() + " s after the last was sent (they count as not written, and their latency "
          + "is not in the figures)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted");
    }
    if (errors.get() > 0) {
      ctx.table().failure("watch", errors.get() + " of " + o.watchEvents() + " updates failed; first: "
          + firstError.get());
    }
    ctx.table().add("watch", "update latency p50 / p99", writes.summary().p50p99() + " ms");
    synchronized (ok) {
      return new Written((BitSet) ok.clone(), start);
    }
  }

  /** Waits until every open watcher has every written event, or a watcher has a problem, or the grace ends. */
  private static void awaitDelivery(List<Watcher> open, BitSet written, Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    while (System.nanoTime() - deadline < 0) {
      boolean all = true;
      for (Watcher w : open) {
        if (w.problem() == null && w.missing(written) > 0) {
          all = false;
          break;
        }
      }
      if (all) {
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  private static void report(RunContext ctx, Latencies latencies, List<Watcher> open, Written w) {
    BitSet written = w.ok();
    int expected = written.cardinality();
    long delivered = 0; // of the acknowledged updates
    long received = 0; // every distinct update, including those acknowledged too late to count as written
    long lastDelivery = w.firstSentNanos();
    long missed = 0;
    long duplicates = 0;
    int watchersMissing = 0;
    Watcher worst = null;
    int worstMissing = 0;
    for (Watcher watcher : open) {
      int m = watcher.missing(written);
      delivered += expected - m;
      received += watcher.received();
      duplicates += watcher.duplicates();
      lastDelivery = Math.max(lastDelivery, watcher.lastReceivedNanos());
      missed += m;
      if (m > 0) {
        watchersMissing++;
        if (m > worstMissing) {
          worst = watcher;
          worstMissing = m;
        }
      }
    }
    Latencies.Summary s = latencies.summary();
    long want = (long) expected * ctx.options().watchers();
    ctx.log().printf("bench: watch: %d of %d events delivered, p50 %s ms, max %s ms%n", delivered, want,
        ResultTable.millis(s.p50Millis()), ResultTable.millis(s.maxMillis()));
    double target = targetP99Millis(ctx.options().watchers());
    ctx.table().add("watch", "delivery p50 / p99 (" + ctx.options().watchers() + " watchers)", s.p50p99() + " ms",
        "p99 < " + ResultTable.millis(target) + " ms", s.p99Millis() < target);
    ctx.table().add("watch", "events delivered", delivered + " / " + want);
    ctx.table().add("watch", "events delivered per second",
        ResultTable.rate(perSecond(received, lastDelivery - w.firstSentNanos())));
    ctx.table().add("watch", "missed events", Long.toString(missed));
    if (missed > 0) {
      String why = worst.problem() == null ? "" : " (" + worst.problem() + ")";
      ctx.table().failure("watch", watchersMissing + " of " + open.size() + " watchers missed " + missed
          + " events in all; watcher " + worst.id() + " missed " + worstMissing + why);
    }
    if (duplicates > 0) {
      ctx.table().failure("watch", duplicates + " events were delivered more than once to the same watcher");
    }
  }

  /** Events per second over {@code nanos} (from the first update's send to the last delivery); 0 when empty. */
  static double perSecond(long events, long nanos) {
    return nanos <= 0 ? 0 : events * 1e9 / nanos;
  }
}

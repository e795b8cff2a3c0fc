package dev.hostplane.ops.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Phase "create": POST ConfigMaps named {@code bench-<n>} into the bench namespace, {@code --concurrency} in flight,
 * for {@code --duration}. When the namespace already holds bench objects (a kept run), numbering continues after
 * them.
 */
final class CreatePhase {
  static final double TARGET_PER_SECOND = 3000;
  private static final Pattern NAME = Pattern.compile("bench-(\\d+)");

  /** What the phase did: the names it created and the measured creates per second. */
  record Created(List<String> names, double perSecond) {
    Created {
      names = List.copyOf(names);
    }
  }

  private CreatePhase() {}

  /** Runs the phase. */
  static Created run(RunContext ctx, boolean namespaceIsNew) {
    BenchOptions o = ctx.options();
    long first = namespaceIsNew ? 0 : nextIndex(ctx.namespaces().configMapNames(o.namespace()));
    Queue<String> created = new ConcurrentLinkedQueue<>();
    if (!o.warmup().isZero()) {
      ctx.log().println("bench: warm-up: creates and gets for " + o.warmup().toMillis() + " ms (not measured)");
      List<String> warm = new ArrayList<>();
      LoadLoop.run(ctx.client(), o.concurrency(), o.warmup().dividedBy(2), Long.MAX_VALUE,
          new LoadLoop.Operation() {
            @Override
            public HttpRequest request(long index) {
              return ctx.configMaps().create(o.namespace(), "bench-warmup-" + index);
            }

            @Override
            public boolean succeeded(long index, HttpResponse response) {
              if (response.ok()) {
                synchronized (warm) {
                  warm.add("bench-warmup-" + index);
                }
              }
              return response.ok();
            }
          });
      if (!warm.isEmpty()) {
        LoadLoop.run(ctx.client(), o.concurrency(), o.warmup().dividedBy(2), Long.MAX_VALUE,
            new LoadLoop.Operation() {
              @Override
              public HttpRequest request(long index) {
                return HttpRequest.get(ConfigMaps.object(o.namespace(), warm.get((int) (index % warm.size()))));
              }

              @Override
              public boolean succeeded(long index, HttpResponse response) {
                return response.ok();
              }
            });
      }
    }
    ctx.log().println("bench: create: " + o.concurrency() + " in flight for " + o.duration().toMillis() + " ms");
    LoadLoop.Result r = LoadLoop.run(ctx.client(), o.concurrency(), o.duration(), Long.MAX_VALUE,
        new LoadLoop.Operation() {
          @Override
          public HttpRequest request(long index) {
            return ctx.configMaps().create(o.namespace(), "bench-" + (first + index));
          }

          @Override
          public boolean succeeded(long index, HttpResponse response) {
            if (response.ok()) {
              created.add("bench-" + (first + index));
            }
            return response.ok();
          }
        });
    ctx.log().printf("bench: create: %d created, %d errors in %.1f s%n", r.ok(), r.errors(), r.seconds());
    ctx.table().add("create", "creates/s", ResultTable.rate(r.perSecond()),
        ">= " + ResultTable.rate(TARGET_PER_SECOND), r.perSecond() >= TARGET_PER_SECOND);
    ctx.table().add("create", "latency p50 / p99", r.latency().p50p99() + " ms");
    ctx.reportErrors("create", r);
    return new Created(new ArrayList<>(created), r.perSecond());
  }

  /** One past the highest {@code bench-<n>} among {@code names}, or 0. */
  static long nextIndex(List<String> names) {
    long next = 0;
    for (String name : names) {
      Matcher m = NAME.matcher(name);
      if (m.matches() && m.group(1).length() < 18) {
        next = Math.max(next, Long.parseLong(m.group(1)) + 1);
      }
    }
    return next;
  }
}

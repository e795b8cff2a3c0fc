package dev.hostplane.ops.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Phase "list": makes sure {@code --objects} ConfigMaps exist in {@code <namespace>-list} (creating the missing ones
 * concurrently), then LISTs them all (no limit, JSON) one request at a time: {@link #WARMUPS} unmeasured, then
 * {@link #MEASURED} measured.
 */
final class ListPhase {
  static final int WARMUPS = 2;
  static final int MEASURED = 20;
  static final double TARGET_P99_MILLIS = 300;
  private static final Duration LIST_TIMEOUT = Duration.ofMinutes(2);
  private static final JsonFactory JSON = new JsonFactory();

  private ListPhase() {}

  static void run(RunContext ctx) {
    BenchOptions o = ctx.options();
    String ns = o.listNamespace();
    boolean fresh = ctx.namespaces().ensure(ns);
    Set<String> existing = fresh ? Set.of() : new HashSet<>(ctx.namespaces().configMapNames(ns));
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < o.objects(); i++) {
      if (!existing.contains("bench-" + i)) {
        missing.add("bench-" + i);
      }
    }
    if (!missing.isEmpty()) {
      ctx.log().println("bench: list: creating " + missing.size() + " objects in " + ns);
      LoadLoop.Result made = LoadLoop.run(ctx.client(), o.concurrency(), Duration.ofHours(1), missing.size(),
          index -> ctx.configMaps().create(ns, missing.get((int) index)));
      ctx.log().printf("bench: list: %d created, %d errors in %.1f s%n", made.ok(), made.errors(), made.seconds());
      ctx.reportErrors("list", made);
    }

    HttpRequest list = HttpRequest.get(ConfigMaps.collection(ns));
    int items = -1;
    for (int i = 0; i < WARMUPS; i++) {
      HttpResponse r = listOnce(ctx, list);
      if (i == 0) {
        items = countItems(r.body());
      }
    }
    Latencies latencies = new Latencies();
    long bytes = 0;
    for (int i = 0; i < MEASURED; i++) {
      long t0 = System.nanoTime();
      bytes = measureOnce(ctx, list);
      latencies.record(System.nanoTime() - t0);
    }
    Latencies.Summary s = latencies.summary();
    ctx.log().printf("bench: list: %d items, %d bytes, p50 %s ms, max %s ms%n", items, bytes,
        ResultTable.millis(s.p50Millis()), ResultTable.millis(s.maxMillis()));
    ctx.table().add("list", "p50 / p99 (" + items + " obj)", s.p50p99() + " ms",
        "p99 < " + ResultTable.millis(TARGET_P99_MILLIS) + " ms", s.p99Millis() < TARGET_P99_MILLIS);
    ctx.table().add("list", "response size", String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0));
    if (items < o.objects()) {
      ctx.table().failure("list", "the list holds " + items + " objects, expected at least " + o.objects());
    }
  }

  private static HttpResponse listOnce(RunContext ctx, HttpRequest list) {
    HttpResponse r = ctx.client().call(list, LIST_TIMEOUT);
    if (!r.ok()) {
      throw new BenchException("LIST " + list.path() + " failed: " + r.describe());
    }
    return r;
  }

  /**
   * One LIST whose body is counted, not kept, so that the client neither copies nor allocates megabytes per
   * request. Returns the body's size.
   */
  private static long measureOnce(RunContext ctx, HttpRequest list) {
    CompletableFuture<Long> size = new CompletableFuture<>();
    Exchange ex = ctx.client().exchange(list, new ResponseListener() {
      private final byte[] start = new byte[4096];
      private int status;
      private long bytes;

      @Override
      public void headers(int status) {
        this.status = status;
      }

      @Override
      public void data(ByteBuf content, long receivedNanos) {
        int keep = (int) Math.min(content.readableBytes(), Math.max(0, start.length - bytes));
        content.getBytes(content.readerIndex(), start, (int) Math.min(bytes, start.length), keep);
        bytes += content.readableBytes();
      }

      @Override
      public void end() {
        if (status == 200) {
          size.complete(bytes);
        } else {
          byte[] body = java.util.Arrays.copyOf(start, (int) Math.min(bytes, start.length));
          size.completeExceptionally(new BenchException("LIST " + list.path() + " failed: "
              + new HttpResponse(status, body).describe()));
        }
      }

      @Override
      public void failed(Throwable cause) {
        size.completeExceptionally(cause);
      }
    });
    try {
      return size.get(LIST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      ex.cancel();
      throw new BenchException("LIST " + list.path() + ": no response within " + LIST_TIMEOUT.toSeconds() + " s");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof BenchException b) {
        throw b;
      }
      throw new BenchException("LIST " + list.path() + " failed: " + Http2Client.describe(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted");
    }
  }

  /** The number of elements of the top-level {@code items} array; -1 if there is none. */
  static int countItems(byte[] listJson) {
    try (JsonParser p = JSON.createParser(listJson)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return -1;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("items") && value == JsonToken.START_ARRAY) {
          int n = 0;
          while (p.nextToken() != JsonToken.END_ARRAY) {
            p.skipChildren();
            n++;
          }
          return n;
        }
        p.skipChildren();
      }
      return -1;
    } catch (IOException e) {
      return -1;
    }
  }
}

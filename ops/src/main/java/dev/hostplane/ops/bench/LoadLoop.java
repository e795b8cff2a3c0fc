package dev.hostplane.ops.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed loop: keeps {@code concurrency} requests in flight, each completion starting the next, until the
 * deadline passes or {@code maxOps} requests were started; then waits for those in flight. Latency is measured
 * from submission to the end of the response. A request that fails below the protocol (reset, closed connection,
 * unreachable etcd) also stops its slot, so a dead server ends the loop quickly instead of spinning.
 *
 * <p>Threading: {@code run} blocks the calling thread (never an event loop or a client's executor); the
 * {@link Operation} or {@link Attempt} is called on the client's threads, concurrently.
 */
public final class LoadLoop {
  /** What each request of the loop is. Called concurrently from event loops: must be thread-safe and quick. */
  public interface Operation {
    HttpRequest request(long index);

    /** Whether {@code response} counts as a success (default: a 2xx status). */
    default boolean succeeded(long index, HttpResponse response) {
      return response.ok();
    }
  }

  /** The outcome of a run. */
  public record Result(long ok, long errors, long elapsedNanos, Latencies.Summary latency, String firstError) {
    public double perSecond() {
      return elapsedNanos == 0 ? 0 : ok * 1e9 / elapsedNanos;
    }

    public double seconds() {
      return elapsedNanos / 1e9;
    }
  }

  /**
   * An operation of any client (HTTP, etcd). The stage of {@link #start} completes with null when the operation
   * succeeded, with a description of the refusal when the server refused it (the loop goes on), and exceptionally
   * when the transport failed (the slot stops). Called concurrently from completion threads: thread-safe and quick.
   */
  public interface Attempt {
    CompletionStage<String> start(long index);
  }

  private LoadLoop() {}

  /** The loop over HTTP requests of {@code client}. */
  public static Result run(Http2Client client, int concurrency, Duration duration, long maxOps,
      Operation operation) {
    return run(concurrency, duration, maxOps, i -> client.send(operation.request(i))
        .thenApply(response -> operation.succeeded(i, response) ? null : response.describe()));
  }

  /** The loop over any asynchronous operation; completions start the next attempt on the thread they run on. */
  public static Result run(int concurrency, Duration duration, long maxOps, Attempt attempt) {
    Latencies latencies = new Latencies();
    AtomicLong issued = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(concurrency);
    long start = System.nanoTime();
    long deadline = start + duration.toNanos();
    AtomicLong lastEnd = new AtomicLong(start);

    class Slot {
      void next() {
        long i = issued.getAndIncrement();
        if (i >= maxOps || System.nanoTime() - deadline >= 0) {
          done.countDown();
          return;
        }
        long t0 = System.nanoTime();
        CompletionStage<String> outcome;
        try {
          outcome = attempt.start(i);
        } catch (RuntimeException e) {
          outcome = CompletableFuture.failedFuture(e);
        }
        // Thread hop: the completion runs on the client's thread (an HTTP connection's event loop, an etcd
        // client's executor), which also starts the next attempt.
        outcome.whenComplete((refusal, failure) -> {
          long t1 = System.nanoTime();
          lastEnd.accumulateAndGet(t1, Math::max);
          if (failure == null && refusal == null) {
            ok.incrementAndGet();
            latencies.record(t1 - t0);
            next();
          } else if (failure == null) {
            errors.incrementAndGet();
            firstError.compareAndSet(null, refusal);
            next();
          } else {
            errors.incrementAndGet();
            firstError.compareAndSet(null, Http2Client.describe(failure));
            done.countDown();
          }
        });
      }
    }
    for (int i = 0; i < concurrency; i++) {
      new Slot().next();
    }
    try {
      if (!done.await(duration.toMillis() + 120_000, TimeUnit.MILLISECONDS)) {
        throw new BenchException("requests still in flight two minutes after the phase ended");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted");
    }
    return new Result(ok.get(), errors.get(), lastEnd.get() - start, latencies.summary(), firstError.get());
  }
}

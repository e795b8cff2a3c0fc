package dev.hostplane.apiserver.registry;

import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.storage.Storage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** resourceVersion parsing and the "not older than" wait, as upstream. */
public final class ResourceVersions {
  /** How long a read that asks for a revision newer than the store's waits before giving up (upstream: 3 s). */
  static final long WAIT_MILLIS = 3000;
  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "resource-version-wait");
    t.setDaemon(true);
    return t;
  });

  private ResourceVersions() {}

  /** Parses a client-given resourceVersion; 0 for unset or "0". Not a non-negative integer -> 400. */
  public static long parseMinimum(String rv) {
    if (rv == null || rv.isEmpty()) {
      return 0;
    }
    try {
      long v = Long.parseLong(rv);
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid resource version \"" + rv + "\": must be a non-negative integer");
    }
  }

  /**
   * Completes once the store has reached {@code revision} (at once in the common case); after
   * {@link #WAIT_MILLIS} fails with 504 "Too large resource version". The wait polls on a timer thread.
   */
  public static CompletionStage<Void> awaitRevision(Storage storage, long revision) {
    if (revision <= 0 || storage.currentRevision() >= revision) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    check(storage, revision, deadline, done);
    return done;
  }

  /**
   * Reads the store's revision (a round trip for a remote store, which may have moved on through another replica)
   * and completes, fails, or checks again shortly.
   */
  private static void check(Storage storage, long revision, long deadline, CompletableFuture<Void> done) {
    storage.readCurrentRevision().whenComplete((current, err) -> {
      if (err != null) {
        done.completeExceptionally(err);
      } else if (current >= revision) {
        done.complete(null);
      } else if (System.nanoTime() > deadline) {
        done.completeExceptionally(tooLarge(revision, current));
      } else {
        // Thread hop: the next check runs on the timer thread.
        TIMER.schedule(() -> check(storage, revision, deadline, done), 20, TimeUnit.MILLISECONDS);
      }
    });
  }

  static ApiException tooLarge(long current) {
    return tooLarge(-1, current);
  }

  static ApiException tooLarge(long requested, long current) {
    String msg = requested > 0
        ? "Too large resource version: " + requested + ", current: " + current
        : "Too large resource version, current: " + current;
    return new ApiException(Status.of(504, "Timeout", msg)
        .withCause(new Status.Cause("ResourceVersionTooLarge", "Too large resource version", null))
        .withRetryAfter(1));
  }
}

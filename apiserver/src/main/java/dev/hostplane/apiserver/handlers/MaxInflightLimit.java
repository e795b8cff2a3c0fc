package dev.hostplane.apiserver.handlers;

import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.filter.RequestInfo;
import dev.hostplane.apiserver.metrics.ApiMetrics;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Upstream's max-in-flight filter: at most {@link RequestLimits#maxRequestsInflight()} read-only and
 * {@link RequestLimits#maxMutatingRequestsInflight()} mutating requests are served at once; beyond that a request
 * gets 429 TooManyRequests with {@code Retry-After: 1}. Long-running requests and the health probes are not
 * counted; members of {@code system:masters} are served even over the limit (they are counted as dropped, as
 * upstream does, but get their answer).
 *
 * <p>Thread-safe.
 */
final class MaxInflightLimit {
  static final String MESSAGE = "Too many requests, please try again later.";

  private final int maxReadOnly;
  private final int maxMutating;
  private final ApiMetrics metrics;
  private final AtomicInteger readOnly = new AtomicInteger();
  private final AtomicInteger mutating = new AtomicInteger();

  MaxInflightLimit(RequestLimits limits, ApiMetrics metrics) {
    this.maxReadOnly = limits.maxRequestsInflight();
    this.maxMutating = limits.maxMutatingRequestsInflight();
    this.metrics = metrics;
  }

  /**
   * Takes a slot for the request, or fails with 429. Returns the release to run once the request is answered (a
   * no-op for requests that take no slot).
   */
  Runnable acquire(RequestInfo info, UserInfo user) {
    if (ApiHandler.longRunning(info) || isProbe(info)) {
      return () -> {};
    }
    boolean isMutating = isMutating(info.verb());
    int max = isMutating ? maxMutating : maxReadOnly;
    if (max == 0) {
      return () -> {};
    }
    AtomicInteger counter = isMutating ? mutating : readOnly;
    int now = counter.incrementAndGet();
    if (now > max) {
      metrics.droppedRequest(isMutating);
      if (!user.inGroup("system:masters")) {
        counter.decrementAndGet();
        throw ApiException.tooManyRequests(MESSAGE, 1);
      }
    }
    java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        counter.decrementAndGet();
      }
    };
  }

  /** Requests holding a slot now (read-only, mutating); for tests. */
  int[] inUse() {
    return new int[] {readOnly.get(), mutating.get()};
  }

  /** Upstream: every verb but get, list and watch mutates (non-resource requests use the lower-case method). */
  static boolean isMutating(String verb) {
    return !(verb.equals("get") || verb.equals("list") || verb.equals("watch") || verb.equals("head"));
  }

  private static boolean isProbe(RequestInfo info) {
    if (info.resourceRequest()) {
      return false;
    }
    String path = info.path();
    for (String p : new String[] {"/healthz", "/livez", "/readyz"}) {
      if (path.equals(p) || path.startsWith(p + "/")) {
        return true;
      }
    }
    return false;
  }
}

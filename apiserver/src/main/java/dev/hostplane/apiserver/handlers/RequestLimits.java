package dev.hostplane.apiserver.handlers;

import java.time.Duration;
import java.util.Objects;

/**
 * How much work the server accepts at once, and how long a request may take: upstream's
 * {@code --max-requests-inflight}, {@code --max-mutating-requests-inflight} and {@code --request-timeout}.
 *
 * @param maxRequestsInflight read-only requests (get, list and non-resource reads) served at once; 0 means no
 *     limit. Long-running requests (watches, streams) do not count.
 * @param maxMutatingRequestsInflight mutating requests served at once; 0 means no limit
 * @param requestTimeout the longest a non-long-running request may take before it is answered 504 Timeout; a
 *     request's {@code ?timeout=} may shorten it, never lengthen it
 */
public record RequestLimits(int maxRequestsInflight, int maxMutatingRequestsInflight, Duration requestTimeout) {
  public static final RequestLimits DEFAULT = new RequestLimits(400, 200, Duration.ofMinutes(1));

  public RequestLimits {
    if (maxRequestsInflight < 0 || maxMutatingRequestsInflight < 0) {
      throw new IllegalArgumentException("in-flight limits must be 0 (no limit) or positive, got "
          + maxRequestsInflight + " and " + maxMutatingRequestsInflight);
    }
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
    }
  }
}

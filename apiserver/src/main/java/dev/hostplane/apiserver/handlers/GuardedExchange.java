package dev.hostplane.apiserver.handlers;

import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.server.HttpExchange;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exchange the request chain answers through once limits apply: the first answer wins, whether it is the
 * handler's or the deadline's 504 Timeout (a later one is dropped, as upstream's timeout filter drops the
 * handler's late write); the in-flight slot is released when the handler answers, even after a timeout, so that
 * work still running inside the server keeps counting against the limit.
 *
 * <p>Thread-safe: the handler and the deadline timer may race.
 */
final class GuardedExchange extends ForwardingExchange {
  private static final Logger LOG = LoggerFactory.getLogger(GuardedExchange.class);
  static final String TIMEOUT_MESSAGE =
      "Timeout: request did not complete within requested timeout - context deadline exceeded";

  /** One timer for every server in the process: a 100 ms wheel, cheap to arm and cancel per request. */
  private static final HashedWheelTimer DEADLINES = new HashedWheelTimer(
      new DefaultThreadFactory("request-deadlines", true), 100, TimeUnit.MILLISECONDS, 512);

  private final AtomicBoolean answered = new AtomicBoolean();
  private volatile Runnable release = () -> {};
  private volatile Timeout deadline;

  GuardedExchange(HttpExchange delegate) {
    super(delegate);
  }

  /** Runs {@code r} when the handler answers (once). */
  void releaseOnAnswer(Runnable r) {
    this.release = r;
  }

  /** Answers 504 Timeout if the handler has not answered within {@code timeout}. */
  void deadline(Duration timeout) {
    Timeout t = DEADLINES.newTimeout(x -> expire(timeout), Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    deadline = t;
    if (answered.get()) {
      t.cancel(); // answered while arming
    }
  }

  private void expire(Duration timeout) {
    // Thread hop: runs on the deadline timer's thread; the exchange queues the write onto the event loop.
    if (answered.compareAndSet(false, true)) {
      LOG.debug("{} {} timed out after {}", method(), uri(), timeout);
      Status s = Status.of(504, "Timeout", TIMEOUT_MESSAGE);
      delegate.respond(504, Map.of("Content-Type", "application/json"), Codecs.writeJson(s.toJson()));
    }
  }

  private boolean claim() {
    release.run();
    Timeout t = deadline;
    if (t != null) {
      t.cancel();
    }
    return answered.compareAndSet(false, true);
  }

  @Override
  public void respond(int status, Map<String, String> headers, byte[] body) {
    if (claim()) {
      delegate.respond(status, headers, body);
    } else {
      LOG.debug("dropping the late answer ({}) to {} {}: it was answered at its deadline", status, method(), uri());
    }
  }

  @Override
  public ResponseStream startStream(int status, Map<String, String> headers) {
    if (claim()) {
      return delegate.startStream(status, headers);
    }
    return CLOSED;
  }

  @Override
  public java.util.concurrent.CompletableFuture<io.netty.channel.Channel> upgrade(Map<String, String> headers,
      io.netty.channel.ChannelHandler handler) {
    if (claim()) {
      return delegate.upgrade(headers, handler);
    }
    return java.util.concurrent.CompletableFuture.failedFuture(
        new IllegalStateException("answered at its deadline"));
  }

  /** What a late streamed answer writes to: nothing. */
  private static final ResponseStream CLOSED = new ResponseStream() {
    @Override
    public boolean write(byte[] chunk) {
      return false;
    }

    @Override
    public void onWritable(Runnable callback) {}

    @Override
    public boolean isOpen() {
      return false;
    }

    @Override
    public void end() {}
  };
}

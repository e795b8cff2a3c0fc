package dev.hostplane.apiserver.handlers;

import dev.hostplane.apiserver.server.HttpExchange;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An admitted exchange: reports its answer once (to {@link InflightRequests}), and answers with
 * {@code Connection: close} when {@link #goAwayAfterResponse()} was called (HTTP/1.1 closes after the response,
 * HTTP/2 sends GOAWAY). Only complete responses carry it: a streamed one (a watch) never does.
 */
final class ServingExchange extends ForwardingExchange {
  private final Runnable onAnswered;
  private final AtomicBoolean answered = new AtomicBoolean();
  private volatile boolean goAway;

  ServingExchange(HttpExchange delegate, Runnable onAnswered) {
    super(delegate);
    this.onAnswered = onAnswered;
  }

  /** Ends the connection after this request's (complete) response. */
  void goAwayAfterResponse() {
    goAway = true;
  }

  boolean goesAway() {
    return goAway;
  }

  @Override
  public void respond(int status, Map<String, String> headers, byte[] body) {
    Map<String, String> h = headers;
    if (goAway) {
      h = new LinkedHashMap<>(headers);
      h.put("Connection", "close");
    }
    try {
      delegate.respond(status, h, body);
    } finally {
      answer();
    }
  }

  @Override
  public ResponseStream startStream(int status, Map<String, String> headers) {
    try {
      return delegate.startStream(status, headers);
    } finally {
      answer();
    }
  }

  @Override
  public java.util.concurrent.CompletableFuture<io.netty.channel.Channel> upgrade(Map<String, String> headers,
      io.netty.channel.ChannelHandler handler) {
    try {
      return delegate.upgrade(headers, handler);
    } finally {
      answer();
    }
  }

  private void answer() {
    if (answered.compareAndSet(false, true)) {
      onAnswered.run();
    }
  }
}

package dev.hostplane.apiserver.handlers;

import dev.hostplane.apiserver.metrics.ApiMetrics;
import dev.hostplane.apiserver.server.HttpExchange;
import java.util.Map;

/** An exchange that records its response code and latency in {@link ApiMetrics} when answered. */
final class MeteredExchange extends ForwardingExchange {
  private volatile ApiMetrics.Inflight inflight;

  MeteredExchange(HttpExchange delegate) {
    super(delegate);
  }

  /** Starts metering; before this (an unparseable request) nothing is recorded. */
  void begin(ApiMetrics.Inflight i) {
    this.inflight = i;
  }

  @Override
  public void respond(int status, Map<String, String> headers, byte[] body) {
    ApiMetrics.Inflight i = inflight;
    if (i != null) {
      i.responded(status, false);
    }
    delegate.respond(status, headers, body);
  }

  @Override
  public ResponseStream startStream(int status, Map<String, String> headers) {
    ApiMetrics.Inflight i = inflight;
    if (i != null) {
      i.responded(status, true);
      delegate.onClose(i::closed);
    }
    return delegate.startStream(status, headers);
  }

  @Override
  public java.util.concurrent.CompletableFuture<io.netty.channel.Channel> upgrade(Map<String, String> headers,
      io.netty.channel.ChannelHandler handler) {
    ApiMetrics.Inflight i = inflight;
    if (i != null) {
      i.responded(101, true);
      delegate.onClose(i::closed);
    }
    return delegate.upgrade(headers, handler);
  }
}

package dev.hostplane.apiserver.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request with its whole body (at most {@code --max-request-body-bytes}; larger bodies are refused with
 * 413 before this exists), and the means to answer it, identical for HTTP/1.1 and HTTP/2.
 *
 * <p>Threading: the methods may be called from any thread; writes are queued onto the connection's event loop.
 * Exactly one of {@link #respond}, {@link #startStream} or {@link #upgrade} is called per exchange.
 */
public interface HttpExchange {
  /** Upper-case method, e.g. {@code GET}. */
  String method();

  /** The raw request target: path plus query, still percent-encoded. */
  String uri();

  /** The first value of a header (case-insensitive name), or null. */
  String header(String name);

  /** Every value of a header, in order; empty when absent. */
  List<String> headers(String name);

  /** The names of the request's headers, each once, as the client sent them (any case). */
  List<String> headerNames();

  /** The request body; empty (never null) when there was none. */
  byte[] body();

  /** The verified client certificate chain, leaf first; empty when the client sent none. */
  List<X509Certificate> peerCertificates();

  InetSocketAddress remoteAddress();

  /** {@code HTTP/1.1} or {@code HTTP/2.0}. */
  String protocol();

  /** Sends a complete response. {@code headers} may be empty; Content-Length is set from {@code body}. */
  void respond(int status, Map<String, String> headers, byte[] body);

  /**
   * Starts a streamed response (chunked on HTTP/1.1, DATA frames on HTTP/2) for watches and logs; the request is
   * long-running and not subject to the request timeout.
   */
  ResponseStream startStream(int status, Map<String, String> headers);

  /** True when {@link #upgrade} is possible: an HTTP/1.1 connection (HTTP/2 has no Upgrade). */
  default boolean canUpgrade() {
    return false;
  }

  /**
   * Answers {@code 101 Switching Protocols} with {@code headers} (the caller gives {@code Connection} and
   * {@code Upgrade}) and hands the raw connection over: once the 101 is written, the HTTP handlers (codec,
   * aggregator, timeouts) leave the pipeline and {@code handler} is added at its end, where it receives every byte
   * that follows, including any the HTTP codec had read already. The connection is the caller's from then on; it
   * stays open until either side closes it (server shutdown closes it at the end of the grace period). The
   * future completes with the channel once {@code handler} is in place, or fails when the client went away first
   * or the exchange cannot upgrade ({@link #canUpgrade}).
   */
  default java.util.concurrent.CompletableFuture<Channel> upgrade(Map<String, String> headers,
      ChannelHandler handler) {
    return java.util.concurrent.CompletableFuture.failedFuture(
        new UnsupportedOperationException("only an HTTP/1.1 exchange can be upgraded"));
  }

  /** Runs {@code callback} once, on any thread, when the client goes away or the stream ends. */
  void onClose(Runnable callback);

  /** A streamed response body. */
  interface ResponseStream {
    /**
     * Queues {@code chunk} and flushes. Returns false when the connection's outbound buffer is above its high
     * water mark: the caller should stop writing until {@link #onWritable} fires (or end a watcher that is too
     * slow).
     */
    boolean write(byte[] chunk);

    /** Runs {@code callback} (once) when the outbound buffer drains below its low water mark. */
    void onWritable(Runnable callback);

    /** True while the client is connected and the stream has not ended. */
    boolean isOpen();

    /** Ends the response cleanly (last chunk / END_STREAM). Idempotent. */
    void end();
  }
}

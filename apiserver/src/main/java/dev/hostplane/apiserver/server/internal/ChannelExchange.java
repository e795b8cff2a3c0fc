package dev.hostplane.apiserver.server.internal;

import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.server.HttpExchange;
import dev.hostplane.apiserver.server.HttpHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link HttpExchange} over a Netty channel: the HTTP/1.1 connection, or the HTTP/2 stream's child channel. The
 * response methods may be called from any thread; they hop onto the channel's event loop through one
 * {@link OrderedLoopExecutor}, so writes keep their order. A second {@code respond}/{@code startStream} is ignored
 * with a log line.
 */
final class ChannelExchange implements HttpExchange {
  private static final Logger log = LoggerFactory.getLogger(ChannelExchange.class);
  private static final byte[] EMPTY = new byte[0];

  /** The connection (HTTP/1.1) or stream (HTTP/2) handler that owns this exchange. Called on the event loop. */
  interface Owner {
    /** Whether the connection stays open after this response; HTTP/1.1 only (HTTP/2 ignores it). */
    boolean keepAlive(ChannelExchange exchange);

    /** The response has been written completely (or failed); {@code keepAlive} false means close. */
    void completed(ChannelExchange exchange, boolean keepAlive);
  }

  private enum Phase { NEW, RESPONDED, STREAMING, UPGRADED }

  private final Channel channel;
  private final HttpRequest head;
  private final byte[] body;
  private final ConnectionInfo connection;
  private final Owner owner;
  private final OrderedLoopExecutor loop;
  private final boolean http1;
  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.NEW);
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private volatile ChannelResponseStream stream;

  ChannelExchange(Channel channel, HttpRequest head, byte[] body, ConnectionInfo connection, Owner owner) {
    this.channel = channel;
    this.head = head;
    this.body = body;
    this.connection = connection;
    this.owner = owner;
    this.loop = new OrderedLoopExecutor(channel.eventLoop());
    this.http1 = ConnectionInfo.HTTP_1_1.equals(connection.protocol());
  }

  /**
   * Calls the application. On the event loop. An escaped exception is answered as its {@link Status} (an
   * {@link ApiException}) or a 500 InternalError, logged, and never written to the client.
   */
  void dispatch(HttpHandler handler) {
    try {
      handler.handle(this);
    } catch (ApiException e) {
      fail(e.status());
    } catch (Throwable t) {
      log.error("handler failed on {} {}", head.method(), head.uri(), t);
      fail(StatusResponses.internalError());
      if (t instanceof VirtualMachineError) {
        throw (VirtualMachineError) t;
      }
    }
  }

  /** Answers with {@code status} unless a response has begun; a started stream is cut off instead. */
  private void fail(Status status) {
    if (phase.get() == Phase.NEW) {
      respond(status.code(), Map.of(HttpHeaderNames.CONTENT_TYPE.toString(), "application/json"),
          StatusResponses.json(status));
    } else if (phase.get() == Phase.STREAMING) {
      ChannelResponseStream s = stream;
      loop.execute(() -> s.abort()); // thread hop: no-op when already on the loop with nothing queued
    }
  }

  @Override
  public String method() {
    return head.method().name();
  }

  @Override
  public String uri() {
    return head.uri();
  }

  @Override
  public String header(String name) {
    return head.headers().get(name);
  }

  @Override
  public List<String> headers(String name) {
    return head.headers().getAll(name);
  }

  @Override
  public List<String> headerNames() {
    return List.copyOf(head.headers().names());
  }

  @Override
  public byte[] body() {
    return body;
  }

  @Override
  public List<X509Certificate> peerCertificates() {
    return connection.peerCertificates();
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return connection.remoteAddress();
  }

  @Override
  public String protocol() {
    return connection.protocol();
  }

  HttpRequest head() {
    return head;
  }

  Channel channel() {
    return channel;
  }

  boolean isHttp1() {
    return http1;
  }

  @Override
  public void respond(int status, Map<String, String> headers, byte[] body) {
    if (!phase.compareAndSet(Phase.NEW, Phase.RESPONDED)) {
      log.warn("ignoring a second response ({}) to {} {}: it was already answered", status, method(), uri());
      return;
    }
    byte[] payload = body == null ? EMPTY : body;
    Map<String, String> copy = Map.copyOf(headers);
    loop.execute(() -> writeFull(status, copy, payload)); // thread hop: any thread -> event loop
  }

  @Override
  public ResponseStream startStream(int status, Map<String, String> headers) {
    if (!phase.compareAndSet(Phase.NEW, Phase.STREAMING)) {
      log.warn("ignoring startStream({}) on {} {}: it was already answered", status, method(), uri());
      return ChannelResponseStream.ENDED;
    }
    ChannelResponseStream s = new ChannelResponseStream(this, loop);
    stream = s;
    Map<String, String> copy = Map.copyOf(headers);
    loop.execute(() -> s.writeHead(status, copy)); // thread hop: any thread -> event loop
    return s;
  }

  @Override
  public boolean canUpgrade() {
    return http1;
  }

  @Override
  public CompletableFuture<Channel> upgrade(Map<String, String> headers, io.netty.channel.ChannelHandler handler) {
    if (!http1) {
      return HttpExchange.super.upgrade(headers, handler);
    }
    if (!phase.compareAndSet(Phase.NEW, Phase.UPGRADED)) {
      log.warn("ignoring upgrade of {} {}: it was already answered", method(), uri());
      return CompletableFuture.failedFuture(new IllegalStateException("the exchange was already answered"));
    }
    CompletableFuture<Channel> result = new CompletableFuture<>();
    Map<String, String> copy = Map.copyOf(headers);
    loop.execute(() -> writeUpgrade(copy, handler, result)); // thread hop: any thread -> event loop
    return result;
  }

  /** Event loop: writes the 101, then swaps the HTTP handlers for {@code handler}. */
  private void writeUpgrade(Map<String, String> headers, io.netty.channel.ChannelHandler handler,
      CompletableFuture<Channel> result) {
    if (!channel.isActive()) {
      result.completeExceptionally(new java.nio.channels.ClosedChannelException());
      return;
    }
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS,
        Unpooled.EMPTY_BUFFER);
    headers.forEach((k, v) -> res.headers().set(k, v));
    channel.writeAndFlush(res).addListener(f -> {
      if (!f.isSuccess()) {
        channel.close();
        result.completeExceptionally(f.cause());
        return;
      }
      try {
        io.netty.channel.ChannelPipeline p = channel.pipeline();
        // The connection no longer takes requests: shutdown leaves it to the end of the grace period.
        channel.attr(ServerConnection.KEY).set(() -> { });
        channel.closeFuture().addListener(c -> closed.complete(null));
        p.addLast("upgraded", handler);
        for (String name : UPGRADE_REMOVES) {
          if (p.get(name) != null) {
            p.remove(name);
          }
        }
        // Last: the codec hands the bytes it holds to the next handler, which is now the caller's.
        p.remove("http1-codec");
        channel.config().setAutoRead(true);
        result.complete(channel);
      } catch (RuntimeException e) {
        log.warn("upgrade of {} {} failed", method(), uri(), e);
        channel.close();
        result.completeExceptionally(e);
      }
    });
  }

  /** The HTTP/1.1 handlers that leave the pipeline on upgrade (see {@code ProtocolNegotiator}), before the codec. */
  private static final List<String> UPGRADE_REMOVES = List.of("http1-timeouts", "gzip", "aggregator", "http1");

  @Override
  public void onClose(Runnable callback) {
    closed.whenComplete((v, e) -> {
      try {
        callback.run();
      } catch (RuntimeException ex) {
        log.warn("onClose callback failed for {} {}", method(), uri(), ex);
      }
    });
  }

  /** The channel went inactive (client gone, stream reset, connection closed). Event loop. */
  void channelClosed() {
    ChannelResponseStream s = stream;
    if (s != null) {
      s.closed();
    }
    closed.complete(null);
  }

  /** The channel's writability changed. Event loop. */
  void writabilityChanged() {
    ChannelResponseStream s = stream;
    if (s != null) {
      s.maybeFireWritable();
    }
  }

  /**
   * The last byte has been handed to the channel; {@code keepAlive} false ends the connection (HTTP/1.1: the write
   * failed or the response said so; HTTP/2: the response said so). Event loop.
   */
  void finish(boolean keepAlive) {
    ChannelResponseStream s = stream;
    if (s != null) {
      s.closed();
    }
    try {
      owner.completed(this, keepAlive);
    } finally {
      closed.complete(null);
    }
  }

  /**
   * Applies the response headers and the Connection header; returns whether the connection is kept alive. A
   * {@code Connection: close} from the application ends the connection after this response: HTTP/1.1 closes it,
   * HTTP/2 (where the header is not allowed, RFC 9113 §8.2.2) drops the header and sends GOAWAY, as Go's server
   * does. Event loop.
   */
  boolean prepareHead(HttpResponse res, Map<String, String> headers) {
    HttpHeaders h = res.headers();
    for (Map.Entry<String, String> e : headers.entrySet()) {
      h.set(e.getKey(), e.getValue());
    }
    if (!http1) {
      boolean close = HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(h.get(HttpHeaderNames.CONNECTION, ""));
      h.remove(HttpHeaderNames.CONNECTION);
      return !close;
    }
    boolean keepAlive = owner.keepAlive(this)
        && !HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(h.get(HttpHeaderNames.CONNECTION, ""));
    if (!keepAlive) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (head.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return keepAlive;
  }

  private void writeFull(int status, Map<String, String> headers, byte[] payload) {
    if (!channel.isActive()) {
      return; // channelClosed() has completed (or will complete) the exchange
    }
    FullHttpResponse res;
    boolean keepAlive;
    try {
      boolean bodyless = status == 204 || status == 304 || status < 200;
      boolean headRequest = "HEAD".equals(method());
      res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
          bodyless || headRequest ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(payload));
      keepAlive = prepareHead(res, headers);
      res.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
      if (bodyless) {
        res.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
      } else {
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, payload.length);
      }
    } catch (IllegalArgumentException e) {
      log.error("invalid response to {} {} (status {}, headers {})", method(), uri(), status, headers.keySet(), e);
      res = StatusResponses.of(StatusResponses.internalError());
      keepAlive = prepareHead(res, Map.of());
    }
    boolean reuse = keepAlive;
    channel.writeAndFlush(res).addListener(f -> finish(http1 ? reuse && f.isSuccess() : reuse));
  }
}

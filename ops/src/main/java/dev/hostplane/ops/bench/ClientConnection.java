package dev.hostplane.ops.bench;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * One HTTP/2 connection (TLS, ALPN h2 already negotiated) carrying many concurrent streams. Requests beyond the
 * server's SETTINGS_MAX_CONCURRENT_STREAMS wait in a FIFO queue until a stream closes, so callers never see
 * "maximum active streams" errors.
 *
 * <p>Threading: {@link #submit} may be called from any thread; all state is confined to the channel's event loop.
 * Once the connection closes or receives GOAWAY, queued and new exchanges fail.
 */
final class ClientConnection {
  private final Channel channel;
  private final String authority;
  private final String pathPrefix;
  private final String authorization;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();
  private long maxStreams = 100; // until the server's SETTINGS say otherwise
  private int open;
  private long lastReadNanos;
  private volatile String unusable; // why no new stream can be opened, or null

  ClientConnection(Channel channel, String authority, String pathPrefix, String bearerToken) {
    this.channel = channel;
    this.authority = authority;
    this.pathPrefix = pathPrefix;
    this.authorization = bearerToken == null ? null : "Bearer " + bearerToken;
    channel.closeFuture().addListener(f -> closed("connection closed"));
  }

  /** The handler to add after the HTTP/2 codec and multiplexer: watches SETTINGS and GOAWAY. */
  ChannelInboundHandlerAdapter frameWatcher() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
          if (msg instanceof Http2SettingsFrame s) {
            Long max = s.settings().maxConcurrentStreams();
            if (max != null) {
              maxStreams = max;
            }
            drain();
            ready.complete(null);
          } else if (msg instanceof Http2GoAwayFrame g) {
            closed("the server sent GOAWAY (" + g.errorCode() + ")");
          }
        } finally {
          ReferenceCountUtil.release(msg);
        }
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ready.completeExceptionally(cause);
        ctx.close();
      }
    };
  }

  /**
   * The handler to put first in the pipeline, before TLS: notes when bytes were last read from the socket, so that
   * receive times exclude the time spent decrypting and decoding (and handling other streams' frames of the same
   * read).
   */
  ChannelInboundHandlerAdapter readClock() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastReadNanos = System.nanoTime();
        ctx.fireChannelRead(msg);
      }
    };
  }

  /** {@link System#nanoTime()} of the latest socket read. Event loop only. */
  long lastReadNanos() {
    return lastReadNanos;
  }

  /** Completes when the server's first SETTINGS frame has arrived. */
  CompletableFuture<Void> ready() {
    return ready;
  }

  EventLoop eventLoop() {
    return channel.eventLoop();
  }

  boolean usable() {
    return unusable == null && channel.isActive();
  }

  void close() {
    channel.close();
  }

  /** Queues {@code request}; {@code listener} hears the outcome on this connection's event loop. */
  Exchange submit(HttpRequest request, ResponseListener listener) {
    Exchange ex = new Exchange(this, request, listener);
    // Thread hop: onto the event loop, which owns the stream count and the queue.
    channel.eventLoop().execute(() -> {
      if (unusable != null) {
        ex.fail(new IOException(unusable));
      } else if (open < maxStreams) {
        start(ex);
      } else {
        waiting.add(ex);
      }
    });
    return ex;
  }

  /** Removes a cancelled exchange that was never sent. Event loop only. */
  void dequeue(Exchange ex) {
    waiting.remove(ex);
  }

  private void start(Exchange ex) {
    open++;
    boolean[] released = new boolean[1];
    Runnable release = () -> {
      if (!released[0]) {
        released[0] = true;
        open--;
        drain();
      }
    };
    new Http2StreamChannelBootstrap(channel).handler(new StreamHandler(ex, this::lastReadNanos, release)).open().addListener(f -> {
      if (!f.isSuccess()) {
        release.run();
        ex.fail(f.cause());
        return;
      }
      Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
      ex.opened(stream);
      if (ex.cancelled()) {
        stream.close();
        return;
      }
      send(stream, ex);
    });
  }

  private void send(Http2StreamChannel stream, Exchange ex) {
    HttpRequest r = ex.request;
    Http2Headers h = new DefaultHttp2Headers()
        .method(r.method())
        .path(pathPrefix + r.path())
        .scheme("https")
        .authority(authority);
    h.add("user-agent", "hostplane-bench");
    h.add("accept", r.accept());
    if (authorization != null) {
      h.add("authorization", authorization);
    }
    ChannelFuture written;
    if (r.body() == null) {
      written = stream.writeAndFlush(new DefaultHttp2HeadersFrame(h, true));
    } else {
      h.add("content-type", r.contentType());
      h.addInt("content-length", r.body().length);
      stream.write(new DefaultHttp2HeadersFrame(h, false));
      written = stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(r.body()), true));
    }
    written.addListener(w -> {
      if (!w.isSuccess()) {
        ex.fail(w.cause());
        stream.close();
      }
    });
  }

  private void drain() {
    while (open < maxStreams && !waiting.isEmpty()) {
      start(waiting.poll());
    }
  }

  /** Stops new streams and fails the queued ones. Event loop only (close futures and frames run there). */
  private void closed(String why) {
    if (unusable == null) {
      unusable = why;
    }
    ready.completeExceptionally(new IOException(why));
    Exchange ex;
    while ((ex = waiting.poll()) != null) {
      ex.fail(new IOException(why));
    }
  }
}

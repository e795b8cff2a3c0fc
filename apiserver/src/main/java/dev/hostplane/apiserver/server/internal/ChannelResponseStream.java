package dev.hostplane.apiserver.server.internal;

import dev.hostplane.apiserver.server.HttpExchange;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A streamed response: chunked transfer encoding on HTTP/1.1, DATA frames on HTTP/2, flushed per write.
 *
 * <p>Backpressure: {@link #write} reports whether the channel is still writable, counting both the channel's own
 * outbound buffer (per stream on HTTP/2, where Netty also counts flow-control credit) and chunks submitted from
 * other threads that have not reached the channel yet. {@link #onWritable} fires on the event loop once the channel
 * is writable again and those chunks have been handed over.
 *
 * <p>Threading: public methods from any thread; their effects run in order on the event loop. Methods without a
 * visibility modifier run on the event loop only.
 */
final class ChannelResponseStream implements HttpExchange.ResponseStream {
  private static final Logger log = LoggerFactory.getLogger(ChannelResponseStream.class);

  /** What a second {@code startStream} gets: already ended, accepts nothing. */
  static final HttpExchange.ResponseStream ENDED = new HttpExchange.ResponseStream() {
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

  private final ChannelExchange exchange;
  private final Channel channel;
  private final OrderedLoopExecutor loop;
  private final AtomicLong pendingBytes = new AtomicLong();
  private final AtomicReference<Runnable> writableCallback = new AtomicReference<>();
  private final AtomicBoolean ended = new AtomicBoolean();
  private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> queued = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private volatile boolean closed;
  private boolean keepAlive; // event loop only; decided when the head is written

  ChannelResponseStream(ChannelExchange exchange, OrderedLoopExecutor loop) {
    this.exchange = exchange;
    this.channel = exchange.channel();
    this.loop = loop;
  }

  void writeHead(int status, Map<String, String> headers) {
    if (closed || !channel.isActive()) {
      return;
    }
    HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    try {
      keepAlive = exchange.prepareHead(res, headers);
    } catch (IllegalArgumentException e) {
      log.error("invalid streamed response head for {} {} (headers {})", exchange.method(), exchange.uri(),
          headers.keySet(), e);
      abort();
      return;
    }
    res.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
    if (exchange.isHttp1()) {
      HttpUtil.setTransferEncodingChunked(res, true);
    }
    channel.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
  }

  /** {@inheritDoc} The array is used as is: the caller must not modify it afterwards. */
  @Override
  public boolean write(byte[] chunk) {
    if (ended.get() || closed) {
      return false;
    }
    if (chunk.length == 0) {
      return writableNow(); // an empty chunk would read as the end of an HTTP/1.1 chunked body
    }
    pendingBytes.addAndGet(chunk.length);
    queued.add(chunk);
    if (drainScheduled.compareAndSet(false, true)) {
      loop.execute(this::drain); // thread hop: any thread -> event loop (ordered)
    }
    return writableNow();
  }

  /**
   * Event loop: writes every chunk queued so far as one piece (one DATA frame, one HTTP/1.1 chunk). Chunks that
   * arrive while the loop is busy are coalesced, so a backlogged stream costs one write per turn of the loop rather
   * than one per event; an idle stream still writes each chunk at once.
   */
  private void drain() {
    drainScheduled.set(false); // from here on, a new chunk schedules another drain (ordered after this one)
    byte[] first = queued.poll();
    if (first == null) {
      return;
    }
    byte[] next = queued.poll();
    io.netty.buffer.ByteBuf data;
    long bytes = first.length;
    if (next == null) {
      data = Unpooled.wrappedBuffer(first);
    } else {
      java.util.List<byte[]> parts = new java.util.ArrayList<>();
      parts.add(first);
      for (byte[] c = next; c != null; c = queued.poll()) {
        parts.add(c);
        bytes += c.length;
      }
      data = Unpooled.wrappedBuffer(parts.toArray(byte[][]::new));
    }
    pendingBytes.addAndGet(-bytes);
    if (closed) {
      data.release();
      return;
    }
    channel.writeAndFlush(new DefaultHttpContent(data)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    maybeFireWritable();
  }

  @Override
  public void onWritable(Runnable callback) {
    writableCallback.set(callback);
    loop.execute(this::maybeFireWritable); // thread hop: any thread -> event loop
  }

  @Override
  public boolean isOpen() {
    return !ended.get() && !closed;
  }

  @Override
  public void end() {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    loop.execute(() -> { // thread hop: any thread -> event loop (ordered after every write)
      if (closed) {
        return;
      }
      boolean reuse = keepAlive;
      channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
          .addListener(f -> exchange.finish(exchange.isHttp1() ? reuse && f.isSuccess() : reuse));
    });
  }

  private boolean writableNow() {
    return channel.isWritable() && pendingBytes.get() <= channel.config().getWriteBufferHighWaterMark();
  }

  void maybeFireWritable() {
    if (closed || !channel.isWritable()
        || pendingBytes.get() > channel.config().getWriteBufferLowWaterMark()) {
      return;
    }
    Runnable callback = writableCallback.getAndSet(null);
    if (callback != null) {
      try {
        callback.run();
      } catch (RuntimeException e) {
        log.warn("onWritable callback failed for {} {}", exchange.method(), exchange.uri(), e);
      }
    }
  }

  /** The client is gone or the response is complete: nothing more is written. */
  void closed() {
    closed = true;
    writableCallback.set(null);
  }

  /** Cuts the response off: closes the connection (HTTP/1.1) or resets the stream (HTTP/2). */
  void abort() {
    if (closed) {
      return;
    }
    closed = true;
    ended.set(true);
    channel.close();
  }
}

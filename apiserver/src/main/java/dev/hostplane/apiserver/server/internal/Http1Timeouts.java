package dev.hostplane.apiserver.server.internal;

import dev.hostplane.apiserver.api.Status;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how long an HTTP/1.1 client may hold a connection without making progress (slow-loris clients): a
 * request's headers must arrive within {@code readTimeout} of its first byte and its body within
 * {@code readTimeout} again (else 408 and close), and a connection with no request for {@code idleTimeout} is
 * closed. Sits before the HTTP codec to see the first raw byte; the aggregator and the connection report progress.
 *
 * <p>Event loop only.
 */
final class Http1Timeouts extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(Http1Timeouts.class);

  enum State { IDLE, HEAD, BODY, SERVING, CLOSED }

  private final long readTimeoutNanos;
  private final long idleTimeoutNanos;
  private ChannelHandlerContext ctx;
  private State state = State.IDLE;
  private ScheduledFuture<?> timer;

  Http1Timeouts(Duration readTimeout, Duration idleTimeout) {
    this.readTimeoutNanos = readTimeout.toNanos();
    this.idleTimeoutNanos = idleTimeout.toNanos();
  }

  State state() {
    return state;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    idle();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (state == State.IDLE && msg instanceof ByteBuf b && b.isReadable()) {
      state = State.HEAD;
      arm(readTimeoutNanos);
    }
    ctx.fireChannelRead(msg);
  }

  /** The aggregator has the request's headers. */
  void headReceived() {
    if (state == State.HEAD || state == State.IDLE) {
      state = State.BODY;
      arm(readTimeoutNanos);
    }
  }

  /** The request is complete (or was rejected): the server has the floor. */
  void requestReceived() {
    if (state != State.CLOSED) {
      state = State.SERVING;
      cancel();
    }
  }

  /**
   * The response has been written and the connection stays open; {@code bodyUnderway}: a pipelined request's
   * body is already arriving.
   */
  void responded(boolean bodyUnderway) {
    if (state != State.SERVING) {
      return;
    }
    if (bodyUnderway) {
      state = State.BODY;
      arm(readTimeoutNanos);
    } else {
      idle();
    }
  }

  private void idle() {
    state = State.IDLE;
    if (idleTimeoutNanos > 0) {
      arm(idleTimeoutNanos);
    } else {
      cancel();
    }
  }

  private void arm(long nanos) {
    cancel();
    timer = ctx.executor().schedule(this::expired, nanos, TimeUnit.NANOSECONDS);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void expired() {
    timer = null;
    switch (state) {
      case IDLE -> {
        log.debug("closing HTTP/1.1 connection from {}: idle", ctx.channel().remoteAddress());
        state = State.CLOSED;
        ctx.close();
      }
      case HEAD, BODY -> {
        String what = state == State.HEAD ? "headers" : "body";
        log.debug("closing HTTP/1.1 connection from {}: request {} too slow", ctx.channel().remoteAddress(), what);
        state = State.CLOSED;
        byte[] body = StatusResponses.json(Status.of(408, "Timeout", "the request " + what
            + " did not arrive within " + Duration.ofNanos(readTimeoutNanos).toSeconds() + "s"));
        // Written below the HTTP codec, which is mid-request: the whole response as bytes.
        byte[] head = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(head, body)).addListener(ChannelFutureListener.CLOSE);
      }
      default -> { }
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    state = State.CLOSED; // the connection was upgraded: it is no HTTP connection any more
    cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    state = State.CLOSED;
    cancel();
    ctx.fireChannelInactive();
  }
}

package dev.hostplane.ops.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.function.LongSupplier;

/**
 * The handler of one HTTP/2 stream's child channel: turns frames into {@link ResponseListener} calls and frees the
 * connection's stream slot when the child channel closes. Runs on the connection's event loop.
 */
final class StreamHandler extends ChannelInboundHandlerAdapter {
  private final Exchange exchange;
  private final LongSupplier readClock;
  private final Runnable onClosed;
  private boolean sawHeaders;

  /**
   * @param readClock when the bytes now being handled were read from the socket (see
   *     {@link ClientConnection#readClock()})
   * @param onClosed runs once, when the child channel closes
   */
  StreamHandler(Exchange exchange, LongSupplier readClock, Runnable onClosed) {
    this.exchange = exchange;
    this.readClock = readClock;
    this.onClosed = onClosed;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof Http2HeadersFrame h) {
        CharSequence status = h.headers().status();
        if (!sawHeaders && status != null && status.charAt(0) != '1') {
          sawHeaders = true;
          exchange.listener.headers(Integer.parseInt(status.toString()));
        }
        if (h.isEndStream()) {
          finish(ctx);
        }
      } else if (msg instanceof Http2DataFrame d) {
        if (!exchange.finished() && d.content().isReadable()) {
          exchange.listener.data(d.content(), readClock.getAsLong());
        }
        if (d.isEndStream()) {
          finish(ctx);
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void finish(ChannelHandlerContext ctx) {
    if (!sawHeaders) {
      exchange.fail(new IOException("stream ended without response headers"));
    } else {
      exchange.end();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame r) {
      exchange.fail(new IOException("stream reset by the server: " + Http2Error.valueOf(r.errorCode())));
    } else if (evt instanceof Http2GoAwayFrame g) {
      exchange.fail(new IOException("connection going away (GOAWAY " + Http2Error.valueOf(g.errorCode())
          + ") before the stream was processed"));
      g.release();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    exchange.fail(cause);
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    exchange.fail(exchange.cancelled() ? new java.util.concurrent.CancellationException("cancelled")
        : new ClosedChannelException());
    onClosed.run();
    ctx.fireChannelInactive();
  }
}

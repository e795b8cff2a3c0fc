package dev.hostplane.apiserver.server.internal;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an HTTP/2 stream's child channel: one exchange per stream. A rejected request is answered,
 * then the stream is reset with NO_ERROR (RFC 9113 §8.1: "stop sending, the response is complete"). The stream
 * closes itself once the response has ended.
 *
 * <p>Event loop only.
 */
final class Http2StreamHandler extends ChannelInboundHandlerAdapter implements ChannelExchange.Owner {
  private static final Logger log = LoggerFactory.getLogger(Http2StreamHandler.class);

  private final NettyServer server;
  private final ConnectionInfo info;
  private ChannelExchange exchange;
  /** The request body must arrive within the read timeout of the stream's opening (slow clients). */
  private io.netty.util.concurrent.ScheduledFuture<?> readDeadline;
  private boolean received;

  Http2StreamHandler(NettyServer server, ConnectionInfo info) {
    this.server = server;
    this.info = info;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    // Armed after the current read: a request without a body (most) is complete by then and needs no timer.
    ctx.executor().execute(() -> {
      if (received || !ctx.channel().isActive()) {
        return;
      }
      long nanos = server.options().requestReadTimeout().toNanos();
      readDeadline = ctx.executor().schedule(() -> {
        readDeadline = null;
        if (!received && ctx.channel().isActive()) {
          log.debug("resetting stream {} from {}: request body too slow", ctx.channel(), info.remoteAddress());
          received = true;
          reject(ctx, dev.hostplane.apiserver.api.Status.of(408, "Timeout", "the request body did not arrive "
              + "within " + server.options().requestReadTimeout().toSeconds() + "s"));
        }
      }, nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    });
  }

  private void cancelReadDeadline() {
    if (readDeadline != null) {
      readDeadline.cancel(false);
      readDeadline = null;
    }
  }

  private void reject(ChannelHandlerContext ctx, dev.hostplane.apiserver.api.Status status) {
    ctx.writeAndFlush(StatusResponses.of(status)).addListener(f ->
        ctx.channel().writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR))
            .addListener(ChannelFutureListener.CLOSE));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof AggregatedRequest || msg instanceof RejectedRequest) {
      if (received) {
        ReferenceCountUtil.release(msg);
        return; // answered at the read deadline already
      }
      received = true;
      cancelReadDeadline();
    }
    if (msg instanceof AggregatedRequest req) {
      HttpHeaders h = req.head().headers();
      for (HttpConversionUtil.ExtensionHeaderNames n : HttpConversionUtil.ExtensionHeaderNames.values()) {
        h.remove(n.text()); // x-http2-stream-id and friends: Netty's conversion artefacts, not the client's
      }
      exchange = new ChannelExchange(ctx.channel(), req.head(), req.body(), info, this);
      exchange.dispatch(server.handler());
    } else if (msg instanceof RejectedRequest rejected) {
      reject(ctx, rejected.status());
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public boolean keepAlive(ChannelExchange ex) {
    return true;
  }

  @Override
  public void completed(ChannelExchange ex, boolean keepAlive) {
    // END_STREAM has been written; Netty closes the child channel when the stream closes.
    if (!keepAlive) {
      // The response asked to end the connection: GOAWAY, then close once the other streams are done.
      io.netty.channel.Channel connection = ex.channel().parent();
      if (connection != null) {
        connection.eventLoop().execute(() -> {
          ServerConnection c = connection.attr(ServerConnection.KEY).get();
          if (c != null) {
            c.beginShutdown();
          }
        });
      }
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.writabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame reset) {
      log.debug("client reset stream {} from {} with error {}", ctx.channel(), info.remoteAddress(),
          reset.errorCode());
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelReadDeadline();
    if (exchange != null) {
      exchange.channelClosed();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      log.debug("HTTP/2 stream from {} failed: {}", info.remoteAddress(), cause.toString());
    } else {
      log.warn("HTTP/2 stream from {} failed", info.remoteAddress(), cause);
    }
    ctx.close();
  }
}

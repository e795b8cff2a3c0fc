package dev.hostplane.apiserver.server.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection-level end of an HTTP/2 pipeline (after the multiplexer): graceful shutdown (GOAWAY, then close
 * when the last stream closes) and the sink for connection frames (PING ACKs, SETTINGS) nobody else wants.
 *
 * <p>Event loop only.
 */
final class Http2ServerConnection extends ChannelInboundHandlerAdapter implements ServerConnection {
  private static final Logger log = LoggerFactory.getLogger(Http2ServerConnection.class);

  private final NettyServer server;
  private final Http2FrameCodec codec;
  private ChannelHandlerContext ctx;
  private boolean draining;
  /** Armed while no stream is open: the connection goes away when it fires (idle connection timeout). */
  private io.netty.util.concurrent.ScheduledFuture<?> idleTimer;

  Http2ServerConnection(NettyServer server, Http2FrameCodec codec) {
    this.server = server;
    this.codec = codec;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    codec.connection().addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamActive(Http2Stream stream) {
        if (idleTimer != null) {
          idleTimer.cancel(false);
          idleTimer = null;
        }
      }

      @Override
      public void onStreamClosed(Http2Stream stream) {
        if (codec.connection().numActiveStreams() == 0) {
          if (draining) {
            ctx.executor().execute(ctx::close); // after the codec has finished with this stream
          } else {
            armIdleTimer();
          }
        }
      }
    });
    armIdleTimer();
    if (server.isShuttingDown()) {
      beginShutdown();
    }
  }

  private void armIdleTimer() {
    long nanos = server.options().idleConnectionTimeout().toNanos();
    if (nanos == 0 || idleTimer != null) {
      return;
    }
    idleTimer = ctx.executor().schedule(() -> {
      idleTimer = null;
      if (codec.connection().numActiveStreams() == 0 && !draining) {
        log.debug("closing idle HTTP/2 connection from {}", ctx.channel().remoteAddress());
        beginShutdown();
      }
    }, nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void beginShutdown() {
    if (draining) {
      return;
    }
    draining = true;
    ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR)).addListener(f -> {
      if (codec.connection().numActiveStreams() == 0) {
        ctx.close();
      }
    });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2GoAwayFrame goAway) {
      log.debug("client {} sent GOAWAY {}", ctx.channel().remoteAddress(), goAway.errorCode());
    }
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      log.debug("HTTP/2 connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    } else {
      log.warn("HTTP/2 connection from {} failed", ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }
}

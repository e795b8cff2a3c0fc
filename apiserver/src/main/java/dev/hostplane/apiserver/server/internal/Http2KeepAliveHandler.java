package dev.hostplane.apiserver.server.internal;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty glue for {@link KeepAlivePinger} on an HTTP/2 connection. Sits between the {@code SslHandler} and the
 * {@code Http2FrameCodec}, so every decrypted read counts as a sign of life; PINGs are written from the pipeline's
 * tail so the frame codec encodes them. Runs on the connection's event loop only.
 */
final class Http2KeepAliveHandler extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(Http2KeepAliveHandler.class);

  private final Duration interval;
  private final Duration timeout;
  private KeepAlivePinger pinger;
  private long nextPayload = 0x686f7374L << 32; // "host" in the high bytes: recognisable in frame dumps

  Http2KeepAliveHandler(Duration interval, Duration timeout) {
    this.interval = interval;
    this.timeout = timeout;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    KeepAlivePinger.Scheduler scheduler = (task, delayNanos) -> {
      ScheduledFuture<?> f = ctx.executor().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    };
    pinger = new KeepAlivePinger(new KeepAlivePinger.Transport() {
      @Override
      public void sendPing() {
        ctx.channel().writeAndFlush(new DefaultHttp2PingFrame(nextPayload++));
      }

      @Override
      public void closeUnresponsive(String reason) {
        log.info("closing HTTP/2 connection from {}: {}", ctx.channel().remoteAddress(), reason);
        ctx.channel().close();
      }
    }, scheduler, System::nanoTime, interval, timeout);
    if (ctx.channel().isActive()) {
      pinger.start();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    pinger.start();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    pinger.onDataReceived();
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    pinger.stop();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    pinger.stop();
  }
}

package dev.hostplane.apiserver.proxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * A connection whose protocol switched (a 101 from the kubelet) and whose next owner is not ready yet (the client
 * has not been answered): reading is paused and whatever arrived with the 101 is kept, to be replayed to the
 * handlers given to {@link #release}. If the connection closes meanwhile, the kept bytes are dropped.
 *
 * <p>Threading: {@link #release} and {@link #close} may be called from any thread; the work runs on the channel's
 * loop.
 */
public final class HeldConnection extends ChannelInboundHandlerAdapter {
  private final Queue<Object> kept = new ArrayDeque<>();
  private Channel channel;

  HeldConnection() {}

  public Channel channel() {
    return channel;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    channel.config().setAutoRead(false);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof io.netty.handler.codec.http.HttpObject) {
      ReferenceCountUtil.release(msg); // the end of the 101 response, from the HTTP codec that just left
      return;
    }
    kept.add(msg);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    Object m;
    while ((m = kept.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
  }

  /** Hands the connection to {@code handlers} (added in order), replays what was kept and resumes reading. */
  public void release(ChannelHandler... handlers) {
    channel.eventLoop().execute(() -> { // thread hop: any thread -> the connection's loop
      if (!channel.isActive()) {
        channel.pipeline().remove(this);
        return;
      }
      ChannelHandlerContext ctx = channel.pipeline().context(this);
      channel.pipeline().addLast(handlers);
      Object m;
      while ((m = kept.poll()) != null) {
        ctx.fireChannelRead(m);
      }
      ctx.fireChannelReadComplete();
      channel.pipeline().remove(this);
      channel.config().setAutoRead(true);
    });
  }

  public void close() {
    channel.close();
  }
}

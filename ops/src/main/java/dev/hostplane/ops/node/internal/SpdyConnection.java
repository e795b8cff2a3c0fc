package dev.hostplane.ops.node.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The server end of a SPDY/3.1 session as the kubelet runs it after an upgrade: the client opens every stream
 * (SYN_STREAM with a {@code streamtype} header), the server answers each with SYN_REPLY and then exchanges DATA
 * frames. PINGs from the client are echoed; an idle session is pinged so that it survives idle resets. Flow
 * control windows are not enforced (as the usual SPDY stream libraries); backpressure is the channel's writability.
 * All methods run on the channel's event loop, except {@link #write}, {@link #finish} and {@link #close}, which may
 * be called from any thread (Netty queues them onto the loop).
 */
public final class SpdyConnection extends ChannelInboundHandlerAdapter {
  /** What runs over the session: exec, attach or port-forward. Called on the event loop. */
  public interface Handler {
    void streamOpened(SpdyConnection connection, int streamId, SpdyHeaders headers);

    /** Data from the client; the handler releases {@code data}. */
    void data(int streamId, ByteBuf data);

    /** The client half-closed (FIN) or reset the stream. */
    void remoteClosed(int streamId, boolean reset);

    /** The session ended (either side): release everything. */
    void closed();

    /** The channel became writable or unwritable. */
    default void writabilityChanged(boolean writable) {}
  }

  private final Handler handler;
  private Channel channel;
  private int nextPingId = 2;

  public SpdyConnection(Handler handler) {
    this.handler = handler;
  }

  public Channel channel() {
    return channel;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof SpdySynStreamFrame syn) {
        // The reply echoes the stream type: a header block with no headers at all is encoded by Netty as no
        // block, which Go's SPDY framer (kubectl, the apiserver) cannot parse.
        DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(syn.streamId());
        String type = syn.headers().getAsString("streamtype");
        reply.headers().set("streamtype", type == null ? "" : type);
        ctx.writeAndFlush(reply);
        handler.streamOpened(this, syn.streamId(), syn.headers());
        if (syn.isLast()) {
          handler.remoteClosed(syn.streamId(), false);
        }
      } else if (msg instanceof SpdyDataFrame data) {
        handler.data(data.streamId(), data.content().retain());
        if (data.isLast()) {
          handler.remoteClosed(data.streamId(), false);
        }
      } else if (msg instanceof SpdyRstStreamFrame rst) {
        handler.remoteClosed(rst.streamId(), true);
      } else if (msg instanceof SpdyPingFrame ping) {
        if ((ping.id() & 1) == 1) {
          ctx.writeAndFlush(new DefaultSpdyPingFrame(ping.id()));
        }
      } else if (msg instanceof SpdyGoAwayFrame) {
        ctx.close();
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      ctx.writeAndFlush(new DefaultSpdyPingFrame(nextPingId));
      nextPingId += 2;
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    handler.writabilityChanged(ctx.channel().isWritable());
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    handler.closed();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  /** Sends {@code data} on the stream (released by Netty). Any thread. */
  public ChannelFuture write(int streamId, ByteBuf data) {
    return channel.writeAndFlush(new DefaultSpdyDataFrame(streamId, data));
  }

  public ChannelFuture write(int streamId, byte[] data) {
    return write(streamId, Unpooled.wrappedBuffer(data));
  }

  /** Half-closes the stream from this side (an empty DATA frame with FIN). Any thread. */
  public ChannelFuture finish(int streamId) {
    DefaultSpdyDataFrame fin = new DefaultSpdyDataFrame(streamId);
    fin.setLast(true);
    return channel.writeAndFlush(fin);
  }

  /** Resets the stream. Any thread. */
  public void reset(int streamId) {
    channel.writeAndFlush(new DefaultSpdyRstStreamFrame(streamId, SpdyStreamStatus.CANCEL));
  }

  /** Closes the session once everything written so far is flushed. Any thread. */
  public void close() {
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> channel.close());
  }

  /**
   * Blocks the calling (non-event-loop) thread until the channel is writable or closed, so that a producer (a
   * process's output) runs no faster than the client reads.
   */
  public boolean awaitWritable() throws InterruptedException {
    while (channel.isActive() && !channel.isWritable()) {
      Thread.sleep(5);
    }
    return channel.isActive();
  }
}

package dev.hostplane.apiserver.proxy.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Function;

/**
 * One direction of a relay between two connections: what this channel reads is written to {@code peer} (through
 * {@code transform}, which may answer {@code null} to consume a message). Backpressure: reading stops while the
 * peer is not writable and resumes when it is (the peer's own {@code Relay} reports it). Either side closing
 * closes the other once what was written has been flushed.
 *
 * <p>Threading: runs on this channel's loop; the peer may live on another loop (writes and auto-read changes are
 * queued onto it by Netty).
 */
public class Relay extends ChannelInboundHandlerAdapter {
  private final Channel peer;
  private final Function<Object, Object> transform;
  private SpdyPinger pinger;

  public Relay(Channel peer) {
    this(peer, Function.identity());
  }

  public Relay(Channel peer, Function<Object, Object> transform) {
    this.peer = peer;
    this.transform = transform;
  }

  /**
   * Keeps the peer's direction of a relayed SPDY session alive: {@code pinger} sees every byte written to the peer
   * and pings it when idle, from this channel's loop. Call before the relay is added.
   */
  public Relay withSpdyPings(SpdyPinger pinger) {
    this.pinger = pinger;
    return this;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (pinger != null) {
      pinger.start(ctx.executor(), WebSockets.PING_SECONDS);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Object out;
    try {
      out = transform.apply(msg);
    } catch (RuntimeException e) {
      ReferenceCountUtil.release(msg);
      throw e;
    }
    if (out == null) {
      return;
    }
    if (!peer.isActive()) {
      ReferenceCountUtil.release(out);
      ctx.close();
      return;
    }
    if (pinger != null && out instanceof io.netty.buffer.ByteBuf b) {
      pinger.observe(b);
    }
    peer.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    if (!peer.isWritable()) {
      ctx.channel().config().setAutoRead(false); // resumed by the peer's Relay when it drains
      if (peer.isWritable()) {
        // The peer (on another loop) drained between the check and the pause: its resume may already have run.
        ctx.channel().config().setAutoRead(true);
      }
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      peer.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closeAfterFlush(peer);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  /** Closes {@code ch} once everything written to it so far is flushed. */
  public static void closeAfterFlush(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }
}

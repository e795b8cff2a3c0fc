package dev.hostplane.konnectivity;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;

/**
 * Opens byte streams to {@code host:port}, through the Konnectivity tunnel or directly, as Netty {@link Channel}s
 * that the caller runs its own pipeline over (TLS, HTTP codecs), with writability and {@code autoRead} honoured.
 *
 * <p>Threading: {@link #dial} may be called from any thread and never blocks. The returned channel is registered on
 * {@code eventLoop} whenever its transport allows (always through the tunnel; a Unix domain socket needs an epoll
 * loop, so an HTTP-CONNECT dial over one from a NIO loop lives on the dialer's own loop); handlers must use
 * {@code channel.eventLoop()}, not assume the loop they passed.
 *
 * <p>Half-close: the tunnel protocol has none ({@code CLOSE_REQ} ends both directions), so a tunnelled channel is not
 * a {@code DuplexChannel}: to stop writing, close it. A remote close is seen as {@code channelInactive} after every
 * byte that arrived before it has been read.
 */
public interface Dialer extends AutoCloseable {
  /**
   * Dials {@code host:port}. {@code handler} (typically a {@code ChannelInitializer}) is added to the new channel's
   * pipeline before it becomes active, so no inbound byte is missed. The future completes with the active channel,
   * or fails with a {@link TunnelException} (no agent, dial timeout, proxy unreachable, tunnel closed) or the
   * transport's own connect error. Cancelling the future abandons the dial (the proxy is told with {@code DIAL_CLS}).
   */
  CompletableFuture<Channel> dial(String host, int port, EventLoop eventLoop, ChannelHandler handler);

  /** Stops dialling and releases the connection to the proxy; open channels are reset. Idempotent. */
  @Override
  void close();
}

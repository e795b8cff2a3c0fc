package dev.hostplane.konnectivity.client.internal;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollEventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;

/** Which TCP channel class a given event loop can carry. */
public final class Transports {
  private Transports() {}

  /** The TCP socket channel class for {@code loop}, or null if the loop is neither NIO nor epoll. */
  public static Class<? extends Channel> tcpChannelFor(EventLoop loop) {
    if (loop instanceof NioEventLoop) {
      return NioSocketChannel.class;
    }
    if (loop instanceof EpollEventLoop) {
      return EpollSocketChannel.class;
    }
    return null;
  }
}

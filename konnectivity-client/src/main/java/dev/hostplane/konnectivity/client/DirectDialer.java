package dev.hostplane.konnectivity.client;

import dev.hostplane.konnectivity.Dialer;
import dev.hostplane.konnectivity.DialerOptions;
import dev.hostplane.konnectivity.client.internal.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** Plain TCP to the destination on the caller's event loop, for the control plane's own traffic. */
public final class DirectDialer implements Dialer {
  private final DialerOptions options;

  public DirectDialer(DialerOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public CompletableFuture<Channel> dial(String host, int port, EventLoop eventLoop, ChannelHandler handler) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(handler, "handler");
    Addresses.hostPort(host, port); // argument checks
    Class<? extends Channel> type = Transports.tcpChannelFor(eventLoop);
    if (type == null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "direct dial needs a NIO or epoll event loop, got " + eventLoop.getClass().getName()));
    }
    CompletableFuture<Channel> result = new CompletableFuture<>();
    ChannelFuture f = new Bootstrap().group(eventLoop).channel(type)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
            options.dialTimeout().toMillis()))
        .handler(handler)
        .connect(host, port);
    f.addListener((ChannelFuture done) -> {
      if (done.isSuccess()) {
        if (!result.complete(done.channel())) {
          done.channel().close(); // cancelled meanwhile
        }
      } else {
        result.completeExceptionally(done.cause());
      }
    });
    result.whenComplete((ch, err) -> {
      if (result.isCancelled()) {
        f.cancel(false);
        f.channel().close();
      }
    });
    return result;
  }

  @Override
  public void close() {}
}

package dev.hostplane.konnectivity.client;

import dev.hostplane.konnectivity.Dialer;
import dev.hostplane.konnectivity.DialerMetrics;
import dev.hostplane.konnectivity.DialerOptions;
import dev.hostplane.konnectivity.TunnelException;
import dev.hostplane.konnectivity.client.internal.ConnectHandshake;
import dev.hostplane.konnectivity.client.internal.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoop;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;

/**
 * Dials through a proxy that speaks HTTP CONNECT: one connection to the proxy per dial (Unix domain socket, or TCP,
 * with TLS when given), {@code CONNECT host:port HTTP/1.1}, and on {@code 200 Connection Established} the same
 * channel carries the caller's bytes. Over TCP the channel lives on the caller's loop; over a Unix domain socket it
 * does only if that loop is an epoll loop, else on the dialer's own.
 */
public final class HttpConnectDialer implements Dialer {
  private final SocketAddress proxy;
  private final String proxyHost;
  private final SslContext tls;
  private final DialerOptions options;
  private final DialerMetrics metrics;
  private final EventLoopGroup ownGroup;

  private HttpConnectDialer(SocketAddress proxy, String proxyHost, SslContext tls, DialerOptions options,
      DialerMetrics metrics, EventLoopGroup ownGroup) {
    this.proxy = proxy;
    this.proxyHost = proxyHost;
    this.tls = tls;
    this.options = Objects.requireNonNull(options, "options");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.ownGroup = ownGroup;
  }

  public static HttpConnectDialer overUnixSocket(Path socket, DialerOptions options, DialerMetrics metrics) {
    return new HttpConnectDialer(new DomainSocketAddress(socket.toFile()), null, null, options, metrics,
        new EpollEventLoopGroup(1, new DefaultThreadFactory("konnectivity-connect", true)));
  }

  /** Over TCP to {@code host:port}; {@code tls} null for plain HTTP. */
  public static HttpConnectDialer overTcp(String host, int port, SslContext tls, DialerOptions options,
      DialerMetrics metrics) {
    return new HttpConnectDialer(InetSocketAddress.createUnresolved(host, port), host, tls, options, metrics, null);
  }

  @Override
  public CompletableFuture<Channel> dial(String host, int port, EventLoop eventLoop, ChannelHandler handler) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(handler, "handler");
    String target = Addresses.hostPort(host, port);
    Bootstrap b = new Bootstrap();
    if (proxy instanceof DomainSocketAddress) {
      b.group(eventLoop instanceof EpollEventLoop ? eventLoop : ownGroup.next()).channel(EpollDomainSocketChannel.class);
    } else {
      Class<? extends Channel> type = Transports.tcpChannelFor(eventLoop);
      if (type == null) {
        return CompletableFuture.failedFuture(new IllegalArgumentException(
            "HTTP CONNECT dial needs a NIO or epoll event loop, got " + eventLoop.getClass().getName()));
      }
      b.group(eventLoop).channel(type);
    }
    CompletableFuture<Channel> result = new CompletableFuture<>();
    ConnectHandshake handshake = new ConnectHandshake(target, handler, options.dialTimeout(), metrics, result);
    b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, options.dialTimeout().toMillis()))
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            if (tls != null) {
              InetSocketAddress a = (InetSocketAddress) proxy;
              SslHandler ssl = tls.newHandler(ch.alloc(), proxyHost, a.getPort());
              SSLParameters params = ssl.engine().getSSLParameters();
              params.setEndpointIdentificationAlgorithm("HTTPS"); // the proxy's certificate must name proxyHost
              ssl.engine().setSSLParameters(params);
              ch.pipeline().addLast(ssl);
            }
            handshake.install(ch);
          }
        });
    ChannelFuture f = b.connect(proxy);
    f.addListener((ChannelFuture done) -> {
      if (!done.isSuccess() && !result.isDone()) {
        metrics.dialFailed(TunnelException.Reason.PROXY_UNREACHABLE);
        result.completeExceptionally(new TunnelException(TunnelException.Reason.PROXY_UNREACHABLE,
            "failed to reach the proxy at " + proxy + ": " + done.cause().getMessage(), done.cause()));
      }
    });
    result.whenComplete((ch, err) -> {
      if (result.isCancelled()) {
        f.channel().close();
      }
    });
    return result;
  }

  @Override
  public void close() {
    if (ownGroup != null) {
      ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}

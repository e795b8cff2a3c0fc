package dev.hostplane.konnectivity.client;

import dev.hostplane.konnectivity.Dialer;
import dev.hostplane.konnectivity.DialerMetrics;
import dev.hostplane.konnectivity.DialerOptions;
import dev.hostplane.konnectivity.TunnelException;
import dev.hostplane.konnectivity.client.internal.TunnelConnection;
import dev.hostplane.konnectivity.wire.KonnectivityMethods;
import dev.hostplane.konnectivity.wire.PacketCodec;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Dials through a Konnectivity proxy-server over gRPC: one {@code ProxyService/Proxy} stream per dial, all streams
 * sharing one HTTP/2 connection to the proxy (kept alive with pings every {@link DialerOptions#keepAliveTime()},
 * with or without calls), over a Unix domain socket or over TCP with mutual TLS.
 */
public final class GrpcTunnelDialer implements Dialer {
  private final ManagedChannel channel;
  private final EventLoopGroup ownGroup;
  private final DialerOptions options;
  private final DialerMetrics metrics;
  private volatile boolean closed;

  private GrpcTunnelDialer(ManagedChannel channel, EventLoopGroup ownGroup, DialerOptions options,
      DialerMetrics metrics) {
    this.channel = channel;
    this.ownGroup = ownGroup;
    this.options = options;
    this.metrics = metrics;
  }

  /** A dialer to the proxy listening on the Unix domain socket {@code socket} (needs epoll, i.e. Linux). */
  public static GrpcTunnelDialer overUnixSocket(Path socket, DialerOptions options, DialerMetrics metrics) {
    EventLoopGroup group = new EpollEventLoopGroup(1, new DefaultThreadFactory("konnectivity-uds", true));
    NettyChannelBuilder b = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toFile()))
        .eventLoopGroup(group)
        .channelType(EpollDomainSocketChannel.class)
        .overrideAuthority("localhost")
        .usePlaintext();
    return new GrpcTunnelDialer(configure(b, options).build(), group, options, metrics);
  }

  /**
   * A dialer to the proxy at {@code host:port} over TLS; {@code tls} (from {@code GrpcSslContexts.forClient()})
   * carries the CA bundle and the client certificate.
   */
  public static GrpcTunnelDialer overTls(String host, int port, SslContext tls, DialerOptions options,
      DialerMetrics metrics) {
    NettyChannelBuilder b = NettyChannelBuilder.forAddress(host, port).sslContext(tls);
    return new GrpcTunnelDialer(configure(b, options).build(), null, options, metrics);
  }

  private static NettyChannelBuilder configure(NettyChannelBuilder b, DialerOptions o) {
    return b.keepAliveTime(o.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(o.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveWithoutCalls(true)
        .maxInboundMessageSize(PacketCodec.MAX_PACKET_BYTES);
  }

  @Override
  public CompletableFuture<Channel> dial(String host, int port, EventLoop eventLoop, ChannelHandler handler) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(eventLoop, "eventLoop");
    Objects.requireNonNull(handler, "handler");
    if (closed) {
      metrics.dialFailed(TunnelException.Reason.TUNNEL_CLOSED);
      return CompletableFuture.failedFuture(
          new TunnelException(TunnelException.Reason.TUNNEL_CLOSED, "dialer closed"));
    }
    // The stream's callbacks run on the caller's loop, where the local channels live.
    var call = channel.newCall(KonnectivityMethods.PROXY, CallOptions.DEFAULT.withExecutor(eventLoop));
    return TunnelConnection.dial(call, eventLoop, Addresses.hostPort(host, port), handler, options, metrics);
  }

  @Override
  public void close() {
    closed = true;
    channel.shutdownNow();
    if (ownGroup != null) {
      ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}

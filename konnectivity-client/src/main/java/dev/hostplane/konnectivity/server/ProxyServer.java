package dev.hostplane.konnectivity.server;

import dev.hostplane.konnectivity.server.internal.AgentMetadata;
import dev.hostplane.konnectivity.server.internal.AgentTokenAuthenticator;
import dev.hostplane.konnectivity.server.internal.TokenReviewer;
import dev.hostplane.konnectivity.server.internal.HttpEndpoints;
import dev.hostplane.konnectivity.server.internal.Tunnel;
import dev.hostplane.konnectivity.wire.KonnectivityMethods;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import dev.hostplane.konnectivity.server.internal.HttpConnectFrontend;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.SocketAddress;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Konnectivity proxy-server: frontends (the apiserver) open {@code ProxyService/Proxy} streams over a Unix
 * domain socket or mutual-TLS TCP; agents in the cluster hold {@code AgentService/Connect} streams on the agent
 * port (mutual TLS, or server TLS plus a ServiceAccount token reviewed by the apiserver: {@link AgentTokenAuth}).
 * With {@code --mode=http-connect} the frontend listeners speak HTTP/1.1 CONNECT instead, one
 * dial per connection. Each frontend dial is routed to an agent by the proxy strategies. Thread-safe.
 */
public final class ProxyServer implements AutoCloseable {
  private static final long KEEPALIVE_DISABLED = Long.MAX_VALUE;

  private final ProxyServerOptions options;
  private final ScheduledExecutorService timer;
  private final Tunnel tunnel;
  private final List<Server> servers = new ArrayList<>();
  private final List<HttpEndpoints> http = new ArrayList<>();
  private EventLoopGroup udsGroup;
  private Server tcpFrontend;
  private Server agentServer;
  private HttpEndpoints health;
  private HttpEndpoints admin;
  private final List<Channel> connectChannels = new ArrayList<>();
  private EventLoopGroup tcpGroup;
  private int connectPort = -1;
  private ExecutorService reviews;

  private ProxyServer(ProxyServerOptions options) {
    this.options = options;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "konnectivity-server-timer");
      t.setDaemon(true);
      return t;
    });
    this.tunnel = new Tunnel(options.proxyStrategies(), options.backendDialTimeout(), timer);
  }

  /** Starts every configured listener; on failure, closes what was started and rethrows. */
  public static ProxyServer start(ProxyServerOptions options) throws IOException {
    ProxyServer s = new ProxyServer(options);
    try {
      s.startListeners();
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  private void startListeners() throws IOException {
    ServerServiceDefinition proxy = ServerServiceDefinition.builder(KonnectivityMethods.PROXY_SERVICE)
        .addMethod(KonnectivityMethods.PROXY, ServerCalls.asyncBidiStreamingCall(tunnel::frontend))
        .build();
    if (options.httpConnect()) {
      startConnectFrontends();
    } else {
      startGrpcFrontends(proxy);
    }
    startAgentServer();
  }

  private void startConnectFrontends() throws IOException {
    if (options.udsName() != null) {
      Files.deleteIfExists(options.udsName());
      udsGroup = new EpollEventLoopGroup(1);
      connectChannels.add(bind(udsGroup, EpollServerDomainSocketChannel.class, null,
          new DomainSocketAddress(options.udsName().toFile())));
    }
    if (options.serverPort() >= 0) {
      tcpGroup = new NioEventLoopGroup(1);
      SslContext tls = SslContextBuilder.forServer(options.serverCert().toFile(), options.serverKey().toFile())
          .trustManager(options.serverCaCert().toFile())
          .clientAuth(ClientAuth.REQUIRE)
          .build();
      Channel ch = bind(tcpGroup, NioServerSocketChannel.class, tls,
          new InetSocketAddress(options.bindAddress(), options.serverPort()));
      connectChannels.add(ch);
      connectPort = ((InetSocketAddress) ch.localAddress()).getPort();
    }
  }

  private Channel bind(EventLoopGroup group, Class<? extends ServerChannel> type, SslContext tls,
      SocketAddress address) throws IOException {
    ChannelFuture f = new ServerBootstrap()
        .group(group)
        .channel(type)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            if (tls != null) {
              ch.pipeline().addLast(tls.newHandler(ch.alloc()));
            }
            ch.pipeline().addLast(new HttpConnectFrontend(tunnel));
          }
        })
        .bind(address)
        .awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new IOException("failed to listen on " + address + ": " + f.cause().getMessage(), f.cause());
    }
    return f.channel();
  }

  private void startGrpcFrontends(ServerServiceDefinition proxy) throws IOException {
    if (options.udsName() != null) {
      Files.deleteIfExists(options.udsName());
      udsGroup = new EpollEventLoopGroup(1);
      NettyServerBuilder b = NettyServerBuilder.forAddress(new DomainSocketAddress(options.udsName().toFile()))
          .channelType(EpollServerDomainSocketChannel.class)
          .bossEventLoopGroup(udsGroup)
          .workerEventLoopGroup(udsGroup)
          .directExecutor()
          .addService(proxy);
      keepalive(b, options.frontendKeepaliveTime());
      servers.add(b.build().start());
    }
    if (options.serverPort() >= 0) {
      NettyServerBuilder b = NettyServerBuilder
          .forAddress(new InetSocketAddress(options.bindAddress(), options.serverPort()))
          .sslContext(mutualTls(options.serverCert(), options.serverKey(), options.serverCaCert()))
          .directExecutor()
          .addService(proxy);
      keepalive(b, options.frontendKeepaliveTime());
      tcpFrontend = b.build().start();
      servers.add(tcpFrontend);
    }
  }

  private void startAgentServer() throws IOException {
    ServerServiceDefinition connect = ServerServiceDefinition.builder(KonnectivityMethods.AGENT_SERVICE)
        .addMethod(KonnectivityMethods.CONNECT, ServerCalls.asyncBidiStreamingCall(responses -> tunnel.backend(
            AgentMetadata.CTX_AGENT_ID.get(), AgentMetadata.CTX_IDENTIFIERS.get(), responses)))
        .build();
    AgentMetadata metadata = new AgentMetadata(options.serverId(), options.serverCount());
    AgentTokenAuth auth = options.agentTokenAuth();
    NettyServerBuilder b = NettyServerBuilder
        .forAddress(new InetSocketAddress(options.bindAddress(), options.agentPort()))
        .directExecutor();
    if (auth == null) {
      b.sslContext(mutualTls(options.clusterCert(), options.clusterKey(), options.clusterCaCert()))
          .addService(ServerInterceptors.intercept(connect, metadata));
    } else {
      // Token authentication: server TLS only; a client certificate is neither asked for nor checked.
      reviews = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "konnectivity-server-token-review");
        t.setDaemon(true);
        return t;
      });
      TokenReviewer reviewer = TokenReviewer.fromKubeconfig(auth.kubeconfig(), auth.audience(), reviews);
      b.sslContext(GrpcSslContexts.forServer(options.clusterCert().toFile(), options.clusterKey().toFile()).build())
          .addService(ServerInterceptors.intercept(connect, metadata,
              new AgentTokenAuthenticator(reviewer, auth.username())));
    }
    keepalive(b, options.keepaliveTime());
    agentServer = b.build().start();
    servers.add(agentServer);
    if (options.healthPort() >= 0) {
      health = HttpEndpoints.health(options.bindAddress(), options.healthPort(), () -> tunnel.agents() > 0);
      http.add(health);
    }
    if (options.adminPort() >= 0) {
      admin = HttpEndpoints.admin(options.bindAddress(), options.adminPort(), () -> tunnel.metrics().render());
      http.add(admin);
    }
  }

  /** Our pings at {@code interval} (none when zero); client pings accepted down to the permitted interval. */
  private void keepalive(NettyServerBuilder b, Duration interval) {
    b.keepAliveTime(interval.isZero() ? KEEPALIVE_DISABLED : interval.toNanos(), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(20, TimeUnit.SECONDS)
        .permitKeepAliveTime(options.permitKeepaliveTime().toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveWithoutCalls(true);
  }

  static SslContext mutualTls(Path cert, Path key, Path ca) throws IOException {
    return GrpcSslContexts.forServer(cert.toFile(), key.toFile())
        .trustManager(ca.toFile())
        .clientAuth(ClientAuth.REQUIRE)
        .build();
  }

  public ProxyServerOptions options() {
    return options;
  }

  /** The bound frontend TLS port, or -1. */
  public int serverPort() {
    return tcpFrontend != null ? tcpFrontend.getPort() : connectPort;
  }

  public int agentPort() {
    return agentServer.getPort();
  }

  public int healthPort() {
    return health == null ? -1 : health.port();
  }

  public int adminPort() {
    return admin == null ? -1 : admin.port();
  }

  public int establishedConnections() {
    return tunnel.established();
  }

  public int pendingDials() {
    return tunnel.pending();
  }

  public int connectedAgents() {
    return tunnel.agents();
  }

  public List<String> agentIds() {
    return tunnel.agentIds();
  }

  /** Agents that sent DRAIN and still hold their stream. */
  public List<String> drainingAgentIds() {
    return tunnel.drainingAgentIds();
  }

  /** Prometheus text of {@code /metrics}. */
  public String metricsText() {
    return tunnel.metrics().render();
  }

  public long dialFailures(String reason) {
    return tunnel.metrics().dialFailures(reason);
  }

  /** Stops every listener and drops every stream. */
  @Override
  public void close() {
    http.forEach(HttpEndpoints::close);
    connectChannels.forEach(c -> c.close().awaitUninterruptibly());
    for (Server s : servers) {
      s.shutdownNow();
    }
    for (Server s : servers) {
      try {
        s.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (udsGroup != null) {
      udsGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
    if (tcpGroup != null) {
      tcpGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
    timer.shutdownNow();
    if (reviews != null) {
      reviews.shutdownNow();
    }
  }
}

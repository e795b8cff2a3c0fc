package dev.hostplane.apiserver.server.internal;

import dev.hostplane.apiserver.server.HttpHandler;
import dev.hostplane.apiserver.server.ServerOptions;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty server behind {@code ApiHttpServer}: event loops, the listening socket, per-connection setup (TCP
 * keepalive, TLS, ALPN) and graceful shutdown. Thread-safe.
 */
public final class NettyServer {
  /** The TLS implementation in use (see {@link TlsContexts#PROVIDER}). */
  public static String tlsProvider() {
    return TlsContexts.PROVIDER.name();
  }

  private static final Logger log = LoggerFactory.getLogger(NettyServer.class);

  /** Outbound buffer bounds per channel (connection, or HTTP/2 stream): 32 KiB low, 64 KiB high. */
  static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

  private final ServerOptions options;
  private final HttpHandler handler;
  private final TlsContexts tls;
  private final EventLoopGroup acceptor;
  private final EventLoopGroup workers;
  private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean shuttingDown = new AtomicBoolean();
  private final CompletableFuture<Void> drained = new CompletableFuture<>();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private Channel listener;

  private NettyServer(ServerOptions options, HttpHandler handler, TlsContexts tls) {
    this.options = options;
    this.handler = handler;
    this.tls = tls;
    this.acceptor = new NioEventLoopGroup(1, new DefaultThreadFactory("hostplane-accept"));
    this.workers = new NioEventLoopGroup(options.workerThreads(), new DefaultThreadFactory("hostplane-io"));
  }

  /** Reads the TLS material and binds (blocking: call from a main thread, not an event loop). */
  public static NettyServer start(ServerOptions options, HttpHandler handler) throws IOException {
    NettyServer server = new NettyServer(options, handler, TlsContexts.load(options));
    try {
      server.bind();
    } catch (IOException | RuntimeException e) {
      server.tls.close();
      server.acceptor.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      server.workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
    return server;
  }

  private void bind() throws IOException {
    ServerBootstrap b = new ServerBootstrap()
        .group(acceptor, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            accept(ch);
          }
        });
    if (options.tcpKeepAliveEnabled()) {
      b.childOption(ChannelOption.SO_KEEPALIVE, true)
          .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), seconds(options.tcpKeepAliveIdle()))
          .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL),
              seconds(options.tcpKeepAliveInterval()))
          .childOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), options.tcpKeepAliveCount());
    }
    InetSocketAddress address = options.bindAddress().isAnyLocalAddress()
        ? new InetSocketAddress(options.securePort())
        : new InetSocketAddress(options.bindAddress(), options.securePort());
    io.netty.channel.ChannelFuture f = b.bind(address).awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new IOException("cannot listen on " + address + ": " + f.cause().getMessage(), f.cause());
    }
    listener = f.channel();
    log.info("serving HTTPS (h2, http/1.1) on {}", listener.localAddress());
  }

  private void accept(SocketChannel ch) {
    connections.add(ch);
    ch.closeFuture().addListener(f -> {
      connections.remove(ch);
      if (shuttingDown.get() && connections.isEmpty()) {
        drained.complete(null);
      }
    });
    if (shuttingDown.get()) {
      ch.close();
      return;
    }
    ch.pipeline().addLast("tls", tls.newHandler(ch)).addLast("alpn", new ProtocolNegotiator(this));
  }

  private static int seconds(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toSeconds()));
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) listener.localAddress();
  }

  public ServerOptions options() {
    return options;
  }

  HttpHandler handler() {
    return handler;
  }

  public boolean isShuttingDown() {
    return shuttingDown.get();
  }

  /** The open connections (accepted sockets), for tests and metrics. */
  public Set<Channel> connections() {
    return Set.copyOf(connections);
  }

  /**
   * Stops accepting, asks every connection to drain (GOAWAY / Connection: close), closes what is left after
   * {@code grace}, then stops the event loops. Returns at once; the future completes when everything is closed.
   * Idempotent: later calls return the same future.
   */
  public CompletableFuture<Void> shutdown(Duration grace) {
    if (!shuttingDown.compareAndSet(false, true)) {
      return terminated;
    }
    log.info("shutting down: draining {} connections for up to {}", connections.size(), grace);
    // Connections are asked to drain only once the listener is closed, so that a client told to go away (GOAWAY,
    // Connection: close) cannot reconnect to this server.
    listener.close().addListener(closed -> {
      for (Channel ch : connections) {
        // Thread hop: each connection's handler runs on its own event loop.
        ch.eventLoop().execute(() -> {
          ServerConnection c = ch.attr(ServerConnection.KEY).get();
          if (c != null) {
            c.beginShutdown();
          }
        });
      }
      if (connections.isEmpty()) {
        drained.complete(null);
      }
    });
    EventLoop timer = acceptor.next();
    io.netty.util.concurrent.ScheduledFuture<?> deadline = timer.schedule(() -> {
      if (!drained.isDone()) {
        log.info("grace period over: closing {} remaining connections", connections.size());
        for (Channel ch : connections) {
          ch.close();
        }
      }
    }, Math.max(0, grace.toNanos()), TimeUnit.NANOSECONDS);
    drained.whenComplete((v, e) -> {
      deadline.cancel(false);
      stopEventLoops();
    });
    return terminated;
  }

  private void stopEventLoops() {
    tls.close();
    Future<?> a = acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    Future<?> w = workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    a.addListener(fa -> w.addListener(fw -> {
      log.info("server stopped");
      terminated.complete(null);
    }));
  }
}

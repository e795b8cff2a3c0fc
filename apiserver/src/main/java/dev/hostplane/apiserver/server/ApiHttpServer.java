package dev.hostplane.apiserver.server;

import dev.hostplane.apiserver.server.internal.NettyServer;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The API server's HTTPS endpoint: TLS always (client certificates optional), HTTP/2 by ALPN with HTTP/1.1 for
 * everyone else, every request handed to one {@link HttpHandler} as an {@link HttpExchange}. Keepalive comes from
 * both ends of the stack: TCP keepalive on every accepted socket and server-sent HTTP/2 PINGs on idle connections
 * (see {@link ServerOptions}), so connections survive networks that drop idle flows.
 *
 * <p>Thread-safe. {@link #start} and {@link #close} block; {@link #shutdown} does not.
 */
public final class ApiHttpServer implements AutoCloseable {
  private final NettyServer server;

  private ApiHttpServer(NettyServer server) {
    this.server = server;
  }

  /**
   * Reads the TLS files and starts listening; returns once bound. IOException when a file cannot be read or the
   * address cannot be bound; IllegalArgumentException for unusable TLS material. Blocking: not on an event loop.
   */
  public static ApiHttpServer start(ServerOptions options, HttpHandler handler) throws IOException {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(handler, "handler");
    return new ApiHttpServer(NettyServer.start(options, handler));
  }

  /** The bound address; with {@code securePort} 0, the port the system picked. */
  public InetSocketAddress localAddress() {
    return server.localAddress();
  }

  /** The TLS implementation in use: {@code OPENSSL} (BoringSSL, native) or {@code JDK}. */
  public static String tlsProvider() {
    return dev.hostplane.apiserver.server.internal.NettyServer.tlsProvider();
  }

  public int port() {
    return server.localAddress().getPort();
  }

  public ServerOptions options() {
    return server.options();
  }

  public boolean isShuttingDown() {
    return server.isShuttingDown();
  }

  /**
   * Graceful shutdown: stop accepting; send GOAWAY on HTTP/2 connections and {@code Connection: close} on the
   * next HTTP/1.1 response (idle HTTP/1.1 connections close at once); wait up to {@code grace} for in-flight
   * requests and streams; then close whatever is left and stop the event loops. Returns at once; the future
   * completes (on a Netty thread) when all is closed. Idempotent.
   */
  public CompletableFuture<Void> shutdown(Duration grace) {
    return server.shutdown(grace);
  }

  /** {@code shutdown(Duration.ZERO)} and wait for it. Blocking: never call on an event loop. */
  @Override
  public void close() {
    shutdown(Duration.ZERO).join();
  }

  /** The accepted connections still open; for tests. */
  Set<Channel> connections() {
    return server.connections();
  }
}

package dev.hostplane.ops.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * A small HTTP/2-over-TLS client for load generation: a fixed set of connections on a few event-loop threads, each
 * carrying many concurrent streams; requests are spread round-robin. No thread per request and no retries: a
 * failed exchange is reported, never repeated. Connections that close are not reopened.
 *
 * <p>Threading: every method may be called from any thread. Listeners and the futures of {@link #send} complete
 * on event-loop threads, so their callbacks must not block; {@link #call} blocks and is for other threads only.
 */
public final class Http2Client implements AutoCloseable {
  /** Per-stream receive window (client-go uses 4 MiB), so that large LISTs are not throttled by flow control. */
  static final int STREAM_WINDOW = 4 << 20;
  /** Connection receive window, shared by all streams of a connection. */
  static final int CONNECTION_WINDOW = 32 << 20;

  private final EventLoopGroup group;
  private final List<ClientConnection> connections;
  private final AtomicInteger next = new AtomicInteger();
  private final String server;

  private Http2Client(EventLoopGroup group, List<ClientConnection> connections, String server) {
    this.group = group;
    this.connections = connections;
    this.server = server;
  }

  /**
   * Opens {@code count} connections to the server of {@code config} and waits until each has negotiated h2 and
   * received the server's SETTINGS. Blocking. Fails with a {@link BenchException} that says what went wrong
   * (refused, TLS, no h2).
   */
  public static Http2Client connect(ClientConfig config, int count, Duration timeout) {
    if (count < 1) {
      throw new IllegalArgumentException("need at least one connection, got " + count);
    }
    SslContext ssl = sslContext(config);
    int threads = Math.max(1, Math.min(count, Runtime.getRuntime().availableProcessors()));
    EventLoopGroup group = new NioEventLoopGroup(threads, new DefaultThreadFactory("bench-client", true));
    String authority = config.server().getHost() + ":" + config.port();
    List<ClientConnection> connections = new ArrayList<>();
    try {
      Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.SO_KEEPALIVE, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis());
      List<CompletableFuture<Void>> readies = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        CompletableFuture<ClientConnection> made = new CompletableFuture<>();
        // The connection's outcome: a failed connect wins over the "connection closed" that follows it, whichever
        // of the two the event loop reports first.
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ClientConnection conn = new ClientConnection(ch, authority, config.pathPrefix(), config.bearerToken());
            made.complete(conn);
            SslHandler tls = tlsHandler(ssl, ch, config);
            // The handshake's own failure is the one to report; the channel's closing follows it.
            tls.handshakeFuture().addListener(h -> {
              if (!h.isSuccess()) {
                conn.ready().completeExceptionally(h.cause());
              }
            });
            ch.pipeline().addLast(conn.readClock());
            ch.pipeline().addLast(tls);
            ch.pipeline().addLast(new Negotiation(conn));
          }
        }).connect(config.host(), config.port()).addListener(f -> {
          if (!f.isSuccess()) {
            outcome.completeExceptionally(f.cause());
            made.completeExceptionally(f.cause());
            return;
          }
          made.thenCompose(ClientConnection::ready).whenComplete((v, error) -> {
            if (error != null) {
              outcome.completeExceptionally(error);
            } else {
              outcome.complete(null);
            }
          });
        });
        made.thenAccept(c -> {
          synchronized (connections) {
            connections.add(c);
          }
        });
        readies.add(outcome);
      }
      CompletableFuture.allOf(readies.toArray(CompletableFuture[]::new))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new Http2Client(group, List.copyOf(connections), config.server().toString());
    } catch (ExecutionException | TimeoutException | InterruptedException | RuntimeException e) {
      synchronized (connections) {
        connections.forEach(ClientConnection::close);
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new BenchException("cannot open an HTTP/2 connection to " + config.server() + ": " + describe(e), e);
    }
  }

  /** Starts an exchange on the next usable connection. */
  public Exchange exchange(HttpRequest request, ResponseListener listener) {
    int n = connections.size();
    int start = Math.floorMod(next.getAndIncrement(), n);
    for (int i = 0; i < n; i++) {
      ClientConnection c = connections.get((start + i) % n);
      if (c.usable()) {
        return c.submit(request, listener);
      }
    }
    return connections.get(start).submit(request, listener); // fails with the connection's reason
  }

  /** Sends {@code request} and buffers the whole response. The future completes on an event loop. */
  public CompletableFuture<HttpResponse> send(HttpRequest request) {
    Buffering b = new Buffering();
    exchange(request, b);
    return b.result;
  }

  /**
   * Sends and waits. Blocking: never call on an event loop. Failures (I/O, timeout) become a {@link BenchException}
   * naming the request; HTTP error statuses are returned, not thrown.
   */
  public HttpResponse call(HttpRequest request, Duration timeout) {
    Buffering b = new Buffering();
    Exchange ex = exchange(request, b);
    try {
      return b.result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      ex.cancel();
      throw new BenchException(request + ": no response within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      throw new BenchException(request + " to " + server + " failed: " + describe(e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ex.cancel();
      throw new BenchException(request + ": interrupted");
    }
  }

  /** Closes the connections and stops the event loops; waits up to a few seconds. */
  @Override
  public void close() {
    connections.forEach(ClientConnection::close);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** A failure in a sentence, without the wrapper exceptions. */
  static String describe(Throwable e) {
    while ((e instanceof ExecutionException || e instanceof CompletionException) && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof TimeoutException) {
      return "timed out";
    }
    if (e instanceof ConnectException) {
      return e.getMessage() == null ? "connection refused" : e.getMessage();
    }
    if (e instanceof SSLException && e.getMessage() != null) {
      String cause = e.getCause() != null && e.getCause().getMessage() != null
          && !e.getMessage().contains(e.getCause().getMessage()) ? " (" + e.getCause().getMessage() + ")" : "";
      return "TLS: " + e.getMessage() + cause;
    }
    String m = e.getMessage();
    return m == null || m.isEmpty() ? e.getClass().getSimpleName() : m;
  }

  private static SslContext sslContext(ClientConfig config) {
    try {
      // Native TLS when available, as for the server: the bench stands in for many client machines, so its own
      // decryption cost should disturb the figures as little as possible.
      SslContextBuilder b = SslContextBuilder.forClient()
          .sslProvider(io.netty.handler.ssl.OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
          .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2));
      if (config.insecureSkipTlsVerify()) {
        b.trustManager(InsecureTrustManagerFactory.INSTANCE);
      } else if (!config.trustedCas().isEmpty()) {
        b.trustManager(config.trustedCas());
      }
      if (config.clientKey() != null) {
        b.keyManager(config.clientKey(), config.clientChain());
      }
      return b.build();
    } catch (SSLException e) {
      throw new BenchException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** TLS with the server name verified against the certificate (as kubectl does) unless verification is off. */
  private static SslHandler tlsHandler(SslContext ssl, SocketChannel ch, ClientConfig config) {
    SslHandler handler = ssl.newHandler(ch.alloc(), config.tlsServerName(), config.port());
    if (!config.insecureSkipTlsVerify()) {
      SSLEngine engine = handler.engine();
      SSLParameters params = engine.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      engine.setSSLParameters(params);
    }
    return handler;
  }

  /** After the TLS handshake: HTTP/2 framing if the server chose h2, else the connection fails. */
  private static final class Negotiation extends ApplicationProtocolNegotiationHandler {
    private final ClientConnection conn;

    Negotiation(ClientConnection conn) {
      super("none");
      this.conn = conn;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        conn.ready().completeExceptionally(new IOException("the server did not negotiate HTTP/2 (ALPN: "
            + protocol + ")"));
        ctx.close();
        return;
      }
      ctx.pipeline().addLast(Http2FrameCodecBuilder.forClient()
          .initialSettings(Http2Settings.defaultSettings().initialWindowSize(STREAM_WINDOW).pushEnabled(false))
          .build());
      ctx.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
      ctx.pipeline().addLast(conn.frameWatcher());
      // From the tail, so that it passes through the codec (which turns it into a connection WINDOW_UPDATE).
      ctx.channel().writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - 65_535));
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      conn.ready().completeExceptionally(cause);
      ctx.close();
    }
  }

  /** Collects a whole response body. Event loop only, then handed over through the future. */
  private static final class Buffering implements ResponseListener {
    final CompletableFuture<HttpResponse> result = new CompletableFuture<>();
    private byte[] body = new byte[2048];
    private int length;
    private int status;

    @Override
    public void headers(int status) {
      this.status = status;
    }

    @Override
    public void data(ByteBuf content, long receivedNanos) {
      int n = content.readableBytes();
      if (length + n > body.length) {
        body = Arrays.copyOf(body, Math.max(length + n, body.length * 2));
      }
      content.readBytes(body, length, n);
      length += n;
    }

    @Override
    public void end() {
      result.complete(new HttpResponse(status, Arrays.copyOf(body, length)));
    }

    @Override
    public void failed(Throwable cause) {
      result.completeExceptionally(cause);
    }
  }
}

package dev.hostplane.webhook.internal;

import dev.hostplane.konnectivity.Dialer;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * HTTP/1.1 over TLS to webhooks, on Netty, through a {@link Dialer}. Connections are pooled per backend (dialer,
 * address, TLS server name and trust) and reused one request at a time; an idle connection is closed after
 * {@code idleTimeout} (well before a 60 s idle reset on the path). A request that fails on a reused connection
 * before any response byte (the peer closed it while idle) is sent once more on a new connection.
 *
 * <p>Threading: {@link #post} may be called from any thread and never blocks; each connection's work runs on its
 * event loop, and the returned future completes there (callers hop off before heavy work).
 */
public final class WebhookClient implements AutoCloseable {
  /** 3 MiB, upstream's limit on an admission response is about this size. */
  static final int MAX_RESPONSE_BYTES = 3 * 1024 * 1024;

  /** A response: the status code and the body. */
  public record Response(int status, byte[] body) {}

  /** Where a request goes: dialled host and port, TLS server name, PEM trust (empty: the system's roots). */
  public record Target(Dialer dialer, String host, int port, String serverName, byte[] caBundle,
      WebhookCredentials.Credentials credentials) {
    /** A target without client credentials. */
    public Target(Dialer dialer, String host, int port, String serverName, byte[] caBundle) {
      this(dialer, host, port, serverName, caBundle, null);
    }

    String authorization() {
      return credentials == null ? null : credentials.authorization();
    }
  }

  /** A failed exchange, with the reason in Go's words (for {@code failed to call webhook: Post "..": <reason>}). */
  public static final class CallException extends RuntimeException {
    private final boolean timeout;

    CallException(String reason, boolean timeout) {
      super(reason, null, false, false);
      this.timeout = timeout;
    }

    public boolean timeout() {
      return timeout;
    }
  }

  private record PoolKey(Dialer dialer, String host, int port, String serverName, String ca, String credentials) {}

  private record Idle(Channel channel, long since) {}

  private final EventLoopGroup group;
  private final long idleNanos;
  private final Map<PoolKey, ConcurrentLinkedDeque<Idle>> pools = new ConcurrentHashMap<>();
  private final Map<String, SslContext> tls = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();
  private final ScheduledFuture<?> sweeper;

  public WebhookClient(EventLoopGroup group, Duration idleTimeout) {
    this.group = group;
    this.idleNanos = idleTimeout.toNanos();
    long period = Math.max(100, idleTimeout.toMillis() / 4);
    this.sweeper = group.next().scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
  }

  /** Connections open now (idle and busy). */
  public int openConnections() {
    return open.get();
  }

  /** Idle connections kept now. */
  public int idleConnections() {
    return pools.values().stream().mapToInt(ConcurrentLinkedDeque::size).sum();
  }

  /**
   * POSTs {@code body} (JSON) to {@code pathAndQuery} on {@code target}; fails with a {@link CallException} on a
   * transport error, a malformed response or when {@code timeout} passes.
   */
  public CompletableFuture<Response> post(Target target, String hostHeader, String pathAndQuery, byte[] body,
      Duration timeout) {
    CompletableFuture<Response> result = new CompletableFuture<>();
    EventLoop timerLoop = group.next();
    ScheduledFuture<?> timer = timerLoop.schedule(
        () -> result.completeExceptionally(new CallException("context deadline exceeded", true)),
        timeout.toNanos(), TimeUnit.NANOSECONDS);
    result.whenComplete((r, e) -> timer.cancel(false));
    PoolKey key = new PoolKey(target.dialer(), target.host(), target.port(), target.serverName(),
        Base64.getEncoder().encodeToString(target.caBundle()),
        target.credentials() == null ? "" : target.credentials().name());
    attempt(key, target, hostHeader, pathAndQuery, body, result, true);
    return result;
  }

  private void attempt(PoolKey key, Target target, String hostHeader, String pathAndQuery, byte[] body,
      CompletableFuture<Response> result, boolean mayRetry) {
    if (result.isDone()) {
      return;
    }
    Channel pooled = takeIdle(key);
    if (pooled != null) {
      // Thread hop: the exchange runs on the connection's loop.
      pooled.eventLoop().execute(() -> exchange(pooled, key, target.authorization(), hostHeader, pathAndQuery, body,
          result, true, () -> attempt(key, target, hostHeader, pathAndQuery, body, result, false)));
      return;
    }
    SslContext ssl;
    try {
      ssl = sslContext(key.ca(), target.caBundle(), target.credentials());
    } catch (SSLException | RuntimeException e) {
      result.completeExceptionally(new CallException((target.credentials() == null ? "tls: invalid caBundle: "
          : "tls: invalid caBundle or client credentials \"" + target.credentials().name() + "\": ")
          + e.getMessage(), false));
      return;
    }
    target.dialer().dial(target.host(), target.port(), group.next(), new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        SslHandler handler = ssl.newHandler(ch.alloc(), target.serverName(), target.port());
        SSLEngine engine = handler.engine();
        SSLParameters params = engine.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(params);
        ch.pipeline().addLast("tls", handler);
        ch.pipeline().addLast("http", new HttpClientCodec());
        ch.pipeline().addLast("aggregate", new HttpObjectAggregator(MAX_RESPONSE_BYTES));
        ch.pipeline().addLast("exchange", new ExchangeHandler());
        open.incrementAndGet();
        ch.closeFuture().addListener(f -> open.decrementAndGet());
      }
    }).whenComplete((ch, err) -> {
      if (err != null) {
        result.completeExceptionally(new CallException(dialError(target, err), false));
        return;
      }
      if (result.isDone()) {
        ch.close(); // timed out meanwhile
        return;
      }
      // Thread hop: onto the new connection's loop.
      ch.eventLoop().execute(() -> exchange(ch, key, target.authorization(), hostHeader, pathAndQuery, body, result,
          false, null));
    });
  }

  /** One request on {@code ch}; on its event loop. {@code retry} runs when a reused connection was found dead. */
  private void exchange(Channel ch, PoolKey key, String authorization, String hostHeader, String pathAndQuery,
      byte[] body, CompletableFuture<Response> result, boolean reused, Runnable retry) {
    ExchangeHandler handler = ch.pipeline().get(ExchangeHandler.class);
    if (handler == null || !ch.isActive()) {
      ch.close();
      if (retry != null) {
        retry.run();
      } else {
        result.completeExceptionally(new CallException("EOF", false));
      }
      return;
    }
    handler.begin(result, reused ? retry : null, keepAlive -> {
      if (keepAlive && ch.isActive()) {
        pools.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>()).push(new Idle(ch, System.nanoTime()));
      } else {
        ch.close();
      }
    });
    result.whenComplete((r, e) -> {
      if (e != null) {
        ch.close(); // an abandoned exchange leaves the connection in an unknown state
      }
    });
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, pathAndQuery,
        Unpooled.wrappedBuffer(body));
    req.headers().set(HttpHeaderNames.HOST, hostHeader)
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .set(HttpHeaderNames.ACCEPT, "application/json, */*")
        .set(HttpHeaderNames.USER_AGENT, "kube-apiserver-admission")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    if (authorization != null) {
      req.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
    }
    ch.writeAndFlush(req).addListener(f -> {
      if (!f.isSuccess()) {
        handler.fail(f.cause());
      }
    });
  }

  private Channel takeIdle(PoolKey key) {
    ConcurrentLinkedDeque<Idle> pool = pools.get(key);
    if (pool == null) {
      return null;
    }
    Idle idle;
    while ((idle = pool.poll()) != null) {
      if (idle.channel().isActive() && System.nanoTime() - idle.since() < idleNanos) {
        return idle.channel();
      }
      idle.channel().close();
    }
    return null;
  }

  private void sweep() {
    long now = System.nanoTime();
    for (ConcurrentLinkedDeque<Idle> pool : pools.values()) {
      for (Iterator<Idle> it = pool.iterator(); it.hasNext(); ) {
        Idle idle = it.next();
        if (!idle.channel().isActive() || now - idle.since() >= idleNanos) {
          if (pool.remove(idle)) {
            idle.channel().close();
          }
        }
      }
    }
  }

  private SslContext sslContext(String caKey, byte[] ca, WebhookCredentials.Credentials credentials)
      throws SSLException {
    String cacheKey = credentials == null ? caKey : caKey + "\n" + credentials.name();
    SslContext ctx = tls.get(cacheKey);
    if (ctx != null) {
      return ctx;
    }
    SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
        .protocols("TLSv1.3", "TLSv1.2");
    if (ca.length > 0) {
      b.trustManager(new ByteArrayInputStream(ca));
    }
    if (credentials != null && credentials.certificatePem() != null) {
      b.keyManager(new ByteArrayInputStream(credentials.certificatePem()),
          new ByteArrayInputStream(credentials.keyPem()));
    }
    ctx = b.build();
    tls.put(cacheKey, ctx);
    return ctx;
  }

  private static String dialError(Target target, Throwable err) {
    Throwable e = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
        ? err.getCause() : err;
    String addr = target.host().contains(":") ? "[" + target.host() + "]:" + target.port()
        : target.host() + ":" + target.port();
    if (e instanceof ConnectException) {
      String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
      if (m.contains("refused")) {
        return "dial tcp " + addr + ": connect: connection refused";
      }
      if (m.contains("timed out")) {
        return "dial tcp " + addr + ": i/o timeout";
      }
    }
    return "dial tcp " + addr + ": " + e.getMessage();
  }

  @Override
  public void close() {
    sweeper.cancel(false);
    for (ConcurrentLinkedDeque<Idle> pool : pools.values()) {
      Idle idle;
      while ((idle = pool.poll()) != null) {
        idle.channel().close();
      }
    }
  }

  /** The per-connection state: at most one exchange at a time. Runs on the connection's loop. */
  private static final class ExchangeHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    private CompletableFuture<Response> pending;
    private Runnable retry;
    private java.util.function.Consumer<Boolean> done;

    void begin(CompletableFuture<Response> result, Runnable retryIfDead, java.util.function.Consumer<Boolean> after) {
      this.pending = result;
      this.retry = retryIfDead;
      this.done = after;
    }

    void fail(Throwable cause) {
      CompletableFuture<Response> p = pending;
      Runnable r = retry;
      pending = null;
      retry = null;
      if (p == null) {
        return;
      }
      if (r != null && (cause == null || cause instanceof java.io.IOException)) {
        r.run(); // the peer closed a reused connection before answering: once more on a new one
        return;
      }
      p.completeExceptionally(new CallException(reason(cause), false));
    }

    private static String reason(Throwable cause) {
      if (cause == null || cause instanceof ClosedChannelException) {
        return "EOF";
      }
      if (cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() instanceof SSLException ssl) {
        return "tls: " + ssl.getMessage();
      }
      if (cause instanceof SSLException ssl) {
        return "tls: " + ssl.getMessage();
      }
      return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
      CompletableFuture<Response> p = pending;
      java.util.function.Consumer<Boolean> after = done;
      pending = null;
      retry = null;
      done = null;
      if (p == null) {
        ctx.close(); // an answer nobody asked for
        return;
      }
      if (msg.decoderResult().isFailure()) {
        ctx.close();
        p.completeExceptionally(new CallException("malformed HTTP response: "
            + msg.decoderResult().cause().getMessage(), false));
        return;
      }
      boolean keepAlive = HttpUtil.isKeepAlive(msg);
      Response r = new Response(msg.status().code(), ByteBufUtil.getBytes(msg.content()));
      if (!p.isDone()) {
        after.accept(keepAlive); // back to the pool before the caller sends its next request
      } else {
        ctx.close();
      }
      p.complete(r);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      fail(null);
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(cause);
      ctx.close();
    }
  }
}

package dev.hostplane.konnectivity.client.internal;

import dev.hostplane.konnectivity.DialerMetrics;
import dev.hostplane.konnectivity.TunnelException;
import dev.hostplane.konnectivity.TunnelException.Reason;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends {@code CONNECT host:port HTTP/1.1} once the connection to the proxy is up and, on {@code 200}, hands the
 * channel over to the caller: the HTTP codec and this handler leave the pipeline, the caller's handler takes their
 * place (bytes that followed the response go to it) and sees {@code channelActive}. Any other status, a close or
 * the timeout fails the dial. Runs on the channel's loop.
 */
public final class ConnectHandshake extends ChannelInboundHandlerAdapter {
  public static final String CODEC = "konnectivity-connect-codec";

  private final String target;
  private final ChannelHandler handler;
  private final Duration timeout;
  private final DialerMetrics metrics;
  private final CompletableFuture<Channel> result;
  /** How much of a refusal's body goes into the error. */
  private static final int MAX_BODY = 256;
  private final StringBuilder body = new StringBuilder();
  private HttpResponseStatus status;
  private ScheduledFuture<?> timer;

  public ConnectHandshake(String target, ChannelHandler handler, Duration timeout, DialerMetrics metrics,
      CompletableFuture<Channel> result) {
    this.target = target;
    this.handler = handler;
    this.timeout = timeout;
    this.metrics = metrics;
    this.result = result;
  }

  /** Adds the codec and the handshake to a new channel's pipeline (after any TLS handler). */
  public void install(Channel ch) {
    ch.pipeline().addLast(CODEC, new HttpClientCodec()).addLast(this);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    var req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, target);
    req.headers().set(HttpHeaderNames.HOST, target);
    ctx.writeAndFlush(req);
    timer = ctx.executor().schedule(() -> fail(ctx,
        new TunnelException(Reason.TIMEOUT, "dial timeout, backstop")), timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpResponse rsp) {
        status = rsp.status();
      }
      if (msg instanceof HttpContent content && status != null && status.code() != 200
          && body.length() < MAX_BODY) {
        body.append(content.content().toString(StandardCharsets.UTF_8));
      }
      if (msg instanceof LastHttpContent && status != null) {
        if (status.code() == 200) {
          handOver(ctx);
        } else {
          String text = body.length() > MAX_BODY ? body.substring(0, MAX_BODY) : body.toString().strip();
          fail(ctx, new TunnelException(Reason.ENDPOINT, "CONNECT " + target + ": proxy answered "
              + status.code() + " " + status.reasonPhrase() + (text.isEmpty() ? "" : ": " + text)));
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void handOver(ChannelHandlerContext ctx) {
    cancelTimer();
    var p = ctx.pipeline();
    p.addLast(handler);
    p.remove(this);
    p.remove(CODEC); // forwards bytes that followed the response to the caller's handler
    if (result.complete(ctx.channel())) {
      p.fireChannelActive();
    } else {
      ctx.channel().close(); // cancelled meanwhile
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
      fail(ctx, new TunnelException(Reason.PROXY_UNREACHABLE, "CONNECT " + target
          + ": TLS handshake with the proxy failed: " + done.cause().getMessage(), done.cause()));
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail(ctx, new TunnelException(Reason.TUNNEL_CLOSED, "CONNECT " + target + ": proxy closed the connection"));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx, new TunnelException(Reason.PROXY_UNREACHABLE, "CONNECT " + target + ": " + cause.getMessage(), cause));
  }

  private void fail(ChannelHandlerContext ctx, TunnelException e) {
    cancelTimer();
    if (!result.isDone()) { // counted first: a caller woken by the failure sees it counted
      metrics.dialFailed(e.reason());
      result.completeExceptionally(e);
    }
    ctx.close();
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}

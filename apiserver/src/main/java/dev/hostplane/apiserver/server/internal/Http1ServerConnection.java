package dev.hostplane.apiserver.server.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpUtil;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an HTTP/1.1 connection: one exchange at a time, keep-alive, and the order of responses. A
 * request that arrives while one is in flight (pipelining) waits, and reading pauses until it is dispatched.
 * After a rejected request (413, malformed) the connection lingers for {@link #LINGER_MILLIS} still reading and
 * discarding, so the client, which may still be uploading, reads the answer instead of a reset, then closes.
 *
 * <p>Event loop only.
 */
final class Http1ServerConnection extends ChannelInboundHandlerAdapter
    implements ChannelExchange.Owner, ServerConnection {
  private static final Logger log = LoggerFactory.getLogger(Http1ServerConnection.class);
  static final long LINGER_MILLIS = 1000;

  private final NettyServer server;
  private final ConnectionInfo info;
  private final RequestAggregator aggregator;
  private final Http1Timeouts timeouts;
  private ChannelHandlerContext ctx;
  private ChannelExchange current;
  private Object queued; // an AggregatedRequest or RejectedRequest waiting for current to finish
  private boolean draining;
  private boolean closing;

  Http1ServerConnection(NettyServer server, ConnectionInfo info, RequestAggregator aggregator,
      Http1Timeouts timeouts) {
    this.server = server;
    this.info = info;
    this.aggregator = aggregator;
    this.timeouts = timeouts;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    draining = server.isShuttingDown();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof AggregatedRequest) && !(msg instanceof RejectedRequest)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (closing) {
      return;
    }
    if (current != null) {
      if (queued != null) {
        // Cannot happen: reading pauses while a request is queued. Refuse to buffer more.
        log.warn("closing connection from {}: too many pipelined requests", info.remoteAddress());
        closing = true;
        ctx.close();
        return;
      }
      queued = msg;
      ctx.channel().config().setAutoRead(false);
      return;
    }
    handle(msg);
  }

  private void handle(Object msg) {
    if (msg instanceof AggregatedRequest req) {
      if (req.head().headers().contains(io.netty.handler.codec.http.HttpHeaderNames.UPGRADE)) {
        // The client waits for the answer; what it sends after a 101 is not HTTP, so do not read it as such.
        ctx.channel().config().setAutoRead(false);
      }
      current = new ChannelExchange(ctx.channel(), req.head(), req.body(), info, this);
      current.dispatch(server.handler());
    } else if (msg instanceof RejectedRequest rejected) {
      closing = true;
      FullHttpResponse res = StatusResponses.of(rejected.status());
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(res).addListener(f ->
          ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS));
    }
  }

  @Override
  public boolean keepAlive(ChannelExchange exchange) {
    return !draining && !server.isShuttingDown() && HttpUtil.isKeepAlive(exchange.head());
  }

  @Override
  public void completed(ChannelExchange exchange, boolean keepAlive) {
    if (exchange != current) {
      return;
    }
    current = null;
    if (!keepAlive) {
      closing = true;
      ctx.close();
      return;
    }
    ctx.channel().config().setAutoRead(true); // paused for an Upgrade request that was answered without one
    if (queued != null) {
      Object next = queued;
      queued = null;
      ctx.channel().config().setAutoRead(true);
      handle(next);
    } else if (draining) {
      closing = true;
      ctx.close();
    } else {
      timeouts.responded(!aggregator.idle());
    }
  }

  @Override
  public void beginShutdown() {
    draining = true;
    if (current == null && queued == null && aggregator.idle() && !closing) {
      closing = true;
      ctx.close();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (current != null) {
      current.writabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    queued = null;
    if (current != null) {
      ChannelExchange ex = current;
      current = null;
      ex.channelClosed();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      log.debug("HTTP/1.1 connection from {} failed: {}", info.remoteAddress(), cause.toString());
    } else {
      log.warn("HTTP/1.1 connection from {} failed", info.remoteAddress(), cause);
    }
    ctx.close();
  }
}

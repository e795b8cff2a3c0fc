package dev.hostplane.apiserver.proxy.internal;

import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.server.HttpExchange;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Sends one request to a backend and streams its response to the client's exchange, with backpressure: the backend
 * is not read while the client's stream is above its high water mark. Ends when the backend's response ends (the
 * backend connection is then closed), when the backend goes away (the stream ends), or when the client goes away
 * (the backend connection is closed, which releases a tunnel connection).
 *
 * <p>In {@link Mode#LOGS} a non-200 answer becomes a Status error (the kubelet's message, its code); in
 * {@link Mode#PROXY} every answer is passed on with its status and end-to-end headers.
 *
 * <p>Threading: the handler runs on the backend's loop; the exchange queues onto the client's.
 */
public final class ResponseRelay extends ChannelInboundHandlerAdapter {
  public enum Mode { LOGS, PROXY }

  /** Hop-by-hop headers (RFC 9110 7.6.1) and those the relay sets itself. */
  static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "proxy-authenticate",
      "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "content-length");

  private final HttpExchange exchange;
  private final Mode mode;
  private HttpExchange.ResponseStream stream;
  private HttpResponse failed;
  private final ByteArrayOutputStream errorBody = new ByteArrayOutputStream();
  private boolean done;

  private ResponseRelay(HttpExchange exchange, Mode mode) {
    this.exchange = exchange;
    this.mode = mode;
  }

  /** Sends {@code request} on {@code backend} (active, TLS done if any) and relays the answer. Any thread. */
  public static void start(Channel backend, FullHttpRequest request, HttpExchange exchange, Mode mode) {
    ResponseRelay relay = new ResponseRelay(exchange, mode);
    exchange.onClose(backend::close); // the client went away (or the response ended): release the backend
    backend.eventLoop().execute(() -> { // thread hop: any thread -> the backend's loop
      backend.pipeline().addLast("http", new HttpClientCodec()).addLast("relay", relay);
      backend.writeAndFlush(request).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (done) {
        return;
      }
      if (msg instanceof HttpResponse res) {
        int code = res.status().code();
        if (mode == Mode.LOGS && code != 200) {
          failed = res;
        } else {
          Map<String, String> headers = new LinkedHashMap<>();
          for (Map.Entry<String, String> h : res.headers()) {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
              headers.merge(h.getKey(), h.getValue(), (a, b) -> a + ", " + b);
            }
          }
          stream = exchange.startStream(code, headers);
        }
      }
      if (msg instanceof HttpContent c) {
        content(ctx, c);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void content(ChannelHandlerContext ctx, HttpContent c) {
    ByteBuf b = c.content();
    if (failed != null) {
      if (errorBody.size() < BackendErrors.MAX_BODY) {
        byte[] bytes = new byte[Math.min(b.readableBytes(), BackendErrors.MAX_BODY - errorBody.size())];
        b.getBytes(b.readerIndex(), bytes);
        errorBody.write(bytes, 0, bytes.length);
      }
      if (c instanceof LastHttpContent) {
        done = true;
        respondError(BackendErrors.of(failed.status().code(), errorBody.toByteArray()));
        ctx.close();
      }
      return;
    }
    if (stream == null) {
      return;
    }
    if (b.isReadable()) {
      byte[] bytes = new byte[b.readableBytes()];
      b.getBytes(b.readerIndex(), bytes);
      if (!stream.write(bytes)) {
        Channel backend = ctx.channel();
        backend.config().setAutoRead(false);
        // Thread hop: the callback runs on the client's loop; auto-read is queued onto the backend's.
        stream.onWritable(() -> backend.config().setAutoRead(true));
      }
    }
    if (c instanceof LastHttpContent) {
      done = true;
      stream.end();
      ctx.close();
    }
  }

  private void respondError(ApiException e) {
    exchange.respond(e.code(), Map.of("Content-Type", "application/json"), Codecs.writeJson(e.status().toJson()));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!done) {
      done = true;
      if (stream != null) {
        stream.end(); // the backend ended the stream (a followed log whose container stopped, a dropped tunnel)
      } else {
        respondError(BackendErrors.closed());
      }
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}

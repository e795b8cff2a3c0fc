package dev.hostplane.apiserver.proxy.internal;

import dev.hostplane.apiserver.api.ApiException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * Sends an Upgrade request over a fresh backend connection and waits for the answer. On {@code 101 Switching
 * Protocols} the HTTP codec leaves and the connection is {@link HeldConnection held} (paused, with any bytes that
 * followed the 101 kept) for the caller to hand on. Any other answer fails the future with its status and body
 * (see {@link BackendErrors}) and closes the connection.
 */
public final class UpgradeRequest extends ChannelInboundHandlerAdapter {
  /** A switched connection and the backend's 101 headers. */
  public record Switched(HeldConnection connection, HttpHeaders headers) {}

  private final CompletableFuture<Switched> result = new CompletableFuture<>();
  private final ByteArrayOutputStream errorBody = new ByteArrayOutputStream();
  private HttpResponse failed;

  private UpgradeRequest() {}

  /** Sends {@code request} on {@code backend} (active, TLS done if any). Called on any thread. */
  public static CompletableFuture<Switched> send(Channel backend, FullHttpRequest request) {
    UpgradeRequest u = new UpgradeRequest();
    backend.eventLoop().execute(() -> { // thread hop: any thread -> the backend's loop
      backend.pipeline().addLast("http", new HttpClientCodec()).addLast("upgrade", u);
      backend.writeAndFlush(request).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    });
    backend.closeFuture().addListener(f -> u.result.completeExceptionally(
        BackendErrors.closed()));
    return u.result;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpResponse res) {
        if (res.status().code() == 101) {
          HeldConnection held = new HeldConnection();
          // The codec passes what follows the 101 on as raw bytes; removing it hands over what it holds.
          ctx.pipeline().addAfter("upgrade", "held", held);
          ctx.pipeline().remove("upgrade");
          ctx.pipeline().remove("http");
          result.complete(new Switched(held, res.headers()));
          return;
        }
        failed = res;
      }
      if (failed != null && msg instanceof HttpContent c) {
        ByteBuf b = c.content();
        if (errorBody.size() < BackendErrors.MAX_BODY) {
          byte[] bytes = new byte[Math.min(b.readableBytes(), BackendErrors.MAX_BODY - errorBody.size())];
          b.getBytes(b.readerIndex(), bytes);
          errorBody.write(bytes, 0, bytes.length);
        }
        if (msg instanceof LastHttpContent) {
          result.completeExceptionally(BackendErrors.of(failed.status().code(), errorBody.toByteArray()));
          ctx.close();
        }
      }
    } finally {
      if (!(msg instanceof HttpResponse res && res.status().code() == 101)) {
        ReferenceCountUtil.release(msg);
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    result.completeExceptionally(BackendErrors.closed());
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    result.completeExceptionally(ApiException.unavailable("error dialing backend: " + cause.getMessage()));
    ctx.close();
  }
}

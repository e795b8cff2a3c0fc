package dev.hostplane.apiserver.server.internal;

import dev.hostplane.apiserver.api.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * Turns a request's {@code HttpRequest} + {@code HttpContent}s into one {@link AggregatedRequest}, for HTTP/1.1
 * connections and HTTP/2 streams alike. A body over {@code maxBody} bytes, declared up front by Content-Length or
 * noticed as it streams in, becomes a {@link RejectedRequest} (413) at once: what was buffered is released and the
 * rest of the body is discarded unread, so a large upload never accumulates. Answers {@code Expect: 100-continue}
 * when the declared length is acceptable.
 *
 * <p>Event loop only. Consumes (releases) every message it reads.
 */
final class RequestAggregator extends ChannelInboundHandlerAdapter {
  private static final byte[] EMPTY = new byte[0];

  private enum State { AWAIT_HEAD, BODY, DISCARD }

  private final long maxBody;
  private final Progress progress;
  private State state = State.AWAIT_HEAD;
  private HttpRequest head;
  private CompositeByteBuf body;
  private long received;

  /** Told when a request's headers and then the whole request have arrived (for read timeouts). */
  interface Progress {
    Progress NONE = new Progress() {
      @Override public void headReceived() {}

      @Override public void requestReceived() {}
    };

    void headReceived();

    /** The request is complete, or was rejected. */
    void requestReceived();
  }

  RequestAggregator(long maxBody) {
    this(maxBody, Progress.NONE);
  }

  RequestAggregator(long maxBody, Progress progress) {
    this.maxBody = maxBody;
    this.progress = progress;
  }

  /** True between requests: no head or body is being read. */
  boolean idle() {
    return state == State.AWAIT_HEAD;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HttpRequest) && !(msg instanceof HttpContent)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      if (msg instanceof HttpRequest req) {
        onHead(ctx, req);
      }
      if (msg instanceof HttpContent content) {
        onContent(ctx, content);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onHead(ChannelHandlerContext ctx, HttpRequest req) {
    if (state == State.DISCARD) {
      return;
    }
    releaseBody();
    if (req.decoderResult().isFailure()) {
      reject(ctx, malformed(req.decoderResult().cause()));
      return;
    }
    long declared;
    try {
      declared = HttpUtil.getContentLength(req, -1L);
    } catch (NumberFormatException e) {
      reject(ctx, Status.of(400, "BadRequest", "invalid Content-Length"));
      return;
    }
    if (declared > maxBody) {
      reject(ctx, StatusResponses.tooLarge(maxBody));
      return;
    }
    String expect = req.headers().get(HttpHeaderNames.EXPECT);
    if (expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
      reject(ctx, Status.of(417, "", "unsupported Expect: " + expect));
      return;
    }
    if (expect != null && req.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0) {
      ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
          Unpooled.EMPTY_BUFFER));
      req.headers().remove(HttpHeaderNames.EXPECT);
    }
    head = req;
    received = 0;
    state = State.BODY;
    progress.headReceived();
  }

  private void onContent(ChannelHandlerContext ctx, HttpContent content) {
    if (state != State.BODY) {
      return;
    }
    ByteBuf data = content.content();
    received += data.readableBytes();
    if (received > maxBody) {
      reject(ctx, StatusResponses.tooLarge(maxBody));
      return;
    }
    if (data.isReadable()) {
      if (body == null) {
        body = ctx.alloc().compositeBuffer(1024);
      }
      body.addComponent(true, data.retain());
    }
    if (content instanceof LastHttpContent) {
      byte[] bytes = body == null ? EMPTY : ByteBufUtil.getBytes(body);
      HttpRequest complete = head;
      releaseBody();
      state = State.AWAIT_HEAD;
      progress.requestReceived();
      ctx.fireChannelRead(new AggregatedRequest(complete, bytes));
    }
  }

  private void reject(ChannelHandlerContext ctx, Status status) {
    releaseBody();
    state = State.DISCARD;
    progress.requestReceived();
    ctx.fireChannelRead(new RejectedRequest(status));
  }

  private static Status malformed(Throwable cause) {
    if (cause instanceof TooLongHttpHeaderException) {
      return Status.of(431, "", "Request Header Fields Too Large");
    }
    if (cause instanceof TooLongHttpLineException) {
      return Status.of(414, "", "Request-URI Too Long");
    }
    if (cause instanceof TooLongFrameException) {
      return Status.of(431, "", "Request Header Fields Too Large");
    }
    return Status.of(400, "BadRequest", "malformed HTTP request");
  }

  private void releaseBody() {
    head = null;
    if (body != null) {
      body.release();
      body = null;
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseBody();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseBody();
    ctx.fireChannelInactive();
  }
}

package dev.hostplane.konnectivity.client.internal;

import dev.hostplane.konnectivity.DialerMetrics;
import dev.hostplane.konnectivity.DialerOptions;
import dev.hostplane.konnectivity.TunnelException;
import dev.hostplane.konnectivity.TunnelException.Reason;
import dev.hostplane.konnectivity.wire.Packet;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dial through the tunnel: one {@code ProxyService/Proxy} stream carrying one connection, bridged to a pair of
 * {@link LocalChannel}s: the caller's channel (its pipeline) and ours (the bridge end).
 *
 * <p>Threading: every method runs on {@code loop}, the caller's event loop: gRPC delivers the stream's callbacks there
 * (the call's executor), and both local channels are registered on it. No locks.
 *
 * <p>Flow control, both ways bounded: from the proxy, one {@code DATA} is requested at a time and no more while the
 * caller's pipeline has not read {@code receiveWindowBytes} of what was handed to it (counted by {@link Meter}, the
 * first handler of the caller's pipeline); to the proxy, the bridge end stops reading and the caller's channel turns
 * unwritable while the gRPC stream is not ready.
 */
public final class TunnelConnection extends ClientCall.Listener<Packet> {
  private static final Logger log = LoggerFactory.getLogger(TunnelConnection.class);
  /** Largest DATA payload sent; well below gRPC's usual 4 MiB receive limit. */
  static final int MAX_CHUNK = 64 * 1024;
  /** Messages requested ahead from the proxy while the receive window has room. */
  static final int MAX_OUTSTANDING = 8;
  /** Index of the user-defined writability bit this class drives on the caller's channel. */
  private static final int WRITABILITY_BIT = 1;

  private enum State { DIALING, CONNECTING_LOCAL, OPEN, CLOSING, CLOSED }

  private final ClientCall<Packet, Packet> call;
  private final EventLoop loop;
  private final String address;
  private final ChannelHandler handler;
  private final DialerOptions options;
  private final DialerMetrics metrics;
  private final CompletableFuture<Channel> result;
  private final long random = ThreadLocalRandom.current().nextLong();

  private State state = State.DIALING;
  private String metricStatus;
  private long connectId;
  private ScheduledFuture<?> timer;
  private Channel bridge;
  private Channel user;
  /** Bytes written to the caller's channel that its pipeline has not read yet. */
  private long unconsumed;
  /** Messages requested from the stream and not yet received. */
  private int outstanding;
  private boolean remoteClosed;
  private boolean streamEnded;

  private TunnelConnection(ClientCall<Packet, Packet> call, EventLoop loop, String address, ChannelHandler handler,
      DialerOptions options, DialerMetrics metrics, CompletableFuture<Channel> result) {
    this.call = call;
    this.loop = loop;
    this.address = address;
    this.handler = handler;
    this.options = options;
    this.metrics = metrics;
    this.result = result;
  }

  /**
   * Starts a dial of {@code address} ("host:port") on {@code call}, whose executor must be {@code loop}. Any thread.
   */
  public static CompletableFuture<Channel> dial(ClientCall<Packet, Packet> call, EventLoop loop, String address,
      ChannelHandler handler, DialerOptions options, DialerMetrics metrics) {
    CompletableFuture<Channel> result = new CompletableFuture<>();
    TunnelConnection c = new TunnelConnection(call, loop, address, handler, options, metrics, result);
    loop.execute(c::start); // hop: the caller's thread to the loop
    result.whenComplete((ch, err) -> {
      if (result.isCancelled()) {
        loop.execute(c::cancelledByCaller); // hop: the cancelling thread to the loop
      }
    });
    return result;
  }

  private void start() {
    if (result.isDone()) {
      return;
    }
    status(DialerMetrics.DIALING);
    try {
      call.start(this, new Metadata());
      outstanding = 1;
      call.request(1);
      sendPacket(Packet.dialRequest(address, random));
    } catch (RuntimeException e) {
      failDial(new TunnelException(Reason.PROXY_UNREACHABLE, "failed to create tunnel: " + e.getMessage(), e));
      return;
    }
    timer = loop.schedule(this::dialTimedOut, options.dialTimeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  // ---- the gRPC stream ----

  @Override
  public void onMessage(Packet packet) {
    outstanding--;
    switch (packet.type()) {
      case DIAL_RSP -> dialResponse((Packet.DialResponse) packet.payload());
      case DATA -> data((Packet.Data) packet.payload());
      case CLOSE_RSP -> closeResponse((Packet.CloseResponse) packet.payload());
      case DIAL_CLS -> {
        if (state == State.DIALING && ((Packet.CloseDial) packet.payload()).random() == random) {
          failDial(new TunnelException(Reason.DIAL_CLOSED, "dial closed"));
        }
        requestMore();
      }
      default -> {
        log.debug("tunnel to {}: ignoring {}", address, packet);
        requestMore();
      }
    }
  }

  private void dialResponse(Packet.DialResponse rsp) {
    if (state != State.DIALING || rsp.random() != random) {
      log.debug("tunnel to {}: ignoring DIAL_RSP for random {}", address, rsp.random());
      requestMore();
      return;
    }
    if (!rsp.error().isEmpty()) {
      failDial(new TunnelException(Reason.ENDPOINT, rsp.error()));
      return;
    }
    connectId = rsp.connectId();
    cancelTimer();
    state = State.CONNECTING_LOCAL;
    connectLocal(); // the next DATA is requested once the caller's channel is connected
  }

  private void data(Packet.Data d) {
    if (state == State.DIALING || d.connectId() != connectId) {
      // Not ours: tell the proxy to close it, as upstream does.
      sendPacket(Packet.closeRequest(d.connectId()));
      requestMore();
      return;
    }
    if (!d.error().isEmpty()) {
      reset("connection reset: " + d.error());
      return;
    }
    if (state != State.OPEN || d.data().length == 0) {
      requestMore();
      return;
    }
    unconsumed += d.data().length;
    bridge.writeAndFlush(Unpooled.wrappedBuffer(d.data()));
    requestMore();
  }

  private void closeResponse(Packet.CloseResponse rsp) {
    if (rsp.connectId() != connectId && state != State.DIALING) {
      requestMore();
      return;
    }
    if (state == State.CLOSING) {
      finish();
      endStream();
      return;
    }
    // The remote end (or the agent) closed: deliver what the caller has not read yet, then close.
    remoteClosed = true;
    if (state == State.CONNECTING_LOCAL || state == State.DIALING) {
      failDial(new TunnelException(Reason.TUNNEL_CLOSED, "tunnel closed"));
      return;
    }
    state = State.CLOSED;
    status(null);
    endStream();
    closeBridgeWhenDrained();
  }

  @Override
  public void onReady() {
    if (bridge != null && state == State.OPEN && call.isReady()) {
      setSendBlocked(false);
    }
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    cancelTimer();
    switch (state) {
      case DIALING, CONNECTING_LOCAL -> failDial(status.getCode() == Status.Code.UNAVAILABLE
          ? new TunnelException(Reason.PROXY_UNREACHABLE,
              "failed to create tunnel: " + describe(status), status.asException())
          : new TunnelException(Reason.TUNNEL_CLOSED, "tunnel closed: " + describe(status), status.asException()));
      case OPEN -> reset("connection reset: tunnel closed: " + describe(status));
      case CLOSING -> finish();
      case CLOSED -> { }
    }
  }

  private static String describe(Status s) {
    return s.getDescription() == null ? s.getCode().toString() : s.getCode() + ": " + s.getDescription();
  }

  // ---- dial outcome ----

  private void dialTimedOut() {
    if (state != State.DIALING) {
      return;
    }
    sendPacket(Packet.closeDial(random));
    failDial(new TunnelException(Reason.TIMEOUT, "dial timeout, backstop"));
  }

  private void cancelledByCaller() {
    switch (state) {
      case DIALING -> {
        sendPacket(Packet.closeDial(random));
        failDial(new TunnelException(Reason.CONTEXT, "dial timeout, context"));
      }
      case CONNECTING_LOCAL, OPEN -> {
        if (user != null) {
          user.close(); // the bridge's channelInactive sends CLOSE_REQ
        } else {
          startClose();
        }
      }
      default -> { }
    }
  }

  /** Fails the dial, counts it, and ends the stream (half-close, cancelled after closeTimeout). */
  private void failDial(TunnelException e) {
    boolean wasConnecting = state == State.CONNECTING_LOCAL;
    state = State.CLOSED;
    cancelTimer();
    status(null);
    metrics.dialFailed(e.reason());
    result.completeExceptionally(e);
    if (wasConnecting) {
      sendPacket(Packet.closeRequest(connectId));
    }
    endStream();
  }

  private void sendPacket(Packet p) {
    if (!streamEnded) {
      call.sendMessage(p);
    }
  }

  /** Half-closes the stream; cancels it if the proxy has not ended it within closeTimeout. */
  private void endStream() {
    if (streamEnded) {
      return;
    }
    streamEnded = true;
    call.halfClose();
    loop.schedule(() -> call.cancel("closed", null), options.closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  // ---- the local channel pair ----

  private void connectLocal() {
    Bridge bridgeHandler = new Bridge();
    new ServerBootstrap().group(loop).channel(LocalServerChannel.class)
        .childHandler(bridgeHandler)
        .bind(LocalAddress.ANY).addListener((ChannelFuture bound) -> {
          if (!bound.isSuccess()) {
            failDial(new TunnelException(Reason.TUNNEL_CLOSED, "local bridge: " + bound.cause(), bound.cause()));
            return;
          }
          Channel server = bound.channel();
          new Bootstrap().group(loop).channel(LocalChannel.class)
              .handler(new ChannelInitializer<LocalChannel>() {
                @Override
                protected void initChannel(LocalChannel ch) {
                  ch.pipeline().addLast("konnectivity-meter", new Meter()).addLast(handler);
                }
              })
              .connect(server.localAddress()).addListener((ChannelFuture connected) -> {
                server.close(); // one connection per bridge; the accepted child stays open
                if (!connected.isSuccess()) {
                  failDial(new TunnelException(Reason.TUNNEL_CLOSED, "local bridge: " + connected.cause(),
                      connected.cause()));
                  return;
                }
                if (state != State.CONNECTING_LOCAL && state != State.OPEN) {
                  connected.channel().close();
                  return;
                }
                user = connected.channel();
                user.closeFuture().addListener(f -> {
                  if (bridge != null) {
                    bridge.close();
                  }
                });
                if (!result.complete(user)) {
                  user.close(); // cancelled meanwhile
                }
              });
        });
  }

  private void opened(Channel bridgeEnd) {
    bridge = bridgeEnd;
    if (state != State.CONNECTING_LOCAL) {
      bridgeEnd.close();
      return;
    }
    state = State.OPEN;
    status(DialerMetrics.OK);
    requestMore();
  }

  /** The caller's pipeline read {@code bytes} of what the tunnel delivered. */
  private void consumed(int bytes) {
    unconsumed -= bytes;
    requestMore();
    if (remoteClosed) {
      closeBridgeWhenDrained();
    }
  }

  private void closeBridgeWhenDrained() {
    if (unconsumed <= 0 && bridge != null) {
      bridge.close();
    }
  }

  private void send(ByteBuf buf) {
    try {
      if (state != State.OPEN) {
        return;
      }
      while (buf.isReadable()) {
        byte[] chunk = new byte[Math.min(buf.readableBytes(), MAX_CHUNK)];
        buf.readBytes(chunk);
        sendPacket(Packet.data(connectId, chunk));
      }
      if (!call.isReady()) {
        setSendBlocked(true);
      }
    } finally {
      buf.release();
    }
  }

  /** While the stream is not ready: stop reading what the caller writes and tell it so via writability. */
  private void setSendBlocked(boolean blocked) {
    bridge.config().setAutoRead(!blocked);
    if (user != null) {
      ChannelOutboundBuffer out = user.unsafe().outboundBuffer();
      if (out != null) {
        out.setUserDefinedWritability(WRITABILITY_BIT, !blocked);
      }
    }
  }

  /** The caller closed its channel: {@code CLOSE_REQ}, then wait up to closeTimeout for {@code CLOSE_RSP}. */
  private void startClose() {
    if (state != State.OPEN && state != State.CONNECTING_LOCAL) {
      return;
    }
    state = State.CLOSING;
    status(DialerMetrics.CLOSING);
    sendPacket(Packet.closeRequest(connectId));
    requestMore();
    timer = loop.schedule(() -> {
      if (state == State.CLOSING) {
        log.debug("tunnel to {}: no CLOSE_RSP for connection {} within {}", address, connectId,
            options.closeTimeout());
        finish();
        call.cancel("no CLOSE_RSP", null);
      }
    }, options.closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  private void reset(String message) {
    state = State.CLOSED;
    status(null);
    call.cancel(message, null);
    if (user != null) {
      user.pipeline().fireExceptionCaught(new TunnelException(Reason.TUNNEL_CLOSED, message));
      user.close();
    }
    if (bridge != null) {
      bridge.close();
    }
  }

  private void finish() {
    cancelTimer();
    state = State.CLOSED;
    status(null);
  }

  /**
   * Keeps up to {@link #MAX_OUTSTANDING} messages requested while the connection is open and the caller's pipeline
   * has less than the receive window unread; one at a time otherwise (dialling, closing). Bounds what the tunnel can
   * push at us to the window plus the requested messages.
   */
  private void requestMore() {
    if (state == State.CLOSED || streamEnded) {
      return;
    }
    int limit = state == State.OPEN ? MAX_OUTSTANDING : 1;
    while (outstanding < limit && (state != State.OPEN || unconsumed < options.receiveWindowBytes())) {
      outstanding++;
      call.request(1);
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void status(String to) {
    if (!java.util.Objects.equals(metricStatus, to)) {
      metrics.connectionStatus(metricStatus, to);
      metricStatus = to;
    }
  }

  /** Our end of the local pair: what the caller writes goes to the tunnel. */
  private final class Bridge extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      opened(ctx.channel());
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf buf) {
        send(buf);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      startClose();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("tunnel to {}: local bridge failed", address, cause);
      ctx.close();
    }
  }

  /** First handler of the caller's pipeline: counts what the pipeline reads, to drive the receive window. */
  private final class Meter extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      int bytes = msg instanceof ByteBuf buf ? buf.readableBytes() : 0;
      ctx.fireChannelRead(msg);
      consumed(bytes);
    }
  }
}

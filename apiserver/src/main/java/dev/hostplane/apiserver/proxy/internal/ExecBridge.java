package dev.hostplane.apiserver.proxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdySessionHandler;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * exec and attach for WebSocket clients ({@code v5.channel.k8s.io}, {@code v4.channel.k8s.io}) against a kubelet
 * that speaks SPDY ({@code v4.channel.k8s.io}): one SPDY stream per channel the request asked for ({@code error},
 * {@code stdin}, {@code stdout}, {@code stderr}, {@code resize} with a tty). Client messages on channel 0 (stdin)
 * and 4 (resize) become DATA on those streams, the v5 close signal {@code ff 00} ends stdin (FIN); kubelet DATA on
 * stdout and stderr become messages on channels 1 and 2, and what the kubelet writes on the error stream (the exit
 * Status) is sent on channel 3 when the kubelet ends the session. Then the WebSocket is closed (1000). The server
 * pings the client and the kubelet every {@link WebSockets#PING_SECONDS} s.
 *
 * <p>Threading: the client side runs on the client connection's loop, the kubelet side on the kubelet's; each
 * writes to the other channel (Netty queues the write onto its loop). Backpressure both ways through auto-read.
 */
public final class ExecBridge {
  /** What the request asked for. */
  public record Options(boolean stdin, boolean stdout, boolean stderr, boolean tty) {}

  static final int ERROR = 1;
  static final int STDIN = 3;
  static final int STDOUT = 5;
  static final int STDERR = 7;
  static final int RESIZE = 9;
  /**
   * Client bytes written towards the kubelet but not yet sent (the SPDY session holds DATA beyond the kubelet's
   * window without making the channel unwritable): reading from the client pauses above the high mark and resumes
   * below the low one.
   */
  static final long UNSENT_HIGH = 1024 * 1024;
  static final long UNSENT_LOW = 256 * 1024;

  /** Sent on the error channel when the kubelet connection ends without a Status. */
  static final String LOST = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
      + "\"message\":\"the connection to the kubelet was lost before the command ended\","
      + "\"reason\":\"InternalError\",\"code\":500}";

  private final Options options;
  private final Channel kubelet;
  private final AtomicBoolean finished = new AtomicBoolean();
  /** Completes on the kubelet's loop once the SPDY session is in place and the streams are requested. */
  private final java.util.concurrent.CompletableFuture<Void> opened = new java.util.concurrent.CompletableFuture<>();
  private volatile Channel client;
  private final java.util.concurrent.atomic.AtomicLong unsent = new java.util.concurrent.atomic.AtomicLong();
  private volatile ScheduledFuture<?> pings;
  private ByteBuf status; // kubelet loop only

  public ExecBridge(Options options, Channel kubelet) {
    this.options = options;
    this.kubelet = kubelet;
  }

  /** The handler for the client's pipeline, after the WebSocket codecs. */
  public ChannelInboundHandlerAdapter clientSide() {
    return new ClientSide();
  }

  /**
   * Starts the bridge once the client is upgraded: hands the kubelet connection to the SPDY session, opens the
   * streams and starts the pings.
   */
  public void start(Channel upgradedClient, HeldConnection held) {
    this.client = upgradedClient;
    held.release(new SpdyFrameCodec(SpdyVersion.SPDY_3_1), new EmptyReplies(), new WindowRefunds(), session(),
        new KubeletSide());
    int[] pingId = {1};
    pings = upgradedClient.eventLoop().scheduleAtFixedRate(() -> {
      upgradedClient.writeAndFlush(new PingWebSocketFrame());
      pingId[0] += 2; // client-initiated SPDY ids are odd
      kubelet.writeAndFlush(new DefaultSpdyPingFrame(pingId[0]));
    }, WebSockets.PING_SECONDS, WebSockets.PING_SECONDS, TimeUnit.SECONDS);
    upgradedClient.closeFuture().addListener(f -> closeKubelet());
  }

  /**
   * Closes the kubelet connection below the SPDY session handler, which on a plain close would send GOAWAY and wait
   * for every stream to end: the session is over when either side leaves.
   */
  private void closeKubelet() {
    ChannelHandlerContext codec = kubelet.pipeline().context(SpdyFrameCodec.class);
    if (codec != null) {
      codec.close();
    } else {
      kubelet.close();
    }
  }

  private void finish() {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    ScheduledFuture<?> p = pings;
    if (p != null) {
      p.cancel(false);
    }
    closeKubelet();
    Channel c = client;
    if (c != null && c.isActive()) {
      ByteBuf s = status;
      status = null;
      if (s != null && s.isReadable()) {
        c.write(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(new byte[] {3}), s)));
      } else {
        if (s != null) {
          s.release();
        }
        // The kubelet went away without an exit Status (its connection or the tunnel broke): say so, or the
        // client would take the normal close for success.
        c.write(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(new byte[] {3}),
            Unpooled.copiedBuffer(LOST, java.nio.charset.StandardCharsets.UTF_8))));
      }
      c.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /**
   * Netty's decoder marks a SYN_REPLY whose header block is empty (zero bytes, as Netty's own encoder writes a reply
   * without headers) invalid, and the session handler would reset the stream; such a reply is a plain reply.
   */
  static final class EmptyReplies extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof SpdySynReplyFrame r && r.isInvalid() && r.headers().isEmpty()) {
        DefaultSpdySynReplyFrame valid = new DefaultSpdySynReplyFrame(r.streamId());
        valid.setLast(r.isLast());
        ctx.fireChannelRead(valid);
        return;
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** Receive windows of the kubelet session: kubelets commonly send without waiting for WINDOW_UPDATE. */
  static final int RECEIVE_WINDOW = 64 * 1024 * 1024;
  /** How long a stalled send window waits for a kubelet's first WINDOW_UPDATE before it is taken as never coming. */
  static final long GRANT_WAIT_MILLIS = 500;

  private static SpdySessionHandler session() {
    SpdySessionHandler session = new SpdySessionHandler(SpdyVersion.SPDY_3_1, false);
    session.setSessionReceiveWindowSize(RECEIVE_WINDOW);
    return session;
  }

  /**
   * Flow control towards kubelets, which come in two kinds: those that grant windows with WINDOW_UPDATE (and may
   * enforce them), and those that, like the usual Go SPDY stream library, neither grant nor enforce. Netty's session
   * handler would stop sending stdin for ever after the initial 64 KiB to the second kind. So when DATA has been
   * sent and no WINDOW_UPDATE has arrived for {@link #GRANT_WAIT_MILLIS}, the kubelet is taken as one that never
   * grants: from then on every DATA frame sent is refunded to its stream's and the session's send windows, and
   * backpressure towards the kubelet is the connection's writability alone. A kubelet that has sent one
   * WINDOW_UPDATE has its windows honoured.
   */
  static final class WindowRefunds extends io.netty.channel.ChannelDuplexHandler {
    private boolean grants; // channel loop only
    private boolean refunding;
    private boolean waiting;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof io.netty.handler.codec.spdy.SpdyWindowUpdateFrame) {
        grants = true;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
      int n = msg instanceof SpdyDataFrame d ? d.content().readableBytes() : 0;
      int stream = msg instanceof SpdyDataFrame d ? d.streamId() : 0;
      ctx.write(msg, promise);
      if (n == 0 || grants) {
        return;
      }
      if (refunding) {
        refund(ctx, stream, n);
      } else if (!waiting) {
        waiting = true;
        ctx.executor().schedule(() -> {
          if (!grants && ctx.channel().isActive()) {
            refunding = true;
            // Lift what was already used of the initial windows, then keep them there.
            for (int id : new int[] {STDIN, RESIZE}) {
              refund(ctx, id, 64 * 1024);
            }
          }
        }, GRANT_WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
      }
    }

    private static void refund(ChannelHandlerContext ctx, int stream, int n) {
      ctx.fireChannelRead(new io.netty.handler.codec.spdy.DefaultSpdyWindowUpdateFrame(stream, n));
      ctx.fireChannelRead(new io.netty.handler.codec.spdy.DefaultSpdyWindowUpdateFrame(0, n));
    }
  }

  private final class KubeletSide extends ChannelInboundHandlerAdapter {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      // Before the streams: raise the kubelet's allowance for what it sends us (RECEIVE_WINDOW).
      io.netty.handler.codec.spdy.DefaultSpdySettingsFrame settings =
          new io.netty.handler.codec.spdy.DefaultSpdySettingsFrame();
      settings.setValue(io.netty.handler.codec.spdy.SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE, RECEIVE_WINDOW);
      ctx.write(settings).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
      open(ctx, ERROR, "error");
      if (options.stdin()) {
        open(ctx, STDIN, "stdin");
      }
      if (options.stdout()) {
        open(ctx, STDOUT, "stdout");
      }
      if (options.stderr()) {
        open(ctx, STDERR, "stderr");
      }
      if (options.tty()) {
        open(ctx, RESIZE, "resize");
      }
      ctx.flush();
      opened.complete(null);
    }

    private void open(ChannelHandlerContext ctx, int id, String type) {
      DefaultSpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(id, 0, (byte) 0);
      syn.headers().set("streamtype", type);
      ctx.write(syn).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof SpdyDataFrame d) {
          int channel = switch (d.streamId()) {
            case STDOUT -> 1;
            case STDERR -> 2;
            case ERROR -> 3;
            default -> -1;
          };
          ByteBuf content = d.content();
          if (channel == 3) {
            if (status == null) {
              status = ctx.alloc().buffer();
            }
            status.writeBytes(content);
          } else if (channel > 0 && content.isReadable()) {
            Channel c = client;
            c.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(
                Unpooled.wrappedBuffer(new byte[] {(byte) channel}), content.retain())));
            if (!c.isWritable()) {
              ctx.channel().config().setAutoRead(false); // resumed by the client side when it drains
              if (c.isWritable()) {
                ctx.channel().config().setAutoRead(true); // it drained before the pause took effect
              }
            }
          }
        } else if (msg instanceof SpdyGoAwayFrame) {
          ctx.close();
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      Channel c = client;
      if (ctx.channel().isWritable() && c != null && unsent.get() <= UNSENT_LOW) {
        c.config().setAutoRead(true);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      finish();
      ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      if (status != null) {
        status.release();
        status = null;
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private final class ClientSide extends ChannelInboundHandlerAdapter {
    /** Messages that arrived before the kubelet's streams were requested; client loop only. */
    private final java.util.ArrayDeque<Object> early = new java.util.ArrayDeque<>();
    /** The last stdin DATA written towards the kubelet; client loop only. */
    private io.netty.channel.ChannelFuture lastStdin;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!opened.isDone() || !early.isEmpty()) {
        early.add(msg);
        if (early.size() == 1) {
          ctx.channel().config().setAutoRead(false);
          // Thread hop: completes on the kubelet's loop; the queued messages are replayed on the client's.
          opened.thenRun(() -> ctx.executor().execute(() -> {
            for (Object m = early.poll(); m != null; m = early.poll()) {
              handle(ctx, m);
            }
            ctx.channel().config().setAutoRead(true);
          }));
        }
        return;
      }
      handle(ctx, msg);
    }

    private void handle(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof BinaryWebSocketFrame f) {
          ByteBuf content = f.content();
          if (!content.isReadable()) {
            return;
          }
          int channel = content.readUnsignedByte();
          if (channel == 0 && options.stdin()) {
            toKubelet(ctx, new DefaultSpdyDataFrame(STDIN, content.retain()));
          } else if (channel == 4 && options.tty()) {
            toKubelet(ctx, new DefaultSpdyDataFrame(RESIZE, content.retain()));
          } else if (channel == 255 && content.isReadable() && content.readUnsignedByte() == 0 && options.stdin()) {
            DefaultSpdyDataFrame fin = new DefaultSpdyDataFrame(STDIN);
            fin.setLast(true); // v5 close signal: stdin is at its end
            // Only after every stdin byte has left: the session would send an empty frame ahead of DATA it holds
            // back for the kubelet's window.
            io.netty.channel.ChannelFuture last = lastStdin;
            if (last == null) {
              kubelet.writeAndFlush(fin);
            } else {
              last.addListener(done -> kubelet.writeAndFlush(fin));
            }
          }
          if (!kubelet.isWritable() || unsent.get() > UNSENT_HIGH) {
            ctx.channel().config().setAutoRead(false); // resumed when the kubelet drains (see below)
            if (kubelet.isWritable() && unsent.get() <= UNSENT_LOW) {
              ctx.channel().config().setAutoRead(true); // it drained before the pause took effect
            }
          }
        } else if (msg instanceof PingWebSocketFrame ping) {
          ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
        } else if (msg instanceof CloseWebSocketFrame) {
          ctx.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    /** Writes stdin or resize DATA, counting it as unsent until the session has written it. Client loop. */
    private void toKubelet(ChannelHandlerContext ctx, DefaultSpdyDataFrame frame) {
      int n = frame.content().readableBytes();
      unsent.addAndGet(n);
      Channel self = ctx.channel();
      boolean stdin = frame.streamId() == STDIN;
      io.netty.channel.ChannelFuture written = kubelet.writeAndFlush(frame);
      if (stdin) {
        lastStdin = written;
      }
      written.addListener(f -> {
        // Kubelet loop: the session sent it (its window allowed), or the connection failed.
        if (unsent.addAndGet(-n) <= UNSENT_LOW && kubelet.isWritable()) {
          self.config().setAutoRead(true);
        }
      });
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        kubelet.config().setAutoRead(true);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      for (Object m = early.poll(); m != null; m = early.poll()) {
        ReferenceCountUtil.release(m);
      }
      closeKubelet();
      ScheduledFuture<?> p = pings;
      if (p != null) {
        p.cancel(false);
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

}

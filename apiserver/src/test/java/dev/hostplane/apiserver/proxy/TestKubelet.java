package dev.hostplane.apiserver.proxy;

import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdySessionHandler;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in kubelet for tests: the kubelet API of the shared contract over TLS with client certificates required
 * (verified against {@code ca}). Logs come from {@link #logs}; {@code follow} streams a numbered line every 20 ms
 * (or, with container {@code firehose}, 16 KiB chunks as fast as the connection takes them). exec runs a tiny
 * command set: {@code echo ARGS} (stdout), {@code cat} (stdin to stdout until stdin ends), {@code fail MSG}
 * (stderr), {@code exit N}; attach behaves as {@code cat}; with a tty, resize messages are echoed as
 * {@code resize WxH} on stdout. port-forward echoes each data stream back. Records every request and counts open
 * connections.
 */
final class TestKubelet implements AutoCloseable {
  static final List<String> REMOTE_COMMAND_PROTOCOLS = List.of("v4.channel.k8s.io", "v3.channel.k8s.io",
      "v2.channel.k8s.io", "channel.k8s.io");

  final Map<String, String> logs = new ConcurrentHashMap<>();
  final List<String> requests = new CopyOnWriteArrayList<>();
  final List<String> clientNames = new CopyOnWriteArrayList<>();
  final AtomicInteger open = new AtomicInteger();
  final AtomicLong firehoseBytes = new AtomicLong();
  /** SPDY PINGs received from clients (the apiserver's keepalive). */
  final AtomicInteger pings = new AtomicInteger();
  private final EventLoopGroup loops = new NioEventLoopGroup(2);
  private final Channel listener;

  TestKubelet(CertificateAuthority ca) throws Exception {
    CertifiedKey serving = ca.issueServing("test-kubelet", List.of("localhost"),
        List.of(InetAddress.getByName("127.0.0.1")), Duration.ofDays(1));
    SslContext tls = SslContextBuilder.forServer(serving.privateKey(), serving.certificate())
        .trustManager(ca.certificate()).clientAuth(ClientAuth.REQUIRE).build();
    listener = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            open.incrementAndGet();
            ch.closeFuture().addListener(f -> open.decrementAndGet());
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()))
                .addLast("http", new HttpServerCodec())
                .addLast("aggregator", new HttpObjectAggregator(1 << 20))
                .addLast("api", new Api());
          }
        }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  @Override
  public void close() {
    listener.close();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private final class Api extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
      requests.add(req.method() + " " + req.uri());
      var session = ((io.netty.handler.ssl.SslHandler) ctx.pipeline().get("tls")).engine().getSession();
      clientNames.add(((java.security.cert.X509Certificate) session.getPeerCertificates()[0])
          .getSubjectX500Principal().getName());
      QueryStringDecoder q = new QueryStringDecoder(req.uri());
      String[] path = q.path().substring(1).split("/");
      switch (path[0]) {
        case "healthz" -> text(ctx, 200, "ok");
        case "containerLogs" -> logs(ctx, q, path[1], path[2], path[3]);
        case "exec", "attach" -> upgrade(ctx, req, REMOTE_COMMAND_PROTOCOLS,
            new RemoteCommand(path[0].equals("exec") ? q.parameters().getOrDefault("command", List.of())
                : List.of("cat"), q.parameters()));
        case "portForward" -> upgrade(ctx, req, List.of("portforward.k8s.io"), new PortForward());
        default -> text(ctx, 200, "{\"path\":\"" + q.path() + "\",\"method\":\"" + req.method() + "\"}");
      }
    }

    private void text(ChannelHandlerContext ctx, int code, String body) {
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code),
          Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      res.headers().set("Content-Type", "text/plain").setInt("Content-Length", res.content().readableBytes());
      ctx.writeAndFlush(res);
    }

    private void logs(ChannelHandlerContext ctx, QueryStringDecoder q, String ns, String pod, String container) {
      String key = ns + "/" + pod + "/" + container;
      if (q.parameters().containsKey("previous")) {
        text(ctx, 400, "previous terminated container \"" + container + "\" in pod \"" + pod + "\" not found");
        return;
      }
      String text = logs.get(key);
      if (text == null && !container.equals("firehose")) {
        text(ctx, 404, "container \"" + container + "\" in pod \"" + pod + "\" is not available");
        return;
      }
      boolean follow = q.parameters().containsKey("follow");
      DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set("Content-Type", "text/plain");
      HttpUtil.setTransferEncodingChunked(head, true);
      ctx.write(head);
      if (text != null && !text.isEmpty()) {
        ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
      }
      if (!follow) {
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        return;
      }
      ctx.flush();
      if (container.equals("firehose")) {
        firehose(ctx);
        return;
      }
      AtomicInteger n = new AtomicInteger();
      var tick = ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(new DefaultHttpContent(
          Unpooled.copiedBuffer("line " + n.incrementAndGet() + "\n", StandardCharsets.UTF_8))),
          20, 20, TimeUnit.MILLISECONDS);
      ctx.channel().closeFuture().addListener(f -> tick.cancel(false));
    }

    /** Writes 16 KiB chunks while the connection is writable: how much it wrote shows backpressure. */
    private void firehose(ChannelHandlerContext ctx) {
      byte[] chunk = new byte[16 * 1024];
      java.util.Arrays.fill(chunk, (byte) 'x');
      chunk[chunk.length - 1] = '\n';
      Runnable[] pump = new Runnable[1];
      pump[0] = () -> {
        while (ctx.channel().isActive() && ctx.channel().isWritable()) {
          firehoseBytes.addAndGet(chunk.length);
          ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk)));
        }
      };
      ctx.pipeline().addLast(new ChannelInboundHandlerAdapter() {
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext c) {
          if (c.channel().isWritable()) {
            pump[0].run();
          }
        }
      });
      pump[0].run();
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, List<String> supported,
        ChannelInboundHandlerAdapter session) {
      String chosen = null;
      for (String offered : req.headers().getAll("X-Stream-Protocol-Version")) {
        for (String o : offered.split(",")) {
          if (chosen == null && supported.contains(o.trim())) {
            chosen = o.trim();
          }
        }
      }
      if (!"SPDY/3.1".equalsIgnoreCase(req.headers().get("Upgrade")) || chosen == null) {
        text(ctx, 400, "unable to upgrade: no supported protocol");
        return;
      }
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.SWITCHING_PROTOCOLS);
      res.headers().set("Connection", "Upgrade").set("Upgrade", "SPDY/3.1")
          .set("X-Stream-Protocol-Version", chosen);
      ctx.writeAndFlush(res).addListener(f -> {
        ctx.pipeline().addLast(new SpdyFrameCodec(SpdyVersion.SPDY_3_1), new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext c, Object msg) {
                if (msg instanceof io.netty.handler.codec.spdy.SpdyPingFrame) {
                  pings.incrementAndGet();
                }
                c.fireChannelRead(msg);
              }
            },
            new SpdySessionHandler(SpdyVersion.SPDY_3_1, true), session);
        ctx.pipeline().remove("aggregator");
        ctx.pipeline().remove("http");
        ctx.pipeline().remove(this);
      });
    }
  }

  /**
   * A SYN_REPLY carrying the stream's headers back: with no headers at all Netty writes a zero-length header block,
   * which Go's SPDY framer (kubectl) cannot decompress.
   */
  static DefaultSpdySynReplyFrame reply(SpdySynStreamFrame syn) {
    DefaultSpdySynReplyFrame r = new DefaultSpdySynReplyFrame(syn.streamId());
    r.headers().set(syn.headers());
    return r;
  }

  /** The exec/attach streams of one session. */
  private static final class RemoteCommand extends ChannelInboundHandlerAdapter {
    private final List<String> command;
    private final Map<String, List<String>> params;
    private final Map<String, Integer> streams = new HashMap<>();
    private final Map<Integer, String> types = new HashMap<>();
    private boolean started;
    private boolean ended;

    RemoteCommand(List<String> command, Map<String, List<String>> params) {
      this.command = command;
      this.params = params;
    }

    private int expected() {
      int n = 1;
      for (String p : List.of("input", "output", "error", "tty")) {
        if (params.containsKey(p)) {
          n++;
        }
      }
      return n;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof SpdySynStreamFrame syn) {
          String type = syn.headers().getAsString("streamtype");
          streams.put(type, syn.streamId());
          types.put(syn.streamId(), type);
          ctx.writeAndFlush(reply(syn));
          if (!started && streams.size() == expected()) {
            started = true;
            run(ctx);
          }
        } else if (msg instanceof SpdyDataFrame d) {
          String type = types.get(d.streamId());
          String first = command.isEmpty() ? "" : command.get(0);
          if ("stdin".equals(type) && first.equals("cat")) {
            if (d.content().isReadable()) {
              out(ctx, "stdout", d.content().retainedDuplicate());
            }
            if (d.isLast()) {
              exit(ctx, 0);
            }
          } else if ("resize".equals(type)) {
            out(ctx, "stdout", Unpooled.copiedBuffer("resize " + d.content().toString(StandardCharsets.UTF_8)
                + "\n", StandardCharsets.UTF_8));
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void run(ChannelHandlerContext ctx) {
      String first = command.isEmpty() ? "" : command.get(0);
      List<String> args = command.size() > 1 ? command.subList(1, command.size()) : List.of();
      switch (first) {
        case "echo" -> {
          out(ctx, "stdout", Unpooled.copiedBuffer(String.join(" ", args) + "\n", StandardCharsets.UTF_8));
          exit(ctx, 0);
        }
        case "fail" -> {
          out(ctx, "stderr", Unpooled.copiedBuffer(String.join(" ", args) + "\n", StandardCharsets.UTF_8));
          exit(ctx, 1);
        }
        case "exit" -> exit(ctx, Integer.parseInt(args.get(0)));
        case "cat" -> { } // until stdin ends
        default -> {
          out(ctx, "stderr", Unpooled.copiedBuffer("unknown command " + first + "\n", StandardCharsets.UTF_8));
          exit(ctx, 127);
        }
      }
    }

    private void out(ChannelHandlerContext ctx, String type, ByteBuf data) {
      Integer id = streams.get(type);
      if (id == null) {
        data.release();
        return;
      }
      ctx.writeAndFlush(new DefaultSpdyDataFrame(id, data));
    }

    private void exit(ChannelHandlerContext ctx, int code) {
      if (ended) {
        return;
      }
      ended = true;
      String status = code == 0 ? "{\"metadata\":{},\"status\":\"Success\"}"
          : "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code: "
              + "exit status " + code + "\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":"
              + "\"ExitCode\",\"message\":\"" + code + "\"}]}}";
      DefaultSpdyDataFrame frame = new DefaultSpdyDataFrame(streams.get("error"),
          Unpooled.copiedBuffer(status, StandardCharsets.UTF_8));
      frame.setLast(true);
      // As a kubelet does: the session ends with the command (below the session handler, which would wait for
      // the client to end every stream).
      ChannelHandlerContext codec = ctx.pipeline().context(SpdyFrameCodec.class);
      ctx.writeAndFlush(frame).addListener(f -> codec.close());
    }
  }

  /** port-forward: every data stream is echoed back; the error stream stays silent. */
  private static final class PortForward extends ChannelInboundHandlerAdapter {
    private final Map<Integer, String> types = new HashMap<>();
    final List<String> ports = new ArrayList<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof SpdySynStreamFrame syn) {
          types.put(syn.streamId(), syn.headers().getAsString("streamtype"));
          ports.add(syn.headers().getAsString("port"));
          ctx.writeAndFlush(reply(syn));
        } else if (msg instanceof SpdyDataFrame d && "data".equals(types.get(d.streamId()))) {
          DefaultSpdyDataFrame echo = new DefaultSpdyDataFrame(d.streamId(), d.content().retainedDuplicate());
          echo.setLast(d.isLast());
          ctx.writeAndFlush(echo);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }
  }
}

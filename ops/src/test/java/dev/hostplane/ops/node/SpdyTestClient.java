package dev.hostplane.ops.node;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A SPDY/3.1 client as kubectl and the apiserver speak to a kubelet: an HTTP/1.1 upgrade, then client-opened
 * streams with a {@code streamtype} header. Collects each stream's bytes and FIN; for tests.
 */
final class SpdyTestClient implements AutoCloseable {
  private final EventLoopGroup group = new NioEventLoopGroup(1);
  private final Map<Integer, ByteArrayOutputStream> received = new ConcurrentHashMap<>();
  private final Set<Integer> finished = ConcurrentHashMap.newKeySet();
  private final Set<Integer> replied = ConcurrentHashMap.newKeySet();
  private final Map<Integer, Integer> replyHeaders = new ConcurrentHashMap<>();
  private final BlockingQueue<Integer> pings = new LinkedBlockingQueue<>();
  private final CompletableFuture<FullHttpResponse> upgrade = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private Channel channel;
  private int nextStream = 1;
  String protocol;
  int status;

  /** Connects and sends the upgrade; returns once the server answered (see {@link #status}). */
  static SpdyTestClient connect(SslContext tls, String host, int port, String path, String... protocols)
      throws Exception {
    SpdyTestClient c = new SpdyTestClient();
    c.channel = new Bootstrap().group(c.group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), host, port))
                .addLast("http", new HttpClientCodec()).addLast("aggregate", new HttpObjectAggregator(65536))
                .addLast("client", c.new UpgradeHandler());
          }
        }).connect(host, port).sync().channel();
    DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path);
    req.headers().set("Host", host + ":" + port).set("Connection", "Upgrade").set("Upgrade", "SPDY/3.1")
        .set("Content-Length", 0);
    for (String p : protocols) {
      req.headers().add("X-Stream-Protocol-Version", p);
    }
    c.channel.writeAndFlush(req);
    FullHttpResponse res = c.upgrade.get(10, TimeUnit.SECONDS);
    c.status = res.status().code();
    c.protocol = res.headers().get("X-Stream-Protocol-Version");
    c.body = res.content().toString(StandardCharsets.UTF_8);
    res.release();
    return c;
  }

  String body;

  private final class UpgradeHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
      if (res.status().code() == 101) {
        ctx.pipeline().remove("aggregate");
        ctx.pipeline().replace("http", "spdy", new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
        ctx.pipeline().replace(this, "frames", new FrameHandler());
      }
      upgrade.complete(res.retain());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closed.complete(null);
      upgrade.completeExceptionally(new IllegalStateException("closed before the upgrade"));
    }
  }

  private final class FrameHandler extends SimpleChannelInboundHandler<SpdyFrame> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, SpdyFrame frame) {
      if (frame instanceof SpdySynReplyFrame reply) {
        replyHeaders.put(reply.streamId(), reply.headers().names().size());
        replied.add(reply.streamId());
      } else if (frame instanceof SpdyDataFrame data) {
        ByteBuf content = data.content();
        byte[] bytes = new byte[content.readableBytes()];
        content.readBytes(bytes);
        received.computeIfAbsent(data.streamId(), k -> new ByteArrayOutputStream()).writeBytes(bytes);
        if (data.isLast()) {
          finished.add(data.streamId());
        }
        synchronized (SpdyTestClient.this) {
          SpdyTestClient.this.notifyAll();
        }
      } else if (frame instanceof SpdyPingFrame ping) {
        pings.add(ping.id());
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closed.complete(null);
      synchronized (SpdyTestClient.this) {
        SpdyTestClient.this.notifyAll();
      }
    }
  }

  /** Opens a stream with {@code headers} (name, value, ...) and waits for the server's SYN_REPLY. */
  int open(String... headers) throws Exception {
    int id;
    synchronized (this) {
      id = nextStream;
      nextStream += 2;
    }
    DefaultSpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(id, 0, (byte) 0);
    for (int i = 0; i < headers.length; i += 2) {
      syn.headers().add(headers[i], headers[i + 1]);
    }
    channel.writeAndFlush(syn).sync();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!replied.contains(id)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no SYN_REPLY for stream " + id);
      }
      Thread.sleep(5);
    }
    return id;
  }

  /** How many headers the server's SYN_REPLY for {@code stream} carried. */
  int replyHeaderCount(int stream) {
    return replyHeaders.getOrDefault(stream, -1);
  }

  void send(int stream, byte[] data) throws InterruptedException {
    channel.writeAndFlush(new DefaultSpdyDataFrame(stream, Unpooled.wrappedBuffer(data))).sync();
  }

  void send(int stream, String data) throws InterruptedException {
    send(stream, data.getBytes(StandardCharsets.UTF_8));
  }

  void finish(int stream) throws InterruptedException {
    DefaultSpdyDataFrame fin = new DefaultSpdyDataFrame(stream);
    fin.setLast(true);
    channel.writeAndFlush(fin).sync();
  }

  void ping(int id) throws InterruptedException {
    channel.writeAndFlush(new DefaultSpdyPingFrame(id)).sync();
  }

  Integer nextPing(long seconds) throws InterruptedException {
    return pings.poll(seconds, TimeUnit.SECONDS);
  }

  byte[] bytes(int stream) {
    ByteArrayOutputStream b = received.get(stream);
    synchronized (this) {
      return b == null ? new byte[0] : b.toByteArray();
    }
  }

  String text(int stream) {
    return new String(bytes(stream), StandardCharsets.UTF_8);
  }

  /** Waits until the stream got a FIN or the connection closed. */
  synchronized boolean awaitFinished(int stream, long seconds) throws InterruptedException {
    long deadline = System.currentTimeMillis() + seconds * 1000;
    while (!finished.contains(stream) && !closed.isDone()) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  /** Waits until {@code stream} received at least {@code n} bytes. */
  synchronized boolean awaitBytes(int stream, int n, long seconds) throws InterruptedException {
    long deadline = System.currentTimeMillis() + seconds * 1000;
    while (bytes(stream).length < n) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0 || closed.isDone()) {
        return bytes(stream).length >= n;
      }
      wait(left);
    }
    return true;
  }

  boolean awaitClosed(long seconds) {
    try {
      closed.get(seconds, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}

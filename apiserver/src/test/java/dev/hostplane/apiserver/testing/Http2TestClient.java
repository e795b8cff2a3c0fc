package dev.hostplane.apiserver.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A raw HTTP/2 client over TLS (Netty), for tests that need to see or control frames: it records the server's
 * SETTINGS, PINGs and GOAWAY, acknowledges PINGs (as every HTTP/2 client must) and sends nothing on its own. Owns
 * one event loop thread, stopped by {@link #close()}.
 */
public final class Http2TestClient implements AutoCloseable {
  private final EventLoopGroup group;
  private final Channel channel;
  private final InetSocketAddress address;
  private final BlockingQueue<Long> pings = new LinkedBlockingQueue<>();
  private final CompletableFuture<Http2Settings> remoteSettings = new CompletableFuture<>();
  private final CompletableFuture<Long> goAway = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  private Http2TestClient(EventLoopGroup group, Channel channel, InetSocketAddress address) {
    this.group = group;
    this.channel = channel;
    this.address = address;
  }

  /** Connects with ALPN h2 only, trusting {@code ca}; fails if the server does not pick h2. */
  public static Http2TestClient connect(InetSocketAddress address, X509Certificate ca, Duration timeout)
      throws Exception {
    return connect(address, ca, timeout, true);
  }

  /** As {@link #connect(InetSocketAddress, X509Certificate, Duration)}; {@code ackPings} false plays dead. */
  public static Http2TestClient connect(InetSocketAddress address, X509Certificate ca, Duration timeout,
      boolean ackPings) throws Exception {
    SslContext ssl = SslContextBuilder.forClient()
        .sslProvider(SslProvider.JDK)
        .trustManager(ca)
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
        .build();
    EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("h2-test-client"));
    CompletableFuture<Http2TestClient> ready = new CompletableFuture<>();
    Http2TestClient[] self = new Http2TestClient[1];
    try {
      Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(ssl.newHandler(ch.alloc(), address.getHostString(), address.getPort()));
              ch.pipeline().addLast(new ApplicationProtocolNegotiationHandler("none") {
                @Override
                protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                  if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                    ready.completeExceptionally(new IllegalStateException("server chose " + protocol));
                    ctx.close();
                    return;
                  }
                  Http2TestClient client = new Http2TestClient(group, ctx.channel(), address);
                  self[0] = client;
                  ctx.pipeline().addLast(Http2FrameCodecBuilder.forClient().autoAckPingFrame(ackPings).build());
                  ctx.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                  ctx.pipeline().addLast(client.new ConnectionRecorder());
                  ctx.channel().closeFuture().addListener(f -> client.closed.complete(null));
                  ready.complete(client);
                }

                @Override
                protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                  ready.completeExceptionally(cause);
                  ctx.close();
                }
              });
            }
          });
      Channel ch = b.connect(address).sync().channel();
      ch.closeFuture().addListener(f -> ready.completeExceptionally(new IllegalStateException("closed")));
      return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
  }

  public Channel channel() {
    return channel;
  }

  /** Non-ACK PINGs received from the server (payloads), in order. */
  public BlockingQueue<Long> pings() {
    return pings;
  }

  public Http2Settings remoteSettings(Duration timeout) throws Exception {
    return remoteSettings.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Completes with the error code of the server's first GOAWAY. */
  public CompletableFuture<Long> goAway() {
    return goAway;
  }

  /** Completes when the connection closes, for any reason. */
  public CompletableFuture<Void> closed() {
    return closed;
  }

  /** Opens a stream and sends {@code method path} with no body. */
  public Stream request(String method, String path) throws Exception {
    return open(headers(method, path), true);
  }

  /** GET {@code path}, waiting for the whole response. */
  public Response get(String path, Duration timeout) throws Exception {
    return request("GET", path).response(timeout);
  }

  public Http2Headers headers(String method, String path) {
    return new DefaultHttp2Headers().method(method).path(path).scheme("https")
        .authority(address.getHostString() + ":" + address.getPort());
  }

  public Stream open(Http2Headers headers, boolean endStream) throws Exception {
    Stream stream = new Stream();
    Http2StreamChannel ch = new Http2StreamChannelBootstrap(channel).handler(stream.new Recorder()).open()
        .get(5, TimeUnit.SECONDS);
    stream.channel = ch;
    ch.writeAndFlush(new DefaultHttp2HeadersFrame(headers, endStream)).sync();
    return stream;
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** A complete response. */
  public record Response(Http2Headers headers, byte[] body) {
    public int status() {
      return Integer.parseInt(headers.status().toString());
    }
  }

  /** One request/response stream; events are queued as they arrive. */
  public final class Stream {
    /** Markers in {@link #events()} besides Http2Headers and byte[] chunks. */
    public static final Object END_STREAM = "END_STREAM";
    public static final Object RESET = "RESET";
    public static final Object CLOSED = "CLOSED";

    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private volatile Http2StreamChannel channel;

    public BlockingQueue<Object> events() {
      return events;
    }

    public Http2StreamChannel channel() {
      return channel;
    }

    public Object next(Duration timeout) throws Exception {
      Object o = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (o == null) {
        throw new TimeoutException("no stream event within " + timeout);
      }
      return o;
    }

    public void data(byte[] bytes, boolean endStream) throws Exception {
      channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), endStream)).sync();
    }

    /** Sends RST_STREAM(CANCEL), as a client does when it gives up on a response. */
    public void reset() throws Exception {
      channel.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL)).sync();
    }

    /** Collects headers and data up to END_STREAM; fails on a reset or close. */
    public Response response(Duration timeout) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      Http2Headers headers = null;
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        Object o = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        if (o instanceof Http2Headers h) {
          boolean informational = h.status() != null && h.status().toString().startsWith("1");
          if (headers == null && !informational) {
            headers = h; // later headers would be trailers
          }
        } else if (o instanceof byte[] b) {
          body.write(b);
        } else if (o == END_STREAM) {
          return new Response(headers, body.toByteArray());
        } else {
          throw new IllegalStateException("stream ended without END_STREAM: " + o);
        }
      }
    }

    final class Recorder extends ChannelInboundHandlerAdapter {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
          if (msg instanceof Http2HeadersFrame h) {
            events.add(h.headers());
            if (h.isEndStream()) {
              events.add(END_STREAM);
            }
          } else if (msg instanceof Http2DataFrame d) {
            if (d.content().isReadable()) {
              events.add(ByteBufUtil.getBytes(d.content()));
            }
            if (d.isEndStream()) {
              events.add(END_STREAM);
            }
          }
        } finally {
          ReferenceCountUtil.release(msg);
        }
      }

      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame) {
          events.add(RESET);
        }
        ctx.fireUserEventTriggered(evt);
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        events.add(CLOSED);
        ctx.fireChannelInactive();
      }
    }
  }

  private final class ConnectionRecorder extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2SettingsFrame s) {
          remoteSettings.complete(s.settings());
        } else if (msg instanceof Http2PingFrame p && !p.ack()) {
          pings.add(p.content());
        } else if (msg instanceof Http2GoAwayFrame g) {
          goAway.complete(g.errorCode());
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}

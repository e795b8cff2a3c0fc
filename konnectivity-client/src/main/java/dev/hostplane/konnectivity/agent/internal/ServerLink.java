package dev.hostplane.konnectivity.agent.internal;

import dev.hostplane.konnectivity.wire.Packet;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code AgentService/Connect} stream to one proxy-server and the destination connections it carries.
 * gRPC callbacks arrive serialized on the channel's executor; destination callbacks on Netty event loops. Calls
 * into the gRPC call ({@code sendMessage}, {@code request}) are serialized on this object, since a call is not
 * thread-safe.
 */
public final class ServerLink extends ClientCall.Listener<Packet> {
  public static final String UNKNOWN_CONNECT_ID = "Unknown connectID";
  private static final Logger log = LoggerFactory.getLogger(ServerLink.class);

  private final ManagedChannel channel;
  private final ClientCall<Packet, Packet> call;
  private final EventLoopGroup group;
  private final AtomicLong connectIds;
  private final Duration dialTimeout;
  private final Events events;
  private final AgentMetrics metrics;
  private final Map<Long, Endpoint> endpoints = new ConcurrentHashMap<>();
  private final Map<Long, ChannelFuture> pendingDials = new ConcurrentHashMap<>();
  private final List<Runnable> waiting = new ArrayList<>();
  private volatile String serverId;
  private volatile int serverCount = 1;
  private boolean closed;

  /** What the agent learns from a link. Called on the gRPC executor. */
  public interface Events {
    void established(ServerLink link);

    void closed(ServerLink link, Status status);
  }

  public ServerLink(ManagedChannel channel, ClientCall<Packet, Packet> call, EventLoopGroup group,
      AtomicLong connectIds, Duration dialTimeout, Events events, AgentMetrics metrics) {
    this.channel = channel;
    this.call = call;
    this.group = group;
    this.connectIds = connectIds;
    this.dialTimeout = dialTimeout;
    this.events = events;
    this.metrics = metrics;
  }

  public String serverId() {
    return serverId;
  }

  public int serverCount() {
    return serverCount;
  }

  public int openEndpoints() {
    return endpoints.size();
  }

  /** Starts the stream with the given metadata. */
  public void start(Metadata headers) {
    synchronized (this) {
      call.start(this, headers);
      call.request(1);
    }
  }

  public void send(Packet p) {
    synchronized (this) {
      if (!closed) {
        call.sendMessage(p);
      }
    }
  }

  private void requestNext() {
    synchronized (this) {
      if (!closed) {
        call.request(1);
      }
    }
  }

  private void whenReady(Runnable r) {
    boolean now;
    synchronized (this) {
      now = closed || call.isReady();
      if (!now) {
        waiting.add(r);
      }
    }
    if (now) {
      r.run();
    }
  }

  /** Cancels the stream and closes every destination connection. */
  public void cancel(String why) {
    synchronized (this) {
      if (!closed) {
        call.cancel(why, null);
      }
    }
    channel.shutdownNow();
  }

  @Override
  public void onHeaders(Metadata headers) {
    serverId = headers.get(Metadata.Key.of("serverID", Metadata.ASCII_STRING_MARSHALLER));
    String count = headers.get(Metadata.Key.of("serverCount", Metadata.ASCII_STRING_MARSHALLER));
    try {
      serverCount = count == null ? 1 : Math.max(1, Integer.parseInt(count.trim()));
    } catch (NumberFormatException e) {
      log.warn("proxy-server sent a malformed serverCount {}", count);
    }
    if (serverId == null) {
      serverId = "";
    }
    events.established(this);
  }

  @Override
  public void onReady() {
    List<Runnable> release;
    synchronized (this) {
      if (!closed && !call.isReady()) {
        return;
      }
      release = new ArrayList<>(waiting);
      waiting.clear();
    }
    release.forEach(Runnable::run);
  }

  @Override
  public void onMessage(Packet p) {
    switch (p.type()) {
      case DIAL_REQ -> dial((Packet.DialRequest) p.payload());
      case DIAL_CLS -> {
        ChannelFuture f = pendingDials.remove(((Packet.CloseDial) p.payload()).random());
        if (f != null) {
          f.channel().close();
        }
        requestNext();
      }
      case DATA -> {
        Packet.Data d = (Packet.Data) p.payload();
        Endpoint e = endpoints.get(d.connectId());
        if (e == null) {
          send(Packet.closeResponse(d.connectId(), UNKNOWN_CONNECT_ID));
          requestNext();
        } else {
          e.write(d.data(), this::requestNext);
        }
      }
      case CLOSE_REQ -> {
        long id = ((Packet.CloseRequest) p.payload()).connectId();
        Endpoint e = endpoints.get(id);
        if (e == null) {
          send(Packet.closeResponse(id, UNKNOWN_CONNECT_ID));
        } else {
          // channelInactive answers CLOSE_RSP.
          e.channel.close();
        }
        requestNext();
      }
      default -> {
        log.debug("ignoring {} from the proxy-server", p.type());
        requestNext();
      }
    }
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    List<Runnable> release;
    synchronized (this) {
      closed = true;
      release = new ArrayList<>(waiting);
      waiting.clear();
    }
    List<Endpoint> open = new ArrayList<>(endpoints.values());
    endpoints.clear();
    open.forEach(e -> e.channel.close());
    pendingDials.values().forEach(f -> f.channel().close());
    pendingDials.clear();
    release.forEach(Runnable::run);
    channel.shutdownNow();
    events.closed(this, status);
  }

  private void dial(Packet.DialRequest req) {
    long random = req.random();
    if (!"tcp".equals(req.protocol())) {
      send(Packet.dialResponse(random, 0, "protocol not supported: " + req.protocol()));
      requestNext();
      return;
    }
    String host;
    int port;
    try {
      int colon = req.address().lastIndexOf(':');
      host = req.address().substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      port = Integer.parseInt(req.address().substring(colon + 1));
    } catch (RuntimeException e) {
      send(Packet.dialResponse(random, 0, "invalid address \"" + req.address() + "\""));
      requestNext();
      return;
    }
    long id = connectIds.incrementAndGet();
    Endpoint endpoint = new Endpoint(id);
    ChannelFuture f = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) dialTimeout.toMillis())
        .option(ChannelOption.AUTO_READ, false)
        .handler(endpoint)
        .connect(host, port);
    pendingDials.put(random, f);
    long started = System.nanoTime();
    f.addListener((ChannelFuture done) -> {
      // On the destination's event loop.
      if (pendingDials.remove(random) == null) {
        done.channel().close();
        return;
      }
      if (!done.isSuccess()) {
        metrics.dialFailed(done.cause() instanceof io.netty.channel.ConnectTimeoutException
            ? AgentMetrics.DialFailure.TIMEOUT : AgentMetrics.DialFailure.UNKNOWN);
        send(Packet.dialResponse(random, 0, "dial tcp " + req.address() + ": " + done.cause().getMessage()));
        return;
      }
      metrics.dialed(System.nanoTime() - started);
      endpoint.channel = done.channel();
      endpoints.put(id, endpoint);
      send(Packet.dialResponse(random, id, ""));
      done.channel().read();
    });
    requestNext();
  }

  /** One destination connection; every handler method runs on its event loop. */
  private final class Endpoint extends ChannelInboundHandlerAdapter {
    private final long id;
    private volatile Channel channel;
    private Runnable resumeWhenWritable;

    Endpoint(long id) {
      this.id = id;
    }

    /** Writes {@code bytes}; {@code next} runs once the destination can take more. */
    void write(byte[] bytes, Runnable next) {
      Channel ch = channel;
      ch.writeAndFlush(Unpooled.wrappedBuffer(bytes));
      ch.eventLoop().execute(() -> {
        if (ch.isWritable() || !ch.isActive()) {
          next.run();
        } else {
          resumeWhenWritable = next;
        }
      });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      byte[] bytes = new byte[buf.readableBytes()];
      buf.readBytes(bytes);
      buf.release();
      send(Packet.data(id, bytes));
      Channel ch = ctx.channel();
      // Stop reading the destination while the stream to the server is not ready.
      whenReady(ch::read);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        resume();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      resume();
      if (endpoints.remove(id, this)) {
        send(Packet.closeResponse(id, ""));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("connection {}: {}", id, cause.toString());
      ctx.close();
    }

    private void resume() {
      Runnable r = resumeWhenWritable;
      resumeWhenWritable = null;
      if (r != null) {
        r.run();
      }
    }
  }

}

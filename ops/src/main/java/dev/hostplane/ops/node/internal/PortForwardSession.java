package dev.hostplane.ops.node.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.spdy.SpdyHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A port-forward session ({@code portforward.k8s.io}) over SPDY: per forwarded connection the client opens an
 * {@code error} and a {@code data} stream with the same {@code requestid} and a {@code port}; the node then connects
 * to node-ip:port (the pod's address) and copies bytes both ways. A failed connection is reported as text on the
 * error stream. Everything runs on the session's event loop, the pod connections included. Backpressure: a pod
 * connection stops reading while the session is unwritable; the session stops reading while a pod connection is
 * unwritable.
 */
public final class PortForwardSession implements SpdyConnection.Handler {
  private final String host;
  private final PodRuntime pod;
  private final Map<String, Forward> byRequest = new HashMap<>();
  private final Map<Integer, Forward> byStream = new HashMap<>();
  private SpdyConnection connection;

  /** One forwarded connection. */
  private final class Forward {
    final String requestId;
    int port = -1;
    int errorStream = -1;
    int dataStream = -1;
    Channel target;
    final List<ByteBuf> pending = new ArrayList<>();
    boolean clientFinished;
    boolean done;

    Forward(String requestId) {
      this.requestId = requestId;
    }
  }

  public PortForwardSession(String host, PodRuntime pod) {
    this.host = host;
    this.pod = pod;
  }

  @Override
  public void streamOpened(SpdyConnection connection, int streamId, SpdyHeaders headers) {
    this.connection = connection;
    String type = headers.getAsString("streamtype");
    String requestId = headers.getAsString("requestid");
    String port = headers.getAsString("port");
    if (type == null || requestId == null || port == null) {
      connection.reset(streamId);
      return;
    }
    Forward f = byRequest.computeIfAbsent(requestId, Forward::new);
    byStream.put(streamId, f);
    try {
      f.port = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      f.port = -1;
    }
    if (type.equals("error")) {
      f.errorStream = streamId;
    } else if (type.equals("data")) {
      f.dataStream = streamId;
    } else {
      connection.reset(streamId);
      return;
    }
    if (f.errorStream >= 0 && f.dataStream >= 0) {
      connect(f);
    }
  }

  private void connect(Forward f) {
    if (f.port <= 0 || f.port > 65535) {
      fail(f, "invalid port " + f.port);
      return;
    }
    Bootstrap b = new Bootstrap().group(connection.channel().eventLoop()).channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000).option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new TargetHandler(f));
          }
        });
    b.connect(host, f.port).addListener((ChannelFutureListener) future -> {
      if (!future.isSuccess()) {
        fail(f, "dial tcp " + host + ":" + f.port + ": connect: " + rootMessage(future.cause()));
        return;
      }
      f.target = future.channel();
      for (ByteBuf buf : f.pending) {
        f.target.write(buf);
      }
      f.pending.clear();
      f.target.flush();
      f.target.config().setAutoRead(connection.channel().isWritable());
      if (f.clientFinished) {
        ((DuplexChannel) f.target).shutdownOutput();
      }
    });
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.toString() : t.getMessage();
    return m.toLowerCase().contains("connection refused") ? "connection refused" : m;
  }

  private void fail(Forward f, String error) {
    String message = "error forwarding port " + f.port + " to pod " + pod.name() + ", uid " + pod.uid() + ": "
        + error;
    connection.write(f.errorStream, message.getBytes(StandardCharsets.UTF_8));
    end(f);
  }

  private void end(Forward f) {
    if (f.done) {
      return;
    }
    f.done = true;
    connection.finish(f.errorStream);
    connection.finish(f.dataStream);
    byStream.remove(f.errorStream);
    byStream.remove(f.dataStream);
    byRequest.remove(f.requestId);
    f.pending.forEach(ByteBuf::release);
    f.pending.clear();
    if (f.target != null) {
      f.target.close();
    }
  }

  /** The pod side of one forwarded connection: its bytes go to the data stream. */
  private final class TargetHandler extends ChannelInboundHandlerAdapter {
    private final Forward f;

    TargetHandler(Forward f) {
      this.f = f;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      if (f.done) {
        buf.release();
        return;
      }
      connection.write(f.dataStream, buf);
      if (!connection.channel().isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
        // The pod closed its side: end the stream towards the client.
        end(f);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        connection.channel().config().setAutoRead(true);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      end(f);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  @Override
  public void data(int streamId, ByteBuf data) {
    Forward f = byStream.get(streamId);
    if (f == null || streamId != f.dataStream || f.done) {
      data.release();
      return;
    }
    if (f.target == null) {
      // Connecting to a local port takes a moment; what the client sends meanwhile is small and kept.
      f.pending.add(data);
      return;
    }
    ChannelFuture w = f.target.writeAndFlush(data);
    if (!f.target.isWritable()) {
      connection.channel().config().setAutoRead(false);
    }
    w.addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
  }

  @Override
  public void remoteClosed(int streamId, boolean reset) {
    Forward f = byStream.get(streamId);
    if (f == null) {
      return;
    }
    if (reset) {
      end(f);
    } else if (streamId == f.dataStream) {
      f.clientFinished = true;
      if (f.target != null && f.target.isActive()) {
        ((DuplexChannel) f.target).shutdownOutput();
      }
    }
  }

  @Override
  public void writabilityChanged(boolean writable) {
    for (Forward f : byRequest.values()) {
      if (f.target != null) {
        f.target.config().setAutoRead(writable);
      }
    }
  }

  @Override
  public void closed() {
    for (Forward f : List.copyOf(byRequest.values())) {
      f.done = true;
      f.pending.forEach(ByteBuf::release);
      if (f.target != null) {
        f.target.close();
      }
    }
    byRequest.clear();
    byStream.clear();
  }
}

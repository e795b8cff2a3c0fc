package dev.hostplane.konnectivity.server.internal;

import dev.hostplane.konnectivity.wire.Packet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * One connection of the HTTP-CONNECT frontend ({@code --mode=http-connect}): reads {@code CONNECT host:port
 * HTTP/1.1} and its headers, dials through the {@link Tunnel} like a gRPC frontend's DIAL_REQ, answers {@code 200
 * Connection Established} (or 502 / 504 with the error text) and then carries raw bytes both ways as DATA packets.
 * Inbound flow control: auto-read is off once the request is in; the tunnel asks for each next read once the
 * agent's stream can take more. Outbound: the agent's next packet is requested once this channel is writable.
 */
public final class HttpConnectFrontend extends ChannelInboundHandlerAdapter {
  /** Longest request head accepted. */
  static final int MAX_HEAD = 8192;
  private static final Pattern AUTHORITY = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[^\\s:/\\[\\]@]+):([0-9]{1,5})");

  private enum State { HEAD, DIALING, OPEN, CLOSED }

  private final Tunnel tunnel;
  /** Guarded by the channel's event loop. */
  private State state = State.HEAD;
  private ByteBuf head;
  private final List<ByteBuf> early = new ArrayList<>();
  private Channel channel;
  private Frontend frontend;
  private long random;
  private volatile long connectId;
  private final Sink sink = new Sink();

  public HttpConnectFrontend(Tunnel tunnel) {
    this.tunnel = tunnel;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    head = ctx.alloc().buffer(256);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    switch (state) {
      case HEAD -> readHead(ctx, in);
      case DIALING -> early.add(in);
      case OPEN -> tunnel.onFrontendPacket(frontend, Packet.data(connectId, bytes(in)));
      case CLOSED -> in.release();
    }
  }

  private void readHead(ChannelHandlerContext ctx, ByteBuf in) {
    try {
      head.writeBytes(in);
    } finally {
      in.release();
    }
    int end = ByteBufUtil.indexOf(Unpooled.wrappedBuffer(new byte[] {'\r', '\n', '\r', '\n'}), head);
    if (end < 0) {
      if (head.readableBytes() > MAX_HEAD) {
        refuse(400, "Bad Request", "request head longer than " + MAX_HEAD + " bytes");
      }
      return;
    }
    String text = head.toString(head.readerIndex(), end - head.readerIndex(), StandardCharsets.ISO_8859_1);
    head.readerIndex(end + 4);
    if (head.isReadable()) {
      early.add(head.retainedSlice());
    }
    head.release();
    head = null;
    String[] line = text.split("\r\n", 2)[0].split(" ");
    if (line.length != 3 || !line[2].startsWith("HTTP/1.")) {
      refuse(400, "Bad Request", "malformed request line");
      return;
    }
    if (!line[0].equals("CONNECT")) {
      refuse(405, "Method Not Allowed", "this proxy only supports CONNECT passthrough");
      return;
    }
    var m = AUTHORITY.matcher(line[1]);
    if (!m.matches() || Integer.parseInt(m.group(2)) > 65535) {
      refuse(400, "Bad Request", "CONNECT target must be host:port, got \"" + line[1] + "\"");
      return;
    }
    state = State.DIALING;
    ctx.channel().config().setAutoRead(false);
    frontend = tunnel.connectFrontend(sink, ctx::read);
    random = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    tunnel.onFrontendPacket(frontend, Packet.dialRequest(line[1], random));
  }

  /** On the event loop: the agent's answer to our dial. */
  private void dialed(Packet.DialResponse rsp) {
    if (state != State.DIALING) {
      return;
    }
    if (!rsp.error().isEmpty()) {
      boolean timeout = rsp.error().equals(Tunnel.DIAL_TIMEOUT);
      refuse(timeout ? 504 : 502, timeout ? "Gateway Timeout" : "Bad Gateway", rsp.error());
      return;
    }
    connectId = rsp.connectId();
    state = State.OPEN;
    channel.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 200 Connection Established\r\n\r\n",
        StandardCharsets.ISO_8859_1));
    if (early.isEmpty()) {
      channel.read();
    } else {
      for (ByteBuf b : early) {
        tunnel.onFrontendPacket(frontend, Packet.data(connectId, bytes(b)));
      }
      early.clear();
    }
  }

  private static byte[] bytes(ByteBuf b) {
    try {
      return ByteBufUtil.getBytes(b);
    } finally {
      b.release();
    }
  }

  /** Answers {@code code} with {@code text} as a plain-text body and closes the connection. */
  private void refuse(int code, String reason, String text) {
    state = State.CLOSED;
    byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
    String rsp = "HTTP/1.1 " + code + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
        + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
    ByteBuf out = Unpooled.wrappedBuffer(rsp.getBytes(StandardCharsets.ISO_8859_1), body);
    channel.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      sink.release();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    state = State.CLOSED;
    if (head != null) {
      head.release();
      head = null;
    }
    early.forEach(ByteBuf::release);
    early.clear();
    if (frontend != null) {
      tunnel.frontendGone(frontend); // CLOSE_REQ to the agent for the open connection, DIAL_CLS for a pending dial
    }
    sink.release();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  /** The tunnel's side: packets for this connection, from any thread, handled on the channel's loop. */
  private final class Sink implements PacketSink {
    private final List<Runnable> waiting = new ArrayList<>();

    @Override
    public void send(Packet p) {
      onLoop(() -> {
        if (p.payload() instanceof Packet.DialResponse rsp) {
          dialed(rsp);
        } else if (p.payload() instanceof Packet.Data d) {
          if (state == State.OPEN && d.data().length > 0) {
            channel.writeAndFlush(Unpooled.wrappedBuffer(d.data()));
          }
        } else if (p.payload() instanceof Packet.CloseResponse) {
          closeAfterWrites();
        }
      });
    }

    @Override
    public void whenReady(Runnable r) {
      // On the loop, after the packets sent before: writability then reflects them.
      onLoop(() -> {
        boolean now;
        synchronized (this) {
          now = !channel.isActive() || channel.isWritable();
          if (!now) {
            waiting.add(r);
          }
        }
        if (now) {
          r.run();
        }
      });
    }

    @Override
    public void complete() {
      onLoop(HttpConnectFrontend.this::closeAfterWrites);
      release();
    }

    /** Runs {@code r} on the channel's loop; when the loop is gone (server shutting down), runs it here. */
    private void onLoop(Runnable r) {
      try {
        channel.eventLoop().execute(r);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        r.run();
      }
    }

    void release() {
      List<Runnable> run;
      synchronized (this) {
        run = new ArrayList<>(waiting);
        waiting.clear();
      }
      run.forEach(Runnable::run);
    }
  }

  /** The agent closed the connection (or the tunnel ended): flush what was written, then close. */
  private void closeAfterWrites() {
    if (state == State.DIALING) {
      refuse(502, "Bad Gateway", "connection closed before the dial completed");
      return;
    }
    state = State.CLOSED;
    if (channel.isActive()) {
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }
}

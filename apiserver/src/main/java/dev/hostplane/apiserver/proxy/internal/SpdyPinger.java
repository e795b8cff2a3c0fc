package dev.hostplane.apiserver.proxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one direction of a relayed SPDY session alive across idle-resetting middleboxes: when nothing was written
 * towards {@code target} for a whole period, a SPDY PING is slipped in between two frames. The relay reports every
 * byte it writes ({@link #observe}), from which the frame boundaries are tracked (8-byte header, 24-bit length).
 * Ping ids come from a range the endpoints do not use ({@code 0x7f000000} and up), with the parity of the side the
 * ping pretends to come from: the receiver answers, and the other endpoint, seeing an answer to a ping it never
 * sent, ignores it (as Go's spdystream and Netty's session handler do).
 *
 * <p>Threading: {@link #observe} and the pings run on the loop that writes to {@code target} (the reading side's
 * loop), so a ping never lands inside a frame.
 */
public final class SpdyPinger {
  private final Channel target;
  private final boolean asClient;
  private int headerHave;
  private long length;
  private long bodyLeft;
  private boolean wrote;
  private int nextId;
  private ScheduledFuture<?> timer;

  /**
   * @param target where pings are written
   * @param asClient whether the pings carry client-initiated (odd) ids: towards the kubelet; else even ids, towards
   *     the client
   */
  public SpdyPinger(Channel target, boolean asClient) {
    this.target = target;
    this.asClient = asClient;
    this.nextId = asClient ? 0x7f000001 : 0x7f000000;
  }

  /** Starts pinging from {@code loop}'s thread (the writer's) every {@code seconds}; stops when target closes. */
  public void start(io.netty.util.concurrent.EventExecutor loop, long seconds) {
    timer = loop.scheduleAtFixedRate(this::tick, seconds, seconds, TimeUnit.SECONDS);
    target.closeFuture().addListener(f -> timer.cancel(false));
  }

  /** The relay wrote {@code b} (not yet consumed) to the target. */
  public void observe(ByteBuf b) {
    wrote = true;
    int i = b.readerIndex();
    int end = b.writerIndex();
    while (i < end) {
      if (bodyLeft > 0) {
        int n = (int) Math.min(bodyLeft, end - i);
        bodyLeft -= n;
        i += n;
      } else {
        if (headerHave == 0) {
          length = 0;
        }
        if (headerHave >= 5) {
          length = (length << 8) | (b.getByte(i) & 0xff);
        }
        i++;
        if (++headerHave == 8) {
          headerHave = 0;
          bodyLeft = length;
        }
      }
    }
  }

  boolean atBoundary() {
    return headerHave == 0 && bodyLeft == 0;
  }

  void tick() {
    if (wrote || !atBoundary() || !target.isActive()) {
      wrote = false;
      return;
    }
    int id = nextId;
    nextId += 2;
    if (nextId < 0) {
      nextId = asClient ? 0x7f000001 : 0x7f000000;
    }
    target.writeAndFlush(ping(id));
  }

  /** A SPDY/3.1 PING control frame. */
  static ByteBuf ping(int id) {
    ByteBuf b = Unpooled.buffer(12);
    b.writeShort(0x8003).writeShort(6).writeInt(4).writeInt(id);
    return b;
  }
}

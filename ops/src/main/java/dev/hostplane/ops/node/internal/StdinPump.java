package dev.hostplane.ops.node.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Carries a client's stdin into a process without blocking the event loop: the loop queues chunks, a thread of its
 * own writes them to the process. Bounded: beyond {@link #HIGH_WATER} queued bytes the channel stops reading until
 * the process has taken them.
 */
final class StdinPump {
  static final long HIGH_WATER = 256 * 1024;
  private static final byte[] EOF = new byte[0];

  private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queued = new AtomicLong();
  private final Channel channel;
  private final boolean closeAtEof;

  /** @param closeAtEof close {@code out} at the client's EOF (exec); attach leaves the container's stdin open */
  StdinPump(Channel channel, CompletableFuture<OutputStream> out, String name, boolean closeAtEof) {
    this.channel = channel;
    this.closeAtEof = closeAtEof;
    Thread t = new Thread(() -> run(out), "stdin-" + name);
    t.setDaemon(true);
    t.start();
  }

  /** On the event loop: queue {@code data} (released here). */
  void offer(ByteBuf data) {
    byte[] bytes = new byte[data.readableBytes()];
    data.readBytes(bytes);
    data.release();
    if (bytes.length == 0) {
      return;
    }
    queue.add(bytes);
    if (queued.addAndGet(bytes.length) > HIGH_WATER) {
      channel.config().setAutoRead(false);
    }
  }

  /** The client's stdin ended (or the session did). */
  void eof() {
    queue.add(EOF);
  }

  private void run(CompletableFuture<OutputStream> target) {
    OutputStream out = OutputStream.nullOutputStream();
    try {
      try {
        out = target.get();
      } catch (java.util.concurrent.ExecutionException e) {
        // No process to write to: drain and discard.
      }
      while (true) {
        byte[] b = queue.take();
        if (b == EOF) {
          break;
        }
        if (queued.addAndGet(-b.length) <= HIGH_WATER / 2 && !channel.config().isAutoRead()) {
          channel.config().setAutoRead(true);
        }
        try {
          out.write(b);
          out.flush();
        } catch (IOException e) {
          // The process closed its stdin: drop the rest, keep draining so the channel is not held back.
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (closeAtEof) {
        try {
          out.close();
        } catch (IOException e) {
          // Already closed.
        }
      }
    }
  }
}

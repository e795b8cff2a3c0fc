package dev.hostplane.konnectivity.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/** Collects what a dialled channel reads: bytes (up to a cap), a CRC of all of them, its close and its errors. */
final class Received extends ChannelInboundHandlerAdapter {
  final CompletableFuture<Void> closed = new CompletableFuture<>();
  final CompletableFuture<Throwable> error = new CompletableFuture<>();
  final AtomicLong count = new AtomicLong();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CRC32 crc = new CRC32();

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    try {
      byte[] b = new byte[buf.readableBytes()];
      buf.readBytes(b);
      synchronized (this) {
        crc.update(b);
        if (bytes.size() < 1 << 20) {
          bytes.write(b, 0, b.length);
        }
      }
      count.addAndGet(b.length);
    } finally {
      buf.release();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closed.complete(null);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    error.complete(cause);
    ctx.close();
  }

  synchronized String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  synchronized long crc() {
    return crc.getValue();
  }
}

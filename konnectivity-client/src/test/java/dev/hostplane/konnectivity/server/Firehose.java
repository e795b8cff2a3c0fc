package dev.hostplane.konnectivity.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A TCP server that sends {@code limit} bytes to each client as fast as the client takes them. */
final class Firehose implements AutoCloseable {
  private static final byte[] CHUNK = new byte[64 * 1024];
  private final EventLoopGroup group = new NioEventLoopGroup(1);
  private final Channel channel;
  final AtomicLong written = new AtomicLong();

  Firehose(long limit) throws InterruptedException {
    channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              long sent;

              @Override
              public void channelActive(ChannelHandlerContext ctx) {
                pump(ctx);
              }

              @Override
              public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                pump(ctx);
              }

              private void pump(ChannelHandlerContext ctx) {
                while (ctx.channel().isWritable() && sent < limit) {
                  int n = (int) Math.min(CHUNK.length, limit - sent);
                  ctx.writeAndFlush(Unpooled.wrappedBuffer(CHUNK, 0, n))
                      .addListener(f -> written.addAndGet(n));
                  sent += n;
                }
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
              }
            });
          }
        }).bind("127.0.0.1", 0).sync().channel();
  }

  String address() {
    return "127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}

package dev.hostplane.konnectivity.server;

import dev.hostplane.konnectivity.Dialer;
import dev.hostplane.konnectivity.DialerMetrics;
import dev.hostplane.konnectivity.DialerOptions;
import dev.hostplane.konnectivity.agent.Agent;
import dev.hostplane.konnectivity.agent.AgentOptions;
import dev.hostplane.konnectivity.client.GrpcTunnelDialer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every byte arrives once and in order when the writer runs into backpressure all the time: 128 MiB written from
 * the dialled channel's event loop as fast as its writability allows, each 64 KiB chunk with its own pattern,
 * through the real dialer, proxy-server and agent to a sink that checks every byte.
 */
class BytesInOrderUnderBackpressureTest {
  @TempDir
  Path dir;

  static final int CHUNK = 64 * 1024;
  static final long CHUNKS = 2048;

  @Test
  void everyByteArrivesOnceAndInOrder() throws Exception {
    TestPki pki = TestPki.create(dir);
    EventLoopGroup loops = new NioEventLoopGroup(2);
    CompletableFuture<String> verdict = new CompletableFuture<>();
    Channel sinkServer = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              long offset;

              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf b = (ByteBuf) msg;
                while (b.isReadable()) {
                  long chunk = offset / CHUNK;
                  int within = (int) (offset % CHUNK);
                  byte want = (byte) (chunk * 31 + within / 8);
                  byte got = b.readByte();
                  if (got != want && !verdict.isDone()) {
                    verdict.complete("mismatch at offset " + offset + " (chunk " + chunk + ", +" + within
                        + "): want " + want + " got " + got);
                  }
                  offset++;
                }
                b.release();
                if (offset >= CHUNK * CHUNKS && !verdict.isDone()) {
                  verdict.complete("ok, " + offset + " bytes");
                }
              }
            });
          }
        }).bind("127.0.0.1", 0).sync().channel();
    int port = ((InetSocketAddress) sinkServer.localAddress()).getPort();
    try (ProxyServer server = ProxyServer.start(ProxyServerOptions.of(dir.resolve("k.sock"), 0, pki.serverCert(),
            pki.serverKey(), pki.caCert(), 0, pki.serverCert(), pki.serverKey(), pki.caCert()).withHttpPorts(0, 0));
        Agent agent = Agent.start(AgentOptions.of("localhost", server.agentPort(), pki.caCert(), pki.clientCert(),
            pki.clientKey()).withSyncInterval(Duration.ofMillis(100), Duration.ofMillis(500)))) {
      ProxyServerTest.await("agent", () -> server.connectedAgents() == 1 && !agent.serverIds().isEmpty());
      Dialer tunnel = GrpcTunnelDialer.overUnixSocket(dir.resolve("k.sock"), DialerOptions.DEFAULT,
          new DialerMetrics());
      Channel ch = tunnel.dial("127.0.0.1", port, loops.next(), new ChannelInboundHandlerAdapter() {
        long sent;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
          pump(ctx);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
          pump(ctx);
        }

        void pump(ChannelHandlerContext ctx) {
          while (sent < CHUNKS && ctx.channel().isWritable()) {
            long index = sent++; // before the write: a write may fire writability and re-enter this method
            ByteBuf b = Unpooled.buffer(CHUNK);
            for (int i = 0; i < CHUNK; i++) {
              b.writeByte((byte) (index * 31 + i / 8));
            }
            ctx.write(b);
          }
          ctx.flush();
        }
      }).get(10, TimeUnit.SECONDS);
      String result = verdict.get(60, TimeUnit.SECONDS);
      org.junit.jupiter.api.Assertions.assertEquals("ok, " + CHUNK * CHUNKS + " bytes", result);
      ch.close();
      tunnel.close();
    } finally {
      sinkServer.close();
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}

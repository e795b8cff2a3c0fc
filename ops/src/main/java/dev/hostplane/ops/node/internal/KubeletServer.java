package dev.hostplane.ops.node.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;

/**
 * The kubelet API: HTTPS with required client certificates on node-ip:port. Requests are routed by
 * {@link KubeletHandler}; exec, attach and port-forward upgrade the connection to SPDY/3.1.
 */
public final class KubeletServer implements AutoCloseable {
  /** Finds a pod this node runs. */
  public interface Pods {
    /** The running pod of that name, or null. */
    PodRuntime find(String namespace, String name);
  }

  private final EventLoopGroup group;
  private final Channel server;

  private KubeletServer(EventLoopGroup group, Channel server) {
    this.group = group;
    this.server = server;
  }

  /** Listens on host:port; SPDY sessions idle for {@code spdyPing} are pinged. */
  public static KubeletServer start(String host, int port, SslContext tls, Pods pods, java.time.Duration spdyPing)
      throws InterruptedException {
    EventLoopGroup group = new NioEventLoopGroup(2);
    try {
      Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(128 * 1024, 512 * 1024))
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()))
                  .addLast("http", new HttpServerCodec())
                  .addLast("aggregate", new HttpObjectAggregator(1024 * 1024))
                  .addLast("kubelet", new KubeletHandler(host, pods, spdyPing));
            }
          })
          .bind(host, port).sync().channel();
      return new KubeletServer(group, ch);
    } catch (InterruptedException | RuntimeException e) {
      group.shutdownGracefully();
      throw e;
    }
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}

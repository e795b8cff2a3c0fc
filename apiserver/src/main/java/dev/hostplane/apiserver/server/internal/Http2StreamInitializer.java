package dev.hostplane.apiserver.server.internal;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

/**
 * Builds each HTTP/2 stream's child pipeline so that it looks like HTTP/1.1 to everything above the frame codec:
 * frames -> HttpObjects -> (gzip) -> aggregation -> one exchange.
 */
final class Http2StreamInitializer extends ChannelInitializer<Http2StreamChannel> {
  private final NettyServer server;
  private final ConnectionInfo info;

  Http2StreamInitializer(NettyServer server, ConnectionInfo info) {
    this.server = server;
    this.info = info;
  }

  @Override
  protected void initChannel(Http2StreamChannel ch) {
    ch.config().setWriteBufferWaterMark(NettyServer.WATER_MARK);
    ChannelPipeline p = ch.pipeline();
    p.addLast("h2-to-http", new Http2StreamFrameToHttpObjectCodec(true));
    if (server.options().compressionMinBytes() >= 0) {
      p.addLast("gzip", new FullResponseCompressor(server.options().compressionMinBytes()));
    }
    p.addLast("aggregator", new RequestAggregator(server.options().maxRequestBodyBytes()));
    p.addLast("exchange", new Http2StreamHandler(server, info));
  }
}

package dev.hostplane.apiserver.server.internal;

import dev.hostplane.apiserver.server.ServerOptions;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After the TLS handshake, builds the HTTP/2 or HTTP/1.1 pipeline by the ALPN result; a client that offered no
 * ALPN (kubectl exec/port-forward) gets HTTP/1.1. Event loop only.
 */
final class ProtocolNegotiator extends ApplicationProtocolNegotiationHandler {
  private static final Logger log = LoggerFactory.getLogger(ProtocolNegotiator.class);

  /** Per-stream receive window and max frame size, as upstream sizes them (256 KiB, a 99th-percentile body). */
  static final int STREAM_WINDOW = 256 * 1024;
  static final int MAX_FRAME_SIZE = 256 * 1024;
  /** Per-connection receive window cap (upstream: stream window x max streams). */
  static final int MAX_CONNECTION_WINDOW = 64 * 1024 * 1024;
  static final int HTTP1_MAX_CHUNK = 64 * 1024;
  /**
   * Outbound bytes an HTTP/2 connection may queue before it stops taking frames from its streams: with many
   * watch streams, the connection-wide default (64 KiB) flipped writability every few dozen events, and each flip
   * walked every stream with data queued.
   */
  static final io.netty.channel.WriteBufferWaterMark HTTP2_CONNECTION_WATER_MARK =
      new io.netty.channel.WriteBufferWaterMark(256 * 1024, 512 * 1024);

  private final NettyServer server;

  ProtocolNegotiator(NettyServer server) {
    super(ApplicationProtocolNames.HTTP_1_1);
    this.server = server;
  }

  @Override
  protected void configurePipeline(ChannelHandlerContext ctx, String protocol) throws Http2Exception {
    Channel ch = ctx.channel();
    boolean h2 = ApplicationProtocolNames.HTTP_2.equals(protocol);
    if (!h2 && !ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
      throw new IllegalStateException("unexpected ALPN protocol: " + protocol);
    }
    SslHandler ssl = ctx.pipeline().get(SslHandler.class); // SNI selection may have replaced the first one
    ConnectionInfo info = new ConnectionInfo((InetSocketAddress) ch.remoteAddress(),
        peerCertificates(ssl.engine().getSession()), h2 ? ConnectionInfo.HTTP_2 : ConnectionInfo.HTTP_1_1);
    if (h2) {
      configureHttp2(ch, info);
    } else {
      configureHttp1(ch, info);
    }
  }

  private void configureHttp1(Channel ch, ConnectionInfo info) {
    ServerOptions o = server.options();
    ChannelPipeline p = ch.pipeline();
    Http1Timeouts timeouts = new Http1Timeouts(o.requestReadTimeout(), o.idleConnectionTimeout());
    p.addLast("http1-timeouts", timeouts);
    p.addLast("http1-codec", new HttpServerCodec(new HttpDecoderConfig()
        .setMaxInitialLineLength(o.maxHeaderBytes())
        .setMaxHeaderSize(o.maxHeaderBytes())
        .setMaxChunkSize(HTTP1_MAX_CHUNK)));
    if (o.compressionMinBytes() >= 0) {
      p.addLast("gzip", new FullResponseCompressor(o.compressionMinBytes()));
    }
    RequestAggregator aggregator = new RequestAggregator(o.maxRequestBodyBytes(), new RequestAggregator.Progress() {
      @Override
      public void headReceived() {
        timeouts.headReceived();
      }

      @Override
      public void requestReceived() {
        timeouts.requestReceived();
      }
    });
    p.addLast("aggregator", aggregator);
    Http1ServerConnection connection = new Http1ServerConnection(server, info, aggregator, timeouts);
    p.addLast("http1", connection);
    ch.attr(ServerConnection.KEY).set(connection);
  }

  private void configureHttp2(Channel ch, ConnectionInfo info) throws Http2Exception {
    ServerOptions o = server.options();
    Http2Settings settings = new Http2Settings()
        .maxConcurrentStreams(o.maxStreamsPerConnection())
        .maxHeaderListSize(o.maxHeaderBytes())
        .initialWindowSize(STREAM_WINDOW)
        .maxFrameSize(MAX_FRAME_SIZE);
    Http2FrameCodec codec = new ServerFrameCodecBuilder()
        .initialSettings(settings)
        // close() closes at once; graceful shutdown (GOAWAY, then wait for streams) is Http2ServerConnection's.
        .decoupleCloseAndGoAway(true)
        .build();
    ChannelPipeline p = ch.pipeline();
    ch.config().setWriteBufferWaterMark(HTTP2_CONNECTION_WATER_MARK);
    // Many streams (watches) flushing one event each become one TLS write per event-loop turn, not one per stream.
    p.addLast("flush-consolidation", new io.netty.handler.flush.FlushConsolidationHandler(256, true));
    if (o.http2PingsEnabled()) {
      p.addLast("h2-keepalive", new Http2KeepAliveHandler(o.http2PingInterval(), o.http2PingTimeout()));
    }
    p.addLast("h2-codec", codec);
    p.addLast("h2-multiplex", new Http2MultiplexHandler(new Http2StreamInitializer(server, info)));
    Http2ServerConnection connection = new Http2ServerConnection(server, codec);
    p.addLast("h2-connection", connection);
    ch.attr(ServerConnection.KEY).set(connection);

    // The connection window starts at 64 KiB whatever SETTINGS say; open it so that uploads on a long-RTT link
    // are not throttled (memory stays bounded by maxRequestBodyBytes per stream, buffered or not).
    long window = Math.min((long) STREAM_WINDOW * o.maxStreamsPerConnection(), MAX_CONNECTION_WINDOW);
    int delta = (int) (window - Http2CodecUtil.DEFAULT_WINDOW_SIZE);
    if (delta > 0) {
      Http2Connection c = codec.connection();
      c.local().flowController().incrementWindowSize(c.connectionStream(), delta);
      ch.flush();
    }
  }

  private static List<X509Certificate> peerCertificates(SSLSession session) {
    try {
      List<X509Certificate> certs = new ArrayList<>();
      for (Certificate c : session.getPeerCertificates()) {
        if (c instanceof X509Certificate x) {
          certs.add(x);
        }
      }
      return certs;
    } catch (SSLPeerUnverifiedException e) {
      return List.of(); // the client sent no certificate
    }
  }

  @Override
  protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}

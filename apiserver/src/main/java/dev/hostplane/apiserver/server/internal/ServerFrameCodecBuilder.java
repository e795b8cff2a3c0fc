package dev.hostplane.apiserver.server.internal;

import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;

/**
 * The server's HTTP/2 frame codec, with a remote flow controller that shares the connection among streams with
 * data queued in turn ({@link UniformStreamByteDistributor}) instead of by priority weights: clients of an
 * apiserver do not use stream priorities, and with hundreds of watch streams on one connection the weighted
 * distributor's priority queue upkeep dominated the cost of every write.
 */
final class ServerFrameCodecBuilder extends Http2FrameCodecBuilder {
  ServerFrameCodecBuilder() {
    gracefulShutdownTimeoutMillis(0);
    DefaultHttp2Connection connection = new DefaultHttp2Connection(true);
    connection.remote().flowController(
        new DefaultHttp2RemoteFlowController(connection, new UniformStreamByteDistributor(connection)));
    connection(connection);
  }
}

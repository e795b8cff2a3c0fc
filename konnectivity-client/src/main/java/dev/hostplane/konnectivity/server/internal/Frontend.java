package dev.hostplane.konnectivity.server.internal;

import dev.hostplane.konnectivity.wire.Packet;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.HashSet;
import java.util.Set;

/**
 * One frontend stream ({@code ProxyService/Proxy}). Its first DIAL_REQ fixes its backend; later dials on the same
 * stream go to the same agent, so connectIDs are unique within the stream. Mutable fields are guarded by the
 * tunnel lock.
 */
final class Frontend {
  final StreamSender sender;
  final ServerCallStreamObserver<Packet> call;
  Backend backend;
  final Set<Long> pending = new HashSet<>();
  final Set<Long> connections = new HashSet<>();
  boolean closed;

  Frontend(ServerCallStreamObserver<Packet> call) {
    this.call = call;
    this.sender = new StreamSender(call);
  }
}

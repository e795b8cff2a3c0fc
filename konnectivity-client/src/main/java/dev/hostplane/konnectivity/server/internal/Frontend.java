package dev.hostplane.konnectivity.server.internal;

import java.util.HashSet;
import java.util.Set;

/**
 * One frontend: a {@code ProxyService/Proxy} stream, or one HTTP-CONNECT connection (a single dial). Its first
 * DIAL_REQ fixes its backend; later dials on the same
 * stream go to the same agent, so connectIDs are unique within the stream. Mutable fields are guarded by the
 * tunnel lock.
 */
final class Frontend {
  final PacketSink sender;
  /** Asks the frontend for its next packet (inbound flow control). */
  final Runnable requestNext;
  /** Counted in the {@code grpc_connections} metric. */
  final boolean grpc;
  Backend backend;
  final Set<Long> pending = new HashSet<>();
  final Set<Long> connections = new HashSet<>();
  boolean closed;

  Frontend(PacketSink sender, Runnable requestNext, boolean grpc) {
    this.sender = sender;
    this.requestNext = requestNext;
    this.grpc = grpc;
  }
}

package dev.hostplane.konnectivity.server.internal;

import dev.hostplane.konnectivity.wire.Packet;

/** Where the tunnel sends a stream's packets: a gRPC stream or an HTTP-CONNECT connection. Thread-safe. */
interface PacketSink {
  /** Sends {@code p}; a no-op once closed. */
  void send(Packet p);

  /** Runs {@code r} now if the sink can take more (or is closed), else once it can. */
  void whenReady(Runnable r);

  /** Closes the sink (at most once) and releases every deferred source. */
  void complete();
}

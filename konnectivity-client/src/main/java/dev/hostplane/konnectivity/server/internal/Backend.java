package dev.hostplane.konnectivity.server.internal;

import dev.hostplane.konnectivity.wire.Packet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One agent stream ({@code AgentService/Connect}). Mutable fields are guarded by the tunnel lock. */
final class Backend {
  final String agentId;
  private final Map<String, List<String>> identifiers;
  final StreamSender sender;
  final io.grpc.stub.ServerCallStreamObserver<Packet> call;
  /** Pending dials sent to this agent, by random. */
  final Map<Long, Frontend> pending = new HashMap<>();
  /** Established connections, by the agent's connectID. */
  final Map<Long, Frontend> connections = new HashMap<>();
  private volatile boolean draining;

  Backend(String agentId, Map<String, List<String>> identifiers, io.grpc.stub.ServerCallStreamObserver<Packet> call) {
    this.agentId = agentId;
    this.identifiers = Map.copyOf(identifiers);
    this.call = call;
    this.sender = new StreamSender(call);
  }

  Map<String, List<String>> identifiers() {
    return identifiers;
  }

  boolean draining() {
    return draining;
  }

  void drain() {
    draining = true;
  }

  @Override
  public String toString() {
    return "agent " + agentId;
  }
}

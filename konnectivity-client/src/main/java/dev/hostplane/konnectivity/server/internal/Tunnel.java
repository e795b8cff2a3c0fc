package dev.hostplane.konnectivity.server.internal;

import dev.hostplane.konnectivity.wire.KonnectivityMethods;
import dev.hostplane.konnectivity.wire.Packet;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy-server's routing state: agents (backends), frontend streams, pending dials and established
 * connections, all under one lock. Packets are sent outside the lock. Inbound flow control is manual: each stream
 * asks for its next packet only once the stream it forwarded to can take more.
 */
public final class Tunnel {
  public static final String NO_AGENT = "No agent available";
  /** The error of a dial that stayed pending past the backend dial timeout. */
  public static final String DIAL_TIMEOUT = "dial timeout";
  private static final Logger log = LoggerFactory.getLogger(Tunnel.class);
  private static final String PROXY = KonnectivityMethods.PROXY.getFullMethodName();
  private static final String CONNECT = KonnectivityMethods.CONNECT.getFullMethodName();

  private final Object lock = new Object();
  private final List<Backend> backends = new ArrayList<>();
  private final BackendSelector selector;
  private final ScheduledExecutorService timer;
  private final Duration dialTimeout;
  private final ServerMetrics metrics;
  private int pendingCount;
  private int establishedCount;

  public Tunnel(List<String> strategies, Duration dialTimeout, ScheduledExecutorService timer) {
    this.selector = new BackendSelector(strategies);
    this.dialTimeout = dialTimeout;
    this.timer = timer;
    this.metrics = new ServerMetrics(this::established, this::pending, this::agents, String.join(",", strategies));
  }

  public ServerMetrics metrics() {
    return metrics;
  }

  public int established() {
    synchronized (lock) {
      return establishedCount;
    }
  }

  public int pending() {
    synchronized (lock) {
      return pendingCount;
    }
  }

  public int agents() {
    synchronized (lock) {
      return backends.size();
    }
  }

  public List<String> agentIds() {
    synchronized (lock) {
      return backends.stream().map(b -> b.agentId).toList();
    }
  }

  public List<String> drainingAgentIds() {
    synchronized (lock) {
      return backends.stream().filter(Backend::draining).map(b -> b.agentId).toList();
    }
  }

  // ---- frontend (ProxyService/Proxy) ----

  /** Handles one frontend stream; to be called from the gRPC call handler (disables auto-request there). */
  public StreamObserver<Packet> frontend(StreamObserver<Packet> responses) {
    ServerCallStreamObserver<Packet> call = (ServerCallStreamObserver<Packet>) responses;
    call.disableAutoRequest();
    Frontend f = new Frontend(new StreamSender(call), () -> call.request(1), true);
    metrics.streamOpened(PROXY);
    call.request(1);
    return new StreamObserver<>() {
      @Override
      public void onNext(Packet p) {
        onFrontendPacket(f, p);
      }

      @Override
      public void onError(Throwable t) {
        frontendGone(f);
      }

      @Override
      public void onCompleted() {
        frontendGone(f);
      }
    };
  }

  /** A frontend that is one HTTP-CONNECT connection; it is not a gRPC stream, so no stream metric counts it. */
  Frontend connectFrontend(PacketSink sink, Runnable requestNext) {
    return new Frontend(sink, requestNext, false);
  }

  void onFrontendPacket(Frontend f, Packet p) {
    switch (p.type()) {
      case DIAL_REQ -> {
        Packet.DialRequest req = (Packet.DialRequest) p.payload();
        Backend b;
        synchronized (lock) {
          if (f.backend == null || !backends.contains(f.backend)) {
            f.backend = selector.pick(backends, req.address());
          }
          b = f.backend;
          if (b != null) {
            b.pending.put(req.random(), f);
            f.pending.add(req.random());
            pendingCount++;
          }
        }
        if (b == null) {
          metrics.dialFailure("no_agent");
          f.sender.send(Packet.dialResponse(req.random(), 0, NO_AGENT));
          f.requestNext.run();
          return;
        }
        timer.schedule(() -> dialTimedOut(b, req.random()), dialTimeout.toMillis(), TimeUnit.MILLISECONDS);
        forward(f.requestNext, b.sender, p);
      }
      case DIAL_CLS -> {
        long random = ((Packet.CloseDial) p.payload()).random();
        Backend b;
        synchronized (lock) {
          b = f.pending.remove(random) ? f.backend : null;
          if (b != null && b.pending.remove(random) != null) {
            pendingCount--;
          }
        }
        if (b != null) {
          metrics.dialFailure("frontend_close");
          forward(f.requestNext, b.sender, p);
        } else {
          f.requestNext.run();
        }
      }
      case DATA, CLOSE_REQ -> {
        long id = p.payload() instanceof Packet.Data d ? d.connectId() : ((Packet.CloseRequest) p.payload()).connectId();
        Backend b;
        synchronized (lock) {
          b = f.connections.contains(id) ? f.backend : null;
        }
        if (b != null) {
          forward(f.requestNext, b.sender, p);
        } else {
          f.sender.send(Packet.closeResponse(id, "Unknown connectID"));
          f.requestNext.run();
        }
      }
      default -> {
        log.debug("ignoring {} from a frontend", p.type());
        f.requestNext.run();
      }
    }
  }

  void frontendGone(Frontend f) {
    Backend b;
    List<Long> pendingDials;
    List<Long> open;
    synchronized (lock) {
      if (f.closed) {
        return;
      }
      f.closed = true;
      b = f.backend;
      pendingDials = new ArrayList<>(f.pending);
      open = new ArrayList<>(f.connections);
      if (b != null) {
        for (long r : pendingDials) {
          if (b.pending.remove(r) != null) {
            pendingCount--;
          }
        }
        for (long id : open) {
          if (b.connections.remove(id) != null) {
            establishedCount--;
          }
        }
      }
      f.pending.clear();
      f.connections.clear();
    }
    if (f.grpc) {
      metrics.streamClosed(PROXY);
    }
    if (b != null) {
      for (long r : pendingDials) {
        metrics.dialFailure("frontend_close");
        b.sender.send(Packet.closeDial(r));
      }
      for (long id : open) {
        b.sender.send(Packet.closeRequest(id));
      }
    }
    f.sender.complete();
  }

  private void dialTimedOut(Backend b, long random) {
    Frontend f;
    synchronized (lock) {
      f = b.pending.remove(random);
      if (f == null) {
        return;
      }
      pendingCount--;
      f.pending.remove(random);
    }
    metrics.dialFailure("backend_dial_timeout");
    b.sender.send(Packet.closeDial(random));
    f.sender.send(Packet.dialResponse(random, 0, DIAL_TIMEOUT));
  }

  // ---- backend (AgentService/Connect) ----

  /** Handles one agent stream; to be called from the gRPC call handler. */
  public StreamObserver<Packet> backend(String agentId, Map<String, List<String>> identifiers,
      StreamObserver<Packet> responses) {
    ServerCallStreamObserver<Packet> call = (ServerCallStreamObserver<Packet>) responses;
    call.disableAutoRequest();
    Backend b = new Backend(agentId, identifiers, call);
    synchronized (lock) {
      backends.add(b);
    }
    metrics.streamOpened(CONNECT);
    log.info("agent {} connected ({})", agentId, identifiers);
    call.request(1);
    return new StreamObserver<>() {
      @Override
      public void onNext(Packet p) {
        onBackendPacket(b, p);
      }

      @Override
      public void onError(Throwable t) {
        backendGone(b, t.toString());
      }

      @Override
      public void onCompleted() {
        backendGone(b, "agent closed the stream");
      }
    };
  }

  private void onBackendPacket(Backend b, Packet p) {
    switch (p.type()) {
      case DIAL_RSP -> {
        Packet.DialResponse rsp = (Packet.DialResponse) p.payload();
        Frontend f;
        boolean ok = rsp.error().isEmpty();
        synchronized (lock) {
          f = b.pending.remove(rsp.random());
          if (f != null) {
            pendingCount--;
            f.pending.remove(rsp.random());
            if (ok) {
              b.connections.put(rsp.connectId(), f);
              f.connections.add(rsp.connectId());
              establishedCount++;
            }
          }
        }
        if (f == null) {
          // The frontend gave up (DIAL_CLS, timeout or stream death): do not leak the agent's connection.
          if (ok) {
            b.sender.send(Packet.closeRequest(rsp.connectId()));
          }
          b.call.request(1);
          return;
        }
        if (!ok) {
          metrics.dialFailure("error_response");
        }
        forward(() -> b.call.request(1), f.sender, p);
      }
      case DATA -> {
        long id = ((Packet.Data) p.payload()).connectId();
        Frontend f;
        synchronized (lock) {
          f = b.connections.get(id);
        }
        if (f == null) {
          b.sender.send(Packet.closeRequest(id));
          b.call.request(1);
        } else {
          forward(() -> b.call.request(1), f.sender, p);
        }
      }
      case CLOSE_RSP -> {
        long id = ((Packet.CloseResponse) p.payload()).connectId();
        Frontend f;
        synchronized (lock) {
          f = b.connections.remove(id);
          if (f != null) {
            establishedCount--;
            f.connections.remove(id);
          }
        }
        if (f == null) {
          b.call.request(1);
        } else {
          forward(() -> b.call.request(1), f.sender, p);
        }
      }
      case DRAIN -> {
        log.info("agent {} is draining", b.agentId);
        b.drain();
        b.call.request(1);
      }
      default -> {
        log.debug("ignoring {} from agent {}", p.type(), b.agentId);
        b.call.request(1);
      }
    }
  }

  private void backendGone(Backend b, String why) {
    Map<Long, Frontend> pendingDials;
    Map<Long, Frontend> open;
    synchronized (lock) {
      if (!backends.remove(b)) {
        return;
      }
      pendingDials = Map.copyOf(b.pending);
      open = Map.copyOf(b.connections);
      pendingCount -= pendingDials.size();
      establishedCount -= open.size();
      b.pending.clear();
      b.connections.clear();
      pendingDials.forEach((r, f) -> f.pending.remove(r));
      open.forEach((id, f) -> f.connections.remove(id));
    }
    log.info("agent {} disconnected: {}", b.agentId, why);
    metrics.streamClosed(CONNECT);
    b.sender.closed();
    pendingDials.forEach((r, f) -> {
      metrics.dialFailure("backend_close");
      f.sender.send(Packet.dialResponse(r, 0, "agent " + b.agentId + " disconnected"));
    });
    open.forEach((id, f) -> f.sender.send(Packet.closeResponse(id, "agent " + b.agentId + " disconnected")));
    b.sender.complete();
  }

  /** Sends {@code p} to {@code to}; asks {@code from} for its next packet once {@code to} can take more. */
  private static void forward(Runnable requestNext, PacketSink to, Packet p) {
    to.send(p);
    to.whenReady(requestNext);
  }
}

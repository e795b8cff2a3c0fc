package dev.hostplane.konnectivity.server.internal;

import dev.hostplane.konnectivity.wire.Packet;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * The sending half of one server-side stream. Thread-safe: any thread may send; sends are serialized here because
 * a stream observer is not. {@link #whenReady} is the backpressure hook: a source defers its next {@code request(1)}
 * until this stream's transport buffer has drained, so a slow receiver slows the sender.
 */
final class StreamSender implements PacketSink {
  private final ServerCallStreamObserver<Packet> out;
  private final List<Runnable> waiting = new ArrayList<>();
  private boolean closed;

  StreamSender(ServerCallStreamObserver<Packet> out) {
    this.out = out;
    // Runs on the call's serializing executor.
    out.setOnReadyHandler(this::onReady);
  }

  /** Sends {@code p}; a no-op once the stream is closed. */
  @Override
  public synchronized void send(Packet p) {
    if (closed) {
      return;
    }
    try {
      out.onNext(p);
    } catch (RuntimeException e) {
      // Cancelled by the peer meanwhile; the stream's own close handler does the clean-up.
      closed = true;
    }
  }

  /** Runs {@code r} now if the stream can take more (or is closed), else once it can. */
  @Override
  public void whenReady(Runnable r) {
    boolean now;
    synchronized (this) {
      now = closed || out.isReady();
      if (!now) {
        waiting.add(r);
      }
    }
    if (now) {
      r.run();
    }
  }

  /** Completes the stream (at most once) and releases every deferred source. */
  @Override
  public void complete() {
    List<Runnable> release;
    synchronized (this) {
      if (!closed) {
        closed = true;
        try {
          out.onCompleted();
        } catch (RuntimeException ignored) {
          // Already cancelled.
        }
      }
      release = new ArrayList<>(waiting);
      waiting.clear();
    }
    release.forEach(Runnable::run);
  }

  /** Marks the stream dead (the peer went away) and releases every deferred source. */
  void closed() {
    List<Runnable> release;
    synchronized (this) {
      closed = true;
      release = new ArrayList<>(waiting);
      waiting.clear();
    }
    release.forEach(Runnable::run);
  }

  private void onReady() {
    List<Runnable> release;
    synchronized (this) {
      if (!closed && !out.isReady()) {
        return;
      }
      release = new ArrayList<>(waiting);
      waiting.clear();
    }
    release.forEach(Runnable::run);
  }
}

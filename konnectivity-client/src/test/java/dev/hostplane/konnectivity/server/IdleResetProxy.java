package dev.hostplane.konnectivity.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 that acts like an SDN with an idle timeout: any flow that carries no byte in either
 * direction for longer than {@code idle} is reset on both sides (RST, not FIN).
 */
final class IdleResetProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final java.util.List<InetSocketAddress> targets;
  private final AtomicInteger next = new AtomicInteger();
  private final long idleNanos;
  private final Set<Flow> flows = ConcurrentHashMap.newKeySet();
  final AtomicInteger resets = new AtomicInteger();
  private volatile boolean closed;

  IdleResetProxy(InetSocketAddress target, Duration idle) throws IOException {
    this(java.util.List.of(target), idle);
  }

  /** Round-robin over {@code targets}, as a load balancer in front of several servers. */
  IdleResetProxy(java.util.List<InetSocketAddress> targets, Duration idle) throws IOException {
    this.targets = java.util.List.copyOf(targets);
    this.idleNanos = idle.toNanos();
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    daemon("idle-proxy-accept", this::acceptLoop);
    daemon("idle-proxy-reaper", this::reapLoop);
  }

  int port() {
    return listener.getLocalPort();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket in = listener.accept();
        InetSocketAddress target = targets.get(Math.floorMod(next.getAndIncrement(), targets.size()));
        Socket out = new Socket(target.getAddress(), target.getPort());
        Flow f = new Flow(in, out);
        flows.add(f);
        daemon("idle-proxy-up", () -> f.pump(in, out));
        daemon("idle-proxy-down", () -> f.pump(out, in));
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  private void reapLoop() {
    while (!closed) {
      long now = System.nanoTime();
      for (Flow f : flows) {
        if (now - f.lastActivity > idleNanos) {
          resets.incrementAndGet();
          f.reset();
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private final class Flow {
    private final Socket a;
    private final Socket b;
    volatile long lastActivity = System.nanoTime();

    Flow(Socket a, Socket b) {
      this.a = a;
      this.b = b;
    }

    void pump(Socket from, Socket to) {
      byte[] buf = new byte[16 * 1024];
      try (InputStream in = from.getInputStream()) {
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buf)) >= 0) {
          lastActivity = System.nanoTime();
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // Reset or closed.
      }
      reset();
    }

    void reset() {
      if (!flows.remove(this)) {
        return;
      }
      for (Socket s : new Socket[] {a, b}) {
        try {
          s.setSoLinger(true, 0);
          s.close();
        } catch (IOException ignored) {
          // Already gone.
        }
      }
    }
  }

  private static void daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    flows.forEach(Flow::reset);
  }
}

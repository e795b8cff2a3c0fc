package dev.hostplane.apiserver.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 that behaves like an SDN or NAT with an idle timeout: it forwards bytes both ways and,
 * when a flow has carried no bytes in either direction for longer than {@code idleLimit}, resets both sides
 * (SO_LINGER 0, then close: the peers see RST). Like a middlebox, it sees only payload: TCP keepalive probes,
 * which carry none, do not count as activity here.
 *
 * <p>Threads (all daemon, all stopped by {@link #close()}): one acceptor, one reaper, two pumps per flow.
 */
public final class IdleResetProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final long idleLimitNanos;
  private final Set<Flow> flows = ConcurrentHashMap.newKeySet();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicInteger resets = new AtomicInteger();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile boolean closed;

  private IdleResetProxy(ServerSocket listener, InetSocketAddress target, Duration idleLimit) {
    this.listener = listener;
    this.target = target;
    this.idleLimitNanos = idleLimit.toNanos();
  }

  /** Starts forwarding from a free port on 127.0.0.1 to {@code target}. */
  public static IdleResetProxy start(InetSocketAddress target, Duration idleLimit) throws IOException {
    ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    IdleResetProxy proxy = new IdleResetProxy(listener, target, idleLimit);
    proxy.spawn("idle-reset-proxy-accept", proxy::acceptLoop);
    proxy.spawn("idle-reset-proxy-reaper", proxy::reapLoop);
    return proxy;
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
  }

  /** Flows reset for idleness so far. */
  public int resets() {
    return resets.get();
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  private synchronized void spawn(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // listener closed
      }
      accepted.incrementAndGet();
      try {
        Socket upstream = new Socket();
        upstream.connect(target, 5000);
        Flow flow = new Flow(client, upstream);
        flows.add(flow);
        spawn("idle-reset-proxy-up-" + client.getPort(), () -> flow.pump(client, upstream));
        spawn("idle-reset-proxy-down-" + client.getPort(), () -> flow.pump(upstream, client));
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  private void reapLoop() {
    long tick = Math.max(1, idleLimitNanos / 20 / 1_000_000);
    while (!closed) {
      try {
        Thread.sleep(tick);
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      for (Flow flow : flows) {
        if (now - flow.lastActivity.get() > idleLimitNanos) {
          resets.incrementAndGet();
          flow.reset();
        }
      }
    }
  }

  /** Stops accepting, resets every flow, and joins all threads (up to 5 s each). */
  @Override
  public void close() {
    closed = true;
    closeQuietly(listener);
    for (Flow flow : flows) {
      flow.reset();
    }
    List<Thread> all;
    synchronized (this) {
      all = List.copyOf(threads);
    }
    for (Thread t : all) {
      t.interrupt();
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private final class Flow {
    final Socket a;
    final Socket b;
    final AtomicLong lastActivity = new AtomicLong(System.nanoTime());
    final AtomicInteger openDirections = new AtomicInteger(2);

    Flow(Socket a, Socket b) {
      this.a = a;
      this.b = b;
    }

    void pump(Socket from, Socket to) {
      byte[] buf = new byte[16 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buf)) >= 0) {
          lastActivity.set(System.nanoTime());
          out.write(buf, 0, n);
          out.flush();
          lastActivity.set(System.nanoTime());
        }
        to.shutdownOutput(); // pass the FIN on
      } catch (IOException e) {
        reset(); // one side failed: fail the other too
      } finally {
        if (openDirections.decrementAndGet() == 0) {
          closeQuietly(a);
          closeQuietly(b);
          flows.remove(this);
        }
      }
    }

    /** RST both sides, as a middlebox that forgot the flow does. */
    void reset() {
      flows.remove(this);
      for (Socket s : List.of(a, b)) {
        try {
          s.setSoLinger(true, 0);
        } catch (SocketException e) {
          // already closed
        }
        closeQuietly(s);
      }
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // nothing to do
    }
  }
}

package dev.hostplane.konnectivity.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/** Small blocking TCP destinations for the tests, one thread per connection. */
final class TcpPeer implements AutoCloseable {
  /** What a peer does with each accepted connection. */
  interface Behaviour {
    void serve(Socket s) throws IOException;
  }

  final AtomicLong bytesWritten = new AtomicLong();
  private final ServerSocket server;

  private TcpPeer(Behaviour behaviour) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Thread c = new Thread(() -> {
            try (s) {
              behaviour.serve(s);
            } catch (IOException ignored) {
              // peer went away
            }
          }, "tcp-peer-conn");
          c.setDaemon(true);
          c.start();
        } catch (IOException e) {
          return;
        }
      }
    }, "tcp-peer-accept");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Echoes every byte back. */
  static TcpPeer echo() throws IOException {
    return new TcpPeer(s -> s.getInputStream().transferTo(s.getOutputStream()));
  }

  /** Accepts and never reads, until the client goes away. */
  static TcpPeer stalled() throws IOException {
    return new TcpPeer(s -> {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** Forwards each connection to {@code port} on loopback, counting the bytes sent towards it. */
  static TcpPeer forwarder(int port) throws IOException {
    TcpPeer[] self = new TcpPeer[1];
    self[0] = new TcpPeer(s -> {
      try (Socket up = new Socket(InetAddress.getLoopbackAddress(), port)) {
        Thread down = new Thread(() -> {
          try {
            up.getInputStream().transferTo(s.getOutputStream());
          } catch (IOException ignored) {
            // closed
          }
        });
        down.setDaemon(true);
        down.start();
        byte[] b = new byte[16 * 1024];
        int n;
        while ((n = s.getInputStream().read(b)) > 0) {
          self[0].bytesWritten.addAndGet(n);
          up.getOutputStream().write(b, 0, n);
        }
      }
    });
    return self[0];
  }

  /** Writes {@code greeting} and closes. */
  static TcpPeer greetAndClose(String greeting) throws IOException {
    return new TcpPeer(s -> s.getOutputStream().write(greeting.getBytes(StandardCharsets.UTF_8)));
  }

  /** Writes {@code total} pseudo-random bytes (seed 1) as fast as the reader takes them, then closes. */
  static TcpPeer source(long total) throws IOException {
    TcpPeer[] self = new TcpPeer[1];
    self[0] = new TcpPeer(s -> {
      Random r = new Random(1);
      byte[] buf = new byte[64 * 1024];
      OutputStream out = s.getOutputStream();
      for (long left = total; left > 0; ) {
        r.nextBytes(buf);
        int n = (int) Math.min(buf.length, left);
        out.write(buf, 0, n);
        self[0].bytesWritten.addAndGet(n);
        left -= n;
      }
    });
    return self[0];
  }

  /** Answers one HTTP/1.1 request: {@code 200} with body {@code "hello " + request-target}, then closes. */
  static TcpPeer http() throws IOException {
    return new TcpPeer(s -> {
      String head = readHead(s.getInputStream());
      String target = head.split(" ")[1];
      byte[] body = ("hello " + target).getBytes(StandardCharsets.UTF_8);
      s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().write(body);
    });
  }

  /** Reads up to and including the blank line ending an HTTP head. */
  static String readHead(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      sb.append((char) c);
      if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
        break;
      }
    }
    return sb.toString();
  }

  /**
   * A tiny HTTP CONNECT proxy on {@code address} (TCP or Unix domain socket): {@code 200 Connection Established}
   * and a byte pump for a reachable target, {@code 502 Bad Gateway} otherwise.
   */
  static Thread connectProxy(ServerSocketChannel server) {
    Thread t = new Thread(() -> {
      while (server.isOpen()) {
        SocketChannel ch;
        try {
          ch = server.accept();
        } catch (IOException e) {
          return;
        }
        Thread c = new Thread(() -> {
          try (ch) {
            // Channel streams share one lock between reads and writes: read and write the channel itself.
            String target = readHead(ch);
            int colon = target.lastIndexOf(':');
            if (target.startsWith("no-agent:")) {
              writeAll(ch, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 19\r\n\r\nNo agent available\n");
              return;
            }
            Socket dest;
            try {
              dest = new Socket(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)));
            } catch (IOException e) {
              writeAll(ch, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
              return;
            }
            try (dest) {
              writeAll(ch, "HTTP/1.1 200 Connection Established\r\n\r\n");
              Thread up = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocate(32 * 1024);
                try {
                  while (ch.read(buf) > 0) {
                    dest.getOutputStream().write(buf.array(), 0, buf.position());
                    buf.clear();
                  }
                  dest.shutdownOutput();
                } catch (IOException ignored) {
                  // closed
                }
              });
              up.setDaemon(true);
              up.start();
              byte[] b = new byte[32 * 1024];
              int n;
              while ((n = dest.getInputStream().read(b)) > 0) {
                ByteBuffer out = ByteBuffer.wrap(b, 0, n);
                while (out.hasRemaining()) {
                  ch.write(out);
                }
              }
            }
          } catch (IOException ignored) {
            // client went away
          }
        }, "connect-proxy-conn");
        c.setDaemon(true);
        c.start();
      }
    }, "connect-proxy-accept");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** The CONNECT proxy over a (TLS) server socket, with stream I/O. */
  static Thread connectProxy(ServerSocket server) {
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        Socket s;
        try {
          s = server.accept();
        } catch (IOException e) {
          return;
        }
        Thread c = new Thread(() -> {
          try (s) {
            String target = readHead(s.getInputStream()).split(" ")[1];
            int colon = target.lastIndexOf(':');
            try (Socket dest = new Socket(target.substring(0, colon),
                Integer.parseInt(target.substring(colon + 1)))) {
              s.getOutputStream().write("HTTP/1.1 200 Connection Established\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
              Thread up = new Thread(() -> {
                try {
                  s.getInputStream().transferTo(dest.getOutputStream());
                  dest.shutdownOutput();
                } catch (IOException ignored) {
                  // closed
                }
              });
              up.setDaemon(true);
              up.start();
              dest.getInputStream().transferTo(s.getOutputStream());
            }
          } catch (IOException ignored) {
            // client went away
          }
        }, "tls-connect-proxy-conn");
        c.setDaemon(true);
        c.start();
      }
    }, "tls-connect-proxy-accept");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** The request-target of the CONNECT request read from {@code ch}, byte by byte. */
  private static String readHead(SocketChannel ch) throws IOException {
    StringBuilder sb = new StringBuilder();
    ByteBuffer one = ByteBuffer.allocate(1);
    while (!sb.toString().endsWith("\r\n\r\n")) {
      one.clear();
      if (ch.read(one) < 0) {
        throw new IOException("closed before the request head ended");
      }
      sb.append((char) one.get(0));
    }
    return sb.toString().split(" ")[1];
  }

  private static void writeAll(SocketChannel ch, String s) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  static SocketAddress loopback(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}

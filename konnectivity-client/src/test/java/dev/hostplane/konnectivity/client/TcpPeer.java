package dev.hostplane.konnectivity.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.Channels;
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
            InputStream in = Channels.newInputStream(ch);
            OutputStream out = Channels.newOutputStream(ch);
            String target = readHead(in).split(" ")[1];
            int colon = target.lastIndexOf(':');
            Socket dest;
            try {
              dest = new Socket(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)));
            } catch (IOException e) {
              out.write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
              return;
            }
            try (dest) {
              out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
              Thread up = new Thread(() -> {
                try {
                  in.transferTo(dest.getOutputStream());
                  dest.shutdownOutput();
                } catch (IOException ignored) {
                  // closed
                }
              });
              up.setDaemon(true);
              up.start();
              dest.getInputStream().transferTo(out);
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

  static SocketAddress loopback(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}

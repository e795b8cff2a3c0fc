package dev.hostplane.ops.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * Plain HTTP/1.1 on loopback in front of an apiserver and one kubelet, for kubectl: the pod subresources
 * {@code exec}, {@code attach}, {@code portforward} and {@code log} are relayed byte for byte to the kubelet API
 * with upstream's path and query translation (what the apiserver's upgrade-aware proxy sends a kubelet); every other
 * request goes to the apiserver as the admin. One request per connection. For suites that exercise the kubelet end
 * with kubectl's own SPDY client before the apiserver proxies these subresources itself.
 */
final class KubeletRelay implements AutoCloseable {
  private static final Pattern SUBRESOURCE =
      Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/(exec|attach|portforward|log)(?:\\?(.*))?");

  private final ServerSocket server;
  private final SSLContext apiTls;
  private final int apiPort;
  private final SSLContext kubeletTls;
  private final int kubeletPort;

  KubeletRelay(SSLContext apiTls, int apiPort, SSLContext kubeletTls, int kubeletPort) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.apiTls = apiTls;
    this.apiPort = apiPort;
    this.kubeletTls = kubeletTls;
    this.kubeletPort = kubeletPort;
    Thread t = new Thread(this::accept, "kubelet-relay");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Thread t = new Thread(() -> serve(client), "kubelet-relay-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      InputStream in = new BufferedInputStream(client.getInputStream());
      List<String> head = readHead(in);
      if (head.isEmpty()) {
        return;
      }
      String[] requestLine = head.get(0).split(" ");
      Matcher m = SUBRESOURCE.matcher(requestLine[1]);
      Socket upstream;
      String target;
      if (m.matches()) {
        target = kubeletPath(m.group(1), m.group(2), m.group(3), m.group(4) == null ? "" : m.group(4));
        upstream = kubeletTls.getSocketFactory().createSocket("127.0.0.1", kubeletPort);
      } else {
        target = requestLine[1];
        upstream = apiTls.getSocketFactory().createSocket("127.0.0.1", apiPort);
      }
      try (upstream) {
        StringBuilder out = new StringBuilder(requestLine[0] + " " + target + " HTTP/1.1\r\n");
        boolean upgrade = false;
        long length = 0;
        for (String h : head.subList(1, head.size())) {
          String lower = h.toLowerCase();
          upgrade |= lower.startsWith("upgrade:");
          if (lower.startsWith("content-length:")) {
            length = Long.parseLong(h.substring(h.indexOf(':') + 1).trim());
          }
          if (!lower.startsWith("connection:")) {
            out.append(h).append("\r\n");
          }
        }
        // One request per connection: plain requests end with the upstream's close, upgrades with either side's.
        out.append(upgrade ? "Connection: Upgrade\r\n" : "Connection: close\r\n").append("\r\n");
        OutputStream up = upstream.getOutputStream();
        up.write(out.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (upgrade) {
          pipe(in, up);
        } else {
          up.write(in.readNBytes((int) length));
        }
        up.flush();
        pipe(upstream.getInputStream(), client.getOutputStream()).join();
      }
    } catch (IOException | InterruptedException e) {
      // The client or the upstream went away: this connection is over.
    }
  }

  /** Copies {@code from} to {@code to} on a thread of its own, then closes {@code to}. */
  private static Thread pipe(InputStream from, OutputStream to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      try {
        int n;
        while ((n = from.read(buf)) >= 0) {
          to.write(buf, 0, n);
          to.flush();
        }
      } catch (IOException e) {
        // One side closed.
      }
      try {
        to.close();
      } catch (IOException e) {
        // Already closed.
      }
    }, "kubelet-relay-pipe");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static List<String> readHead(InputStream in) throws IOException {
    List<String> lines = new ArrayList<>();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int prev = -1;
    int b;
    while ((b = in.read()) >= 0) {
      if (prev == '\r' && b == '\n') {
        byte[] bytes = line.toByteArray();
        String s = new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
        if (s.isEmpty()) {
          return lines;
        }
        lines.add(s);
        line.reset();
        prev = -1;
        continue;
      }
      line.write(b);
      prev = b;
    }
    return lines;
  }

  /** Upstream's translation of a pod subresource request into the kubelet's path and query. */
  static String kubeletPath(String ns, String pod, String sub, String query) {
    String container = "";
    StringBuilder q = new StringBuilder();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      String mapped = switch (key) {
        case "container" -> {
          container = value;
          yield null;
        }
        case "stdin" -> "input";
        case "stdout" -> "output";
        case "stderr" -> "error";
        case "ports" -> null;
        default -> key;
      };
      if (mapped == null) {
        continue;
      }
      if (List.of("input", "output", "error", "tty").contains(mapped)) {
        value = value.equals("true") || value.equals("1") ? "1" : "0";
      }
      q.append(q.length() == 0 ? "?" : "&").append(URLEncoder.encode(mapped, StandardCharsets.UTF_8)).append('=')
          .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
    return switch (sub) {
      case "portforward" -> "/portForward/" + ns + "/" + pod;
      case "log" -> "/containerLogs/" + ns + "/" + pod + "/" + container + q;
      default -> "/" + sub + "/" + ns + "/" + pod + "/" + container + q;
    };
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}

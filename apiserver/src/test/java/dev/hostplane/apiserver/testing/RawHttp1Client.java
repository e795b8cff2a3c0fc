package dev.hostplane.apiserver.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A byte-level HTTP/1.1 client over TLS without ALPN (like kubectl's exec/port-forward connections), for tests
 * that need exact control of what is sent and when. Blocking; one thread at a time.
 */
public final class RawHttp1Client implements AutoCloseable {
  private final SSLSocket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawHttp1Client(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  public static RawHttp1Client connect(InetSocketAddress address, SSLContext ctx) throws IOException {
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(address.getAddress(), address.getPort());
    s.setSoTimeout(10_000);
    s.startHandshake();
    return new RawHttp1Client(s);
  }

  public SSLSocket socket() {
    return socket;
  }

  public void send(String text) throws IOException {
    send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Status line and headers (names lower-cased). */
  public record Head(int status, Map<String, String> headers) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public boolean chunked() {
      return "chunked".equalsIgnoreCase(header("transfer-encoding"));
    }
  }

  public record Response(Head head, byte[] body) {
    public int status() {
      return head.status();
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  public Head readHead() throws IOException {
    String statusLine = readLine();
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("not a status line: " + statusLine);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line = readLine(); !line.isEmpty(); line = readLine()) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    return new Head(Integer.parseInt(parts[1]), headers);
  }

  /** The next chunk of a chunked body; null at the terminating zero-length chunk. */
  public byte[] readChunk() throws IOException {
    String sizeLine = readLine();
    int semi = sizeLine.indexOf(';');
    int size = Integer.parseInt(semi < 0 ? sizeLine.trim() : sizeLine.substring(0, semi).trim(), 16);
    if (size == 0) {
      while (!readLine().isEmpty()) {
        // trailers
      }
      return null;
    }
    byte[] data = in.readNBytes(size);
    if (data.length < size) {
      throw new EOFException("chunk cut short");
    }
    readLine();
    return data;
  }

  /** A whole response, skipping 1xx heads. */
  public Response readResponse() throws IOException {
    Head head = readHead();
    while (head.status() >= 100 && head.status() < 200) {
      head = readHead();
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (head.chunked()) {
      for (byte[] c = readChunk(); c != null; c = readChunk()) {
        body.write(c);
      }
    } else if (head.header("content-length") != null) {
      int n = Integer.parseInt(head.header("content-length"));
      byte[] b = in.readNBytes(n);
      if (b.length < n) {
        throw new EOFException("body cut short");
      }
      body.write(b);
    }
    return new Response(head, body.toByteArray());
  }

  /** True when the server has closed its side (reads EOF, or the connection was reset). */
  public boolean readsEof() {
    try {
      return in.read() < 0;
    } catch (IOException e) {
      return true;
    }
  }

  private String readLine() throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed after \"" + sb + "\"");
      }
      if (c == '\n') {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == '\r') {
          sb.setLength(len - 1);
        }
        return sb.toString();
      }
      sb.append((char) c);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}

package dev.hostplane.apiserver.proxy;

import dev.hostplane.apiserver.testing.RawHttp1Client;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.Base64;

/** A blocking WebSocket client (RFC 6455, masked frames) over a raw HTTP/1.1 connection, for tests. */
final class WsTestClient implements AutoCloseable {
  /** A received frame: its opcode and payload. */
  record Frame(int opcode, byte[] payload) {
    int channel() {
      return payload.length == 0 ? -1 : payload[0] & 0xff;
    }

    String text() {
      return new String(payload, 1, payload.length - 1, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  final RawHttp1Client raw;
  final RawHttp1Client.Head head;
  private final InputStream in;

  private WsTestClient(RawHttp1Client raw, RawHttp1Client.Head head) throws IOException {
    this.raw = raw;
    this.head = head;
    this.in = raw.socket().getInputStream();
  }

  /** Sends the handshake for {@code path} offering {@code protocol}; returns the client (check {@link #head}). */
  static WsTestClient connect(RawHttp1Client raw, String path, String protocol) throws IOException {
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    raw.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Protocol: " + protocol + "\r\n\r\n");
    return new WsTestClient(raw, raw.readHead());
  }

  void sendBinary(byte... payload) throws IOException {
    send(0x2, payload);
  }

  void sendChannel(int channel, String text) throws IOException {
    byte[] t = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] p = new byte[t.length + 1];
    p[0] = (byte) channel;
    System.arraycopy(t, 0, p, 1, t.length);
    sendBinary(p);
  }

  void send(int opcode, byte[] payload) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x80 | opcode);
    if (payload.length < 126) {
      out.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      out.write(0x80 | 126);
      out.write(payload.length >> 8);
      out.write(payload.length);
    } else {
      out.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        out.write((int) ((long) payload.length >> (8 * i)));
      }
    }
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    out.write(mask);
    for (int i = 0; i < payload.length; i++) {
      out.write(payload[i] ^ mask[i % 4]);
    }
    raw.send(out.toByteArray());
  }

  /** The next frame; null when the connection ends. */
  Frame read() throws IOException {
    int b0 = in.read();
    if (b0 < 0) {
      return null;
    }
    int b1 = in.read();
    if (b1 < 0) {
      throw new EOFException();
    }
    long len = b1 & 0x7f;
    if (len == 126) {
      len = (in.read() << 8) | in.read();
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; i++) {
        len = (len << 8) | in.read();
      }
    }
    if ((b1 & 0x80) != 0) {
      throw new IOException("server frames must not be masked");
    }
    byte[] payload = in.readNBytes((int) len);
    if (payload.length < len) {
      throw new EOFException("frame cut short");
    }
    return new Frame(b0 & 0x0f, payload);
  }

  /** The next data (binary) frame, answering pings and skipping pongs; null at close or end. */
  Frame readData() throws IOException {
    while (true) {
      Frame f = read();
      if (f == null || f.opcode() == 0x8) {
        return null;
      }
      if (f.opcode() == 0x9) {
        send(0xA, f.payload());
        continue;
      }
      if (f.opcode() == 0xA) {
        continue;
      }
      return f;
    }
  }

  @Override
  public void close() throws IOException {
    raw.close();
  }
}

package dev.hostplane.apiserver.proxy;

import dev.hostplane.apiserver.testing.RawHttp1Client;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyVersion;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.List;

/**
 * A blocking SPDY/3.1 client for tests: sends the Upgrade request on a raw HTTP/1.1 connection, then encodes and
 * decodes frames with Netty's codec in an {@link EmbeddedChannel} (the header compression state lives there).
 */
final class SpdyTestClient implements AutoCloseable {
  final RawHttp1Client raw;
  final RawHttp1Client.Head head;
  private final InputStream in;
  private final EmbeddedChannel codec = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));

  private SpdyTestClient(RawHttp1Client raw, RawHttp1Client.Head head) throws IOException {
    this.raw = raw;
    this.head = head;
    this.in = raw.socket().getInputStream();
  }

  static SpdyTestClient connect(RawHttp1Client raw, String method, String path, List<String> protocols)
      throws IOException {
    StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n"
        + "Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\nContent-Length: 0\r\n");
    for (String p : protocols) {
      req.append("X-Stream-Protocol-Version: ").append(p).append("\r\n");
    }
    raw.send(req.append("\r\n").toString());
    return new SpdyTestClient(raw, raw.readHead());
  }

  void send(SpdyFrame frame) throws IOException {
    codec.writeOutbound(frame);
    for (ByteBuf b = codec.readOutbound(); b != null; b = codec.readOutbound()) {
      byte[] bytes = new byte[b.readableBytes()];
      b.readBytes(bytes);
      b.release();
      raw.send(bytes);
    }
  }

  /** The next frame; null when the connection ends. */
  Object read() throws IOException {
    byte[] buf = new byte[16 * 1024];
    while (true) {
      Object f = codec.readInbound();
      if (f != null) {
        return f;
      }
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        throw e;
      } catch (IOException e) {
        return null;
      }
      if (n < 0) {
        return null;
      }
      codec.writeInbound(Unpooled.copiedBuffer(buf, 0, n));
    }
  }

  @Override
  public void close() throws IOException {
    codec.finishAndReleaseAll();
    raw.close();
  }
}

package dev.hostplane.konnectivity.wire;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The two gRPC methods of the tunnel, as upstream names them (no proto package): {@code ProxyService/Proxy}
 * (apiserver to proxy-server) and {@code AgentService/Connect} (agent to proxy-server), both bidirectional streams
 * of {@link Packet}s.
 */
public final class KonnectivityMethods {
  public static final String PROXY_SERVICE = "ProxyService";
  public static final String AGENT_SERVICE = "AgentService";

  /** Marshals packets with {@link PacketCodec}. */
  public static final MethodDescriptor.Marshaller<Packet> MARSHALLER = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(Packet value) {
      return new PacketStream(value);
    }

    @Override
    public Packet parse(InputStream stream) {
      try {
        if (stream instanceof KnownLength) {
          // gRPC hands over a whole message of known size: one read into an array parses faster than a stream.
          return PacketCodec.decode(stream.readNBytes(stream.available()));
        }
        return PacketCodec.decode(stream);
      } catch (IOException e) {
        throw new UncheckedIOException("malformed Konnectivity packet: " + e.getMessage(), e);
      }
    }
  };

  /**
   * A packet as gRPC reads it: of known length, and drained straight into gRPC's frame buffer (DATA bytes are copied
   * once, into the frame) rather than encoded into an array first. Reading it byte-wise (not what gRPC does) falls
   * back to the encoded array.
   */
  private static final class PacketStream extends InputStream implements KnownLength, Drainable {
    private Packet packet;
    private ByteArrayInputStream encoded;

    PacketStream(Packet packet) {
      this.packet = packet;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      if (packet == null) {
        return encoded == null ? 0 : (int) encoded.transferTo(target);
      }
      int n = PacketCodec.encodedSize(packet);
      PacketCodec.writeTo(packet, target);
      packet = null;
      encoded = null;
      return n;
    }

    @Override
    public int available() {
      if (packet != null && encoded == null) {
        return PacketCodec.encodedSize(packet);
      }
      return encoded == null ? 0 : encoded.available();
    }

    private ByteArrayInputStream encoded() {
      if (encoded == null && packet != null) {
        encoded = new ByteArrayInputStream(PacketCodec.encode(packet));
        packet = null;
      }
      return encoded == null ? new ByteArrayInputStream(new byte[0]) : encoded;
    }

    @Override
    public int read() {
      return encoded().read();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return encoded().read(b, off, len);
    }
  }

  public static final MethodDescriptor<Packet, Packet> PROXY = MethodDescriptor.<Packet, Packet>newBuilder()
      .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
      .setFullMethodName(MethodDescriptor.generateFullMethodName(PROXY_SERVICE, "Proxy"))
      .setRequestMarshaller(MARSHALLER)
      .setResponseMarshaller(MARSHALLER)
      .build();

  public static final MethodDescriptor<Packet, Packet> CONNECT = MethodDescriptor.<Packet, Packet>newBuilder()
      .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
      .setFullMethodName(MethodDescriptor.generateFullMethodName(AGENT_SERVICE, "Connect"))
      .setRequestMarshaller(MARSHALLER)
      .setResponseMarshaller(MARSHALLER)
      .build();

  private KonnectivityMethods() {}
}

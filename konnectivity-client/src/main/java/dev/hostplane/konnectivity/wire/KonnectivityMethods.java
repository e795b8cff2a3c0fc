package dev.hostplane.konnectivity.wire;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
      return new ByteArrayInputStream(PacketCodec.encode(value));
    }

    @Override
    public Packet parse(InputStream stream) {
      try {
        return PacketCodec.decode(stream);
      } catch (IOException e) {
        throw new UncheckedIOException("malformed Konnectivity packet: " + e.getMessage(), e);
      }
    }
  };

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

package dev.hostplane.konnectivity.wire;

import java.util.Objects;

/**
 * One message of the Konnectivity tunnel ({@code Packet}): its type and the payload that goes with it. Immutable;
 * {@link Data#data()} arrays are not copied and must not be changed after construction.
 */
public record Packet(PacketType type, Payload payload) {
  public Packet {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(payload, "payload");
  }

  /** The {@code oneof payload} of a packet. */
  public sealed interface Payload permits DialRequest, DialResponse, Data, CloseRequest, CloseResponse, CloseDial,
      Drain {}

  /** {@code DialRequest}: open a connection to {@code address} ("host:port") over {@code protocol} ("tcp"). */
  public record DialRequest(String protocol, String address, long random) implements Payload {
    public DialRequest {
      Objects.requireNonNull(protocol, "protocol");
      Objects.requireNonNull(address, "address");
    }
  }

  /** {@code DialResponse}: the connection's id, or a non-empty {@code error}; {@code random} echoes the request. */
  public record DialResponse(String error, long connectId, long random) implements Payload {
    public DialResponse {
      Objects.requireNonNull(error, "error");
    }
  }

  /** {@code Data}: bytes of connection {@code connectId}, or a non-empty {@code error}. */
  public record Data(long connectId, String error, byte[] data) implements Payload {
    public Data {
      Objects.requireNonNull(error, "error");
      Objects.requireNonNull(data, "data");
    }
  }

  /** {@code CloseRequest}: close connection {@code connectId}. */
  public record CloseRequest(long connectId) implements Payload {}

  /** {@code CloseResponse}: connection {@code connectId} is closed (or {@code error}). */
  public record CloseResponse(String error, long connectId) implements Payload {
    public CloseResponse {
      Objects.requireNonNull(error, "error");
    }
  }

  /** {@code CloseDial}: abandon the pending dial {@code random}. */
  public record CloseDial(long random) implements Payload {}

  /** {@code Drain}: the agent is going away; send it no new dials. */
  public record Drain() implements Payload {}

  public static Packet dialRequest(String address, long random) {
    return new Packet(PacketType.DIAL_REQ, new DialRequest("tcp", address, random));
  }

  public static Packet dialResponse(long random, long connectId, String error) {
    return new Packet(PacketType.DIAL_RSP, new DialResponse(error, connectId, random));
  }

  public static Packet data(long connectId, byte[] bytes) {
    return new Packet(PacketType.DATA, new Data(connectId, "", bytes));
  }

  public static Packet closeRequest(long connectId) {
    return new Packet(PacketType.CLOSE_REQ, new CloseRequest(connectId));
  }

  public static Packet closeResponse(long connectId, String error) {
    return new Packet(PacketType.CLOSE_RSP, new CloseResponse(error, connectId));
  }

  public static Packet closeDial(long random) {
    return new Packet(PacketType.DIAL_CLS, new CloseDial(random));
  }

  public static Packet drain() {
    return new Packet(PacketType.DRAIN, new Drain());
  }

  @Override
  public String toString() {
    if (payload instanceof Data d) {
      return type + "{connectID=" + d.connectId() + ", " + d.data().length + " bytes"
          + (d.error().isEmpty() ? "" : ", error=" + d.error()) + "}";
    }
    return type + "{" + payload + "}";
  }
}

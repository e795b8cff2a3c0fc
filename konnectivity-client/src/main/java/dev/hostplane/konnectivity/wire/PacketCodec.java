package dev.hostplane.konnectivity.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The protobuf (proto3) encoding of {@link Packet}, written by hand from the message definitions (field numbers as
 * upstream's {@code client.proto}): default values are not written, unknown fields are skipped, a payload other
 * than the packet type's is kept as sent. Stateless and thread-safe.
 */
public final class PacketCodec {
  /** A packet larger than this is refused when parsing (a DATA packet carries at most what one read returns). */
  public static final int MAX_PACKET_BYTES = 16 * 1024 * 1024;

  private PacketCodec() {}

  /** The encoded size of {@code p} in bytes. */
  public static int encodedSize(Packet p) {
    int payload = payloadSize(p.payload());
    return (p.type().number() == 0 ? 0 : CodedOutputStream.computeEnumSize(1, p.type().number()))
        + CodedOutputStream.computeTagSize(fieldOf(p.payload())) + CodedOutputStream.computeUInt32SizeNoTag(payload)
        + payload;
  }

  /**
   * Writes the encoding of {@code p} to {@code out}: the same bytes as {@link #encode}, but a DATA packet's bytes go
   * to {@code out} as they are, without an intermediate copy (what the gRPC marshaller wants for bulk data).
   */
  public static void writeTo(Packet p, java.io.OutputStream out) throws IOException {
    if (!(p.payload() instanceof Packet.Data d) || d.data().length == 0) {
      out.write(encode(p));
      return;
    }
    // Everything before the data bytes (they are the last field), then the data itself.
    int payload = payloadSize(d);
    byte[] head = new byte[encodedSize(p) - d.data().length];
    CodedOutputStream h = CodedOutputStream.newInstance(head);
    if (p.type().number() != 0) {
      h.writeEnum(1, p.type().number());
    }
    h.writeTag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    h.writeUInt32NoTag(payload);
    int64(h, 1, d.connectId());
    string(h, 2, d.error());
    h.writeTag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    h.writeUInt32NoTag(d.data().length);
    h.checkNoSpaceLeft();
    out.write(head);
    out.write(d.data());
  }

  public static byte[] encode(Packet p) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(payloadSize(p.payload()) + 16);
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      if (p.type().number() != 0) {
        out.writeEnum(1, p.type().number());
      }
      int field = fieldOf(p.payload());
      out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(payloadSize(p.payload()));
      writePayload(out, p.payload());
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
  }

  private static int fieldOf(Packet.Payload payload) {
    if (payload instanceof Packet.DialRequest) {
      return 2;
    } else if (payload instanceof Packet.DialResponse) {
      return 3;
    } else if (payload instanceof Packet.Data) {
      return 4;
    } else if (payload instanceof Packet.CloseRequest) {
      return 5;
    } else if (payload instanceof Packet.CloseResponse) {
      return 6;
    } else if (payload instanceof Packet.CloseDial) {
      return 7;
    }
    return 8; // Drain
  }

  private static int payloadSize(Packet.Payload payload) {
    if (payload instanceof Packet.DialRequest d) {
      return string(1, d.protocol()) + string(2, d.address()) + int64(3, d.random());
    } else if (payload instanceof Packet.DialResponse d) {
      return string(1, d.error()) + int64(2, d.connectId()) + int64(3, d.random());
    } else if (payload instanceof Packet.Data d) {
      return int64(1, d.connectId()) + string(2, d.error())
          + (d.data().length == 0 ? 0 : CodedOutputStream.computeByteArraySize(3, d.data()));
    } else if (payload instanceof Packet.CloseRequest c) {
      return int64(1, c.connectId());
    } else if (payload instanceof Packet.CloseResponse c) {
      return string(1, c.error()) + int64(2, c.connectId());
    } else if (payload instanceof Packet.CloseDial c) {
      return int64(1, c.random());
    }
    return 0;
  }

  private static int string(int field, String v) {
    return v.isEmpty() ? 0 : CodedOutputStream.computeStringSize(field, v);
  }

  private static int int64(int field, long v) {
    return v == 0 ? 0 : CodedOutputStream.computeInt64Size(field, v);
  }

  private static void writePayload(CodedOutputStream out, Packet.Payload payload) throws IOException {
    if (payload instanceof Packet.DialRequest d) {
      string(out, 1, d.protocol());
      string(out, 2, d.address());
      int64(out, 3, d.random());
    } else if (payload instanceof Packet.DialResponse d) {
      string(out, 1, d.error());
      int64(out, 2, d.connectId());
      int64(out, 3, d.random());
    } else if (payload instanceof Packet.Data d) {
      int64(out, 1, d.connectId());
      string(out, 2, d.error());
      if (d.data().length > 0) {
        out.writeByteArray(3, d.data());
      }
    } else if (payload instanceof Packet.CloseRequest c) {
      int64(out, 1, c.connectId());
    } else if (payload instanceof Packet.CloseResponse c) {
      string(out, 1, c.error());
      int64(out, 2, c.connectId());
    } else if (payload instanceof Packet.CloseDial c) {
      int64(out, 1, c.random());
    }
  }

  private static void string(CodedOutputStream out, int field, String v) throws IOException {
    if (!v.isEmpty()) {
      out.writeString(field, v);
    }
  }

  private static void int64(CodedOutputStream out, int field, long v) throws IOException {
    if (v != 0) {
      out.writeInt64(field, v);
    }
  }

  /** Parses one packet. IOException (InvalidProtocolBufferException) for bytes that are not a valid Packet. */
  public static Packet decode(InputStream in) throws IOException {
    return decode(CodedInputStream.newInstance(in));
  }

  public static Packet decode(byte[] bytes) throws IOException {
    return decode(CodedInputStream.newInstance(bytes));
  }

  private static Packet decode(CodedInputStream in) throws IOException {
    in.setSizeLimit(MAX_PACKET_BYTES);
    int typeNumber = 0;
    Packet.Payload payload = null;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int field = WireFormat.getTagFieldNumber(tag);
      if (field == 1 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
        typeNumber = in.readEnum();
      } else if (field >= 2 && field <= 8 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        int limit = in.pushLimit(in.readRawVarint32());
        payload = readPayload(in, field);
        in.popLimit(limit);
      } else if (!in.skipField(tag)) {
        break;
      }
    }
    PacketType type = PacketType.of(typeNumber);
    if (type == null) {
      throw new IOException("unknown Konnectivity packet type " + typeNumber);
    }
    if (payload == null) {
      payload = emptyPayloadOf(type);
    }
    return new Packet(type, payload);
  }

  /** A packet without a payload field: the type's payload with every field at its default. */
  private static Packet.Payload emptyPayloadOf(PacketType type) {
    return switch (type) {
      case DIAL_REQ -> new Packet.DialRequest("", "", 0);
      case DIAL_RSP -> new Packet.DialResponse("", 0, 0);
      case CLOSE_REQ -> new Packet.CloseRequest(0);
      case CLOSE_RSP -> new Packet.CloseResponse("", 0);
      case DATA -> new Packet.Data(0, "", new byte[0]);
      case DIAL_CLS -> new Packet.CloseDial(0);
      case DRAIN -> new Packet.Drain();
    };
  }

  private static Packet.Payload readPayload(CodedInputStream in, int field) throws IOException {
    String s1 = "";
    String s2 = "";
    long n1 = 0;
    long n2 = 0;
    long n3 = 0;
    byte[] bytes = new byte[0];
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int f = WireFormat.getTagFieldNumber(tag);
      int wire = WireFormat.getTagWireType(tag);
      if (wire == WireFormat.WIRETYPE_VARINT && f <= 3) {
        long v = in.readInt64();
        if (f == 1) {
          n1 = v;
        } else if (f == 2) {
          n2 = v;
        } else {
          n3 = v;
        }
      } else if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED && f == 3 && field == 4) {
        bytes = in.readByteArray();
      } else if (wire == WireFormat.WIRETYPE_LENGTH_DELIMITED && f <= 2) {
        if (f == 1) {
          s1 = in.readStringRequireUtf8();
        } else {
          s2 = in.readStringRequireUtf8();
        }
      } else if (!in.skipField(tag)) {
        break;
      }
    }
    return switch (field) {
      case 2 -> new Packet.DialRequest(s1, s2, n3);
      case 3 -> new Packet.DialResponse(s1, n2, n3);
      case 4 -> new Packet.Data(n1, s2, bytes);
      case 5 -> new Packet.CloseRequest(n1);
      case 6 -> new Packet.CloseResponse(s1, n2);
      case 7 -> new Packet.CloseDial(n1);
      default -> new Packet.Drain();
    };
  }
}

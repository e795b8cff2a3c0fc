package dev.hostplane.konnectivity.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hand-written codec against protobuf-java's own encoder, driven by a descriptor of the Konnectivity messages
 * (upstream's field names and numbers): every packet type encodes to bytes the generic parser reads back field by
 * field, and the generic encoder's bytes decode to the same packet.
 */
class PacketCodecTest {
  private static final Descriptors.Descriptor PACKET = descriptor();

  private static FieldDescriptorProto field(String name, int number, FieldDescriptorProto.Type type) {
    return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
        .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL).build();
  }

  private static FieldDescriptorProto message(String name, int number, String typeName) {
    return FieldDescriptorProto.newBuilder().setName(name).setNumber(number)
        .setType(FieldDescriptorProto.Type.TYPE_MESSAGE).setTypeName("." + typeName).setOneofIndex(0)
        .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL).build();
  }

  private static Descriptors.Descriptor descriptor() {
    var STRING = FieldDescriptorProto.Type.TYPE_STRING;
    var INT64 = FieldDescriptorProto.Type.TYPE_INT64;
    EnumDescriptorProto.Builder type = EnumDescriptorProto.newBuilder().setName("PacketType");
    for (PacketType t : PacketType.values()) {
      type.addValue(EnumValueDescriptorProto.newBuilder().setName(t.name()).setNumber(t.number()));
    }
    FileDescriptorProto file = FileDescriptorProto.newBuilder().setName("konnectivity.proto").setSyntax("proto3")
        .addEnumType(type)
        .addMessageType(DescriptorProto.newBuilder().setName("Packet")
            .addField(FieldDescriptorProto.newBuilder().setName("type").setNumber(1)
                .setType(FieldDescriptorProto.Type.TYPE_ENUM).setTypeName(".PacketType")
                .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL))
            .addOneofDecl(OneofDescriptorProto.newBuilder().setName("payload"))
            .addField(message("dialRequest", 2, "DialRequest"))
            .addField(message("dialResponse", 3, "DialResponse"))
            .addField(message("data", 4, "Data"))
            .addField(message("closeRequest", 5, "CloseRequest"))
            .addField(message("closeResponse", 6, "CloseResponse"))
            .addField(message("closeDial", 7, "CloseDial"))
            .addField(message("drain", 8, "Drain")))
        .addMessageType(DescriptorProto.newBuilder().setName("DialRequest").addField(field("protocol", 1, STRING))
            .addField(field("address", 2, STRING)).addField(field("random", 3, INT64)))
        .addMessageType(DescriptorProto.newBuilder().setName("DialResponse").addField(field("error", 1, STRING))
            .addField(field("connectID", 2, INT64)).addField(field("random", 3, INT64)))
        .addMessageType(DescriptorProto.newBuilder().setName("CloseRequest").addField(field("connectID", 1, INT64)))
        .addMessageType(DescriptorProto.newBuilder().setName("CloseResponse").addField(field("error", 1, STRING))
            .addField(field("connectID", 2, INT64)))
        .addMessageType(DescriptorProto.newBuilder().setName("CloseDial").addField(field("random", 1, INT64)))
        .addMessageType(DescriptorProto.newBuilder().setName("Drain"))
        .addMessageType(DescriptorProto.newBuilder().setName("Data").addField(field("connectID", 1, INT64))
            .addField(field("error", 2, STRING))
            .addField(field("data", 3, FieldDescriptorProto.Type.TYPE_BYTES)))
        .build();
    try {
      return Descriptors.FileDescriptor.buildFrom(file, new Descriptors.FileDescriptor[0])
          .findMessageTypeByName("Packet");
    } catch (Descriptors.DescriptorValidationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final List<Packet> SAMPLES = List.of(
      Packet.dialRequest("10.0.0.5:10250", -7348912374981L),
      Packet.dialRequest("kubelet.example:10250", 0),
      Packet.dialResponse(42, 17, ""),
      Packet.dialResponse(42, 0, "No agent available"),
      Packet.data(17, new byte[] {0, 1, 2, (byte) 0xff}),
      Packet.data(1L << 40, new byte[70_000]),
      new Packet(PacketType.DATA, new Packet.Data(3, "partial", new byte[] {9, 8})),
      Packet.data(17, new byte[0]),
      new Packet(PacketType.DATA, new Packet.Data(9, "connection reset", new byte[0])),
      Packet.closeRequest(17),
      Packet.closeResponse(17, ""),
      Packet.closeResponse(18, "Unknown connectID"),
      Packet.closeDial(-1),
      Packet.drain());

  @Test
  void everyPacketRoundTripsThroughTheGenericParserAndBack() throws IOException {
    for (Packet p : SAMPLES) {
      byte[] ours = PacketCodec.encode(p);
      DynamicMessage generic = DynamicMessage.parseFrom(PACKET, ours);
      byte[] theirs = generic.toByteArray();
      assertArrayEquals(theirs, ours, "canonical encoding of " + p);
      Packet back = PacketCodec.decode(theirs);
      assertEquals(p.type(), back.type());
      assertEquals(p.toString(), back.toString());
      if (p.payload() instanceof Packet.Data d) {
        assertArrayEquals(d.data(), ((Packet.Data) back.payload()).data());
      }
    }
  }

  @Test
  void theMarshallersStreamWritesTheSameBytesWhetherDrainedOrRead() throws IOException {
    for (Packet p : SAMPLES) {
      byte[] want = PacketCodec.encode(p);
      assertEquals(want.length, PacketCodec.encodedSize(p), "size of " + p);
      java.io.InputStream drained = KonnectivityMethods.MARSHALLER.stream(p);
      assertEquals(want.length, drained.available());
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      assertEquals(want.length, ((io.grpc.Drainable) drained).drainTo(out));
      assertArrayEquals(want, out.toByteArray(), "drained " + p);
      assertArrayEquals(want, KonnectivityMethods.MARSHALLER.stream(p).readAllBytes(), "read " + p);
      Packet back = KonnectivityMethods.MARSHALLER.parse(new java.io.ByteArrayInputStream(want));
      assertEquals(p.toString(), back.toString());
    }
  }

  @Test
  void fieldsLandOnUpstreamsNumbers() throws IOException {
    DynamicMessage m = DynamicMessage.parseFrom(PACKET,
        PacketCodec.encode(Packet.dialResponse(99, 5, "boom")));
    assertEquals("DIAL_RSP", ((Descriptors.EnumValueDescriptor) m.getField(PACKET.findFieldByName("type")))
        .getName());
    DynamicMessage rsp = (DynamicMessage) m.getField(PACKET.findFieldByName("dialResponse"));
    assertEquals("boom", rsp.getField(rsp.getDescriptorForType().findFieldByName("error")));
    assertEquals(5L, rsp.getField(rsp.getDescriptorForType().findFieldByName("connectID")));
    assertEquals(99L, rsp.getField(rsp.getDescriptorForType().findFieldByName("random")));
  }

  @Test
  void unknownFieldsAreSkippedAndGarbageIsRefused() throws IOException {
    byte[] known = PacketCodec.encode(Packet.closeRequest(3));
    byte[] withExtra = new byte[known.length + 3];
    System.arraycopy(known, 0, withExtra, 0, known.length);
    withExtra[known.length] = (byte) ((15 << 3) | 0); // field 15, varint
    withExtra[known.length + 1] = 1;
    withExtra[known.length + 2] = 0; // a second unknown varint field 0 is invalid: see below
    assertThrows(IOException.class, () -> PacketCodec.decode(withExtra));
    byte[] valid = java.util.Arrays.copyOf(withExtra, known.length + 2);
    assertEquals(Packet.closeRequest(3).toString(), PacketCodec.decode(valid).toString());
    assertThrows(IOException.class, () -> PacketCodec.decode(new byte[] {8, 99})); // type 99
    assertThrows(IOException.class, () -> PacketCodec.decode(new byte[] {0x22, 10, 1}));
  }
}

package dev.hostplane.apiserver.api.protobuf.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.internal.GoFormat;
import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * Upstream's protobuf envelope: the magic {@code k8s\0} followed by a {@code runtime.Unknown} {typeMeta 1
 * {apiVersion 1, kind 2}, raw 2, contentEncoding 3, contentType 4} whose raw holds the object's message. And the
 * watch stream's frames. Stateless; thread-safe.
 */
public final class Envelope {
  /** {@code k8s\0}. */
  public static final byte[] MAGIC = {0x6b, 0x38, 0x73, 0x00};
  /** What upstream's legacy scheme calls itself in "no kind is registered" errors. */
  static final String SCHEME_NAME = "pkg/api/legacyscheme/scheme.go:30";
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Envelope() {}

  /** Decodes an enveloped object; see {@link dev.hostplane.apiserver.api.protobuf.KubeProtobuf#decode}. */
  public static ObjectNode decode(byte[] body, int depth) {
    if (body == null || body.length == 0) {
      throw ApiException.badRequest("empty data");
    }
    if (body.length < MAGIC.length || !Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw ApiException.badRequest(
          "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
    }
    if (body.length == MAGIC.length) {
      throw ApiException.badRequest("empty body");
    }
    String apiVersion = "";
    String kind = "";
    int rawOffset = -1;
    int rawLength = 0;
    CodedInputStream in = CodedInputStream.newInstance(body, MAGIC.length, body.length - MAGIC.length);
    try {
      int tag;
      while ((tag = in.readTag()) != 0) {
        switch (tag) {
          case (1 << 3) | 2 -> {
            int limit = in.pushLimit(length(in));
            int t;
            while ((t = in.readTag()) != 0) {
              switch (t) {
                case (1 << 3) | 2 -> apiVersion = in.readString();
                case (2 << 3) | 2 -> kind = in.readString();
                default -> skip(in, t);
              }
            }
            in.popLimit(limit);
          }
          case (2 << 3) | 2 -> {
            rawLength = length(in);
            rawOffset = MAGIC.length + in.getTotalBytesRead();
            in.skipRawBytes(rawLength);
          }
          default -> skip(in, tag); // contentEncoding and contentType: upstream ignores them too
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw ApiException.badRequest(ProtoReader.goMessage(e));
    } catch (IOException e) {
      throw ApiException.badRequest("unexpected EOF");
    }
    String typeMeta = "runtime.TypeMeta{APIVersion:" + GoFormat.quote(apiVersion) + ", Kind:" + GoFormat.quote(kind)
        + "}";
    if (kind.isEmpty()) {
      throw ApiException.badRequest("Object 'Kind' is missing in '" + typeMeta + "'");
    }
    if (apiVersion.isEmpty() || apiVersion.endsWith("/")) {
      throw ApiException.badRequest("Object 'apiVersion' is missing in '" + typeMeta + "'");
    }
    Schemas.Kind k = Schemas.get().lookup(apiVersion, kind).orElse(null);
    if (k == null) {
      throw ApiException.badRequest("no kind " + GoFormat.quote(kind) + " is registered for version "
          + GoFormat.quote(apiVersion) + " in scheme " + GoFormat.quote(SCHEME_NAME));
    }
    ObjectNode fields = rawOffset < 0 ? F.objectNode()
        : ProtoReader.readObject(body, rawOffset, rawLength, k.info(), depth);
    ObjectNode out = F.objectNode();
    out.put("kind", kind);
    out.put("apiVersion", apiVersion);
    for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.set(e.getKey(), e.getValue());
    }
    return out;
  }

  /** The enveloped protobuf of {@code obj}; see {@link dev.hostplane.apiserver.api.protobuf.KubeProtobuf#encode}. */
  public static byte[] encode(ObjectNode obj) {
    WireBuffer out = new WireBuffer(1024);
    writeEnveloped(out, obj);
    return out.toByteArray();
  }

  /**
   * One watch stream frame: a 4-byte big-endian length, then a {@code meta.k8s.io/v1} WatchEvent message as is
   * (upstream's stream serializer writes it raw: no magic, no Unknown) whose {@code object.raw} holds the enveloped
   * object.
   */
  public static byte[] encodeWatchEvent(String type, ObjectNode obj) {
    WireBuffer out = new WireBuffer(1024);
    int frame = out.reserveFrameLength();
    out.stringField(1, type);
    int object = out.begin(2);
    int raw = out.begin(1);
    writeEnveloped(out, obj);
    out.end(raw);
    out.end(object);
    out.fillFrameLength(frame);
    return out.toByteArray();
  }

  /** The enveloped encoding of {@code obj} (magic, type meta, raw), as the object field of a watch event holds it. */
  public static byte[] encodeEnveloped(ObjectNode obj) {
    WireBuffer out = new WireBuffer(1024);
    writeEnveloped(out, obj);
    return out.toByteArray();
  }

  /** A watch event frame around an object already encoded by {@link #encodeEnveloped}. */
  public static byte[] watchFrame(String type, byte[] enveloped) {
    WireBuffer out = new WireBuffer(enveloped.length + 32);
    int frame = out.reserveFrameLength();
    out.stringField(1, type);
    int object = out.begin(2);
    int raw = out.begin(1);
    out.writeRaw(enveloped);
    out.end(raw);
    out.end(object);
    out.fillFrameLength(frame);
    return out.toByteArray();
  }

  private static void writeEnveloped(WireBuffer out, ObjectNode obj) {
    JsonNode apiVersion = obj.get("apiVersion");
    JsonNode kind = obj.get("kind");
    if (apiVersion == null || !apiVersion.isTextual() || kind == null || !kind.isTextual()) {
      throw ApiException.internal("cannot encode an object without apiVersion and kind as protobuf");
    }
    Schemas.Kind k = Schemas.get().lookup(apiVersion.textValue(), kind.textValue())
        .orElseThrow(() -> ApiException.internal("object " + apiVersion.textValue() + ", Kind="
            + kind.textValue() + " cannot be encoded as protobuf"));
    out.writeRaw(MAGIC);
    int typeMeta = out.begin(1);
    out.stringField(1, apiVersion.textValue());
    out.stringField(2, kind.textValue());
    out.end(typeMeta);
    int raw = out.begin(2);
    try {
      ProtoWriter.writeFields(out, obj, k.info(), 0);
    } catch (ProtoWriter.EncodeException e) {
      throw ApiException.internal("cannot encode " + kind.textValue() + " as protobuf: " + e.getMessage());
    }
    out.end(raw);
    out.stringField(3, ""); // contentEncoding and contentType, written empty as upstream does
    out.stringField(4, "");
  }

  private static int length(CodedInputStream in) throws IOException {
    int len = in.readRawVarint32();
    if (len < 0) {
      throw ApiException.badRequest("proto: negative length found during unmarshaling");
    }
    return len;
  }

  private static void skip(CodedInputStream in, int tag) throws IOException {
    int wire = tag & 7;
    if (wire == 4) {
      throw ApiException.badRequest("proto: Unknown: wiretype end group for non-group");
    }
    if (wire > 5) {
      throw ApiException.badRequest("proto: illegal wireType " + wire);
    }
    in.skipField(tag);
  }
}

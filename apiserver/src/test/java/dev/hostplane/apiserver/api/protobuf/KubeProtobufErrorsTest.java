package dev.hostplane.apiserver.api.protobuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.TestJson;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Apps;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Malformed input is a 400 with Go's wording; objects protobuf cannot hold are a 500 naming the member. */
class KubeProtobufErrorsTest {
  private static final byte[] MAGIC = {0x6b, 0x38, 0x73, 0x00};

  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Magic + Unknown{typeMeta{apiVersion, kind}, raw}. */
  private static byte[] enveloped(String apiVersion, String kind, byte[] raw) {
    return concat(MAGIC, Runtime.Unknown.newBuilder()
        .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
        .setRaw(ByteString.copyFrom(raw)).build().toByteArray());
  }

  private static final byte[] CONFIGMAP = V1.ConfigMap.newBuilder()
      .setMetadata(Meta.ObjectMeta.newBuilder().setName("x").setNamespace("default")).putData("a", "b").build()
      .toByteArray();

  static Stream<Arguments> malformed() {
    byte[] good = enveloped("v1", "ConfigMap", CONFIGMAP);
    return Stream.of(
        Arguments.of("no bytes", new byte[0], "empty data"),
        Arguments.of("short prefix", bytes('k', '8', 's'),
            "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]"),
        Arguments.of("JSON body", "{\"kind\":\"ConfigMap\"}".getBytes(),
            "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]"),
        Arguments.of("magic only", MAGIC, "empty body"),
        Arguments.of("truncated envelope", Arrays.copyOf(good, good.length - 3), "unexpected EOF"),
        Arguments.of("truncated object", enveloped("v1", "ConfigMap",
            Arrays.copyOf(CONFIGMAP, CONFIGMAP.length - 2)), "unexpected EOF"),
        Arguments.of("unknown kind", enveloped("example.com/v1", "Widget", new byte[0]),
            "no kind \"Widget\" is registered for version \"example.com/v1\" in scheme "
                + "\"pkg/api/legacyscheme/scheme.go:30\""),
        Arguments.of("beta kind", enveloped("apps/v1beta1", "Deployment", new byte[0]),
            "no kind \"Deployment\" is registered for version \"apps/v1beta1\" in scheme "
                + "\"pkg/api/legacyscheme/scheme.go:30\""),
        Arguments.of("missing kind", enveloped("v1", "", new byte[0]),
            "Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:\"v1\", Kind:\"\"}'"),
        Arguments.of("missing version", enveloped("", "ConfigMap", new byte[0]),
            "Object 'apiVersion' is missing in 'runtime.TypeMeta{APIVersion:\"\", Kind:\"ConfigMap\"}'"),
        Arguments.of("metadata as a varint", enveloped("v1", "ConfigMap", bytes(0x08, 0x01)),
            "proto: wrong wireType = 0 for field metadata"),
        Arguments.of("string as fixed64", enveloped("v1", "ConfigMap", bytes(0x0a, 0x09, 0x09, 1, 2, 3, 4, 5, 6, 7, 8)),
            "proto: wrong wireType = 1 for field name"),
        Arguments.of("varint overflow", enveloped("v1", "Namespace",
            bytes(0x0a, 0x0b, 0x38, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)),
            "proto: integer overflow"),
        Arguments.of("length beyond the data", enveloped("v1", "ConfigMap", bytes(0x0a, 0x7f, 0x0a, 0x01)),
            "unexpected EOF"),
        Arguments.of("end group", enveloped("v1", "ConfigMap", bytes(0x0c)),
            "proto: ConfigMap: wiretype end group for non-group"),
        Arguments.of("wire type 7", enveloped("v1", "ConfigMap", bytes(0x7f, 0x00)), "proto: illegal wireType 7"),
        Arguments.of("field number 0", enveloped("v1", "ConfigMap", bytes(0x02, 0x00)), "proto: illegal tag 0"),
        Arguments.of("RawExtension that is not JSON", enveloped("apps/v1", "ControllerRevision",
            V1Apps.ControllerRevision.newBuilder().setData(Runtime.RawExtension.newBuilder()
                .setRaw(ByteString.copyFromUtf8("{not json"))).build().toByteArray()), null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedBodiesAreBadRequests(String name, byte[] body, String message) {
    ApiException e = assertThrows(ApiException.class, () -> KubeProtobuf.decode(body));
    assertEquals(400, e.code());
    assertEquals("BadRequest", e.status().reason());
    if (message != null) {
      assertEquals(message, e.status().message());
    }
  }

  @Test
  void nestingBeyondTheLimitIsABadRequest() {
    // A RawExtension whose raw is an enveloped ControllerRevision whose raw is ..., 300 deep.
    byte[] inner = enveloped("v1", "ConfigMap", CONFIGMAP);
    for (int i = 0; i < 300; i++) {
      inner = enveloped("apps/v1", "ControllerRevision", V1Apps.ControllerRevision.newBuilder()
          .setData(Runtime.RawExtension.newBuilder().setRaw(ByteString.copyFrom(inner))).build().toByteArray());
    }
    byte[] body = inner;
    ApiException e = assertThrows(ApiException.class, () -> KubeProtobuf.decode(body));
    assertEquals(400, e.code());
  }

  @Test
  void randomGarbageNeverEscapesAsAnUncheckedException() {
    Random random = new Random(42);
    byte[] good = enveloped("v1", "ConfigMap", CONFIGMAP);
    for (int i = 0; i < 5000; i++) {
      byte[] body = good.clone();
      int flips = 1 + random.nextInt(4);
      for (int f = 0; f < flips; f++) {
        body[MAGIC.length + random.nextInt(body.length - MAGIC.length)] = (byte) random.nextInt(256);
      }
      try {
        KubeProtobuf.decode(body);
      } catch (ApiException e) {
        assertEquals(400, e.code());
        // Not the facade's safety net for unexpected exceptions: the reader itself must have said what was wrong.
        assertTrue(!e.status().message().startsWith("unable to decode protobuf body"), e.status().message());
      }
    }
  }

  @Test
  void membersOfTheWrongJsonTypeFailEncodingWithTheirPath() {
    ObjectNode d = (ObjectNode) TestJson.parse("{\"kind\":\"Deployment\",\"apiVersion\":\"apps/v1\",\"metadata\":"
        + "{\"name\":\"web\"},\"spec\":{\"replicas\":\"3\"}}");
    ApiException e = assertThrows(ApiException.class, () -> KubeProtobuf.encode(d));
    assertEquals(500, e.code());
    assertTrue(e.status().message().endsWith("spec.replicas: expected an integer, found a string"),
        e.status().message());
    ObjectNode pod = (ObjectNode) TestJson.parse("{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"spec\":{\"containers\":"
        + "[{\"name\":\"a\"},{\"name\":\"b\",\"ports\":[{\"containerPort\":1.5}]}]}}");
    ApiException p = assertThrows(ApiException.class, () -> KubeProtobuf.encode(pod));
    assertTrue(p.status().message().endsWith("spec.containers[1].ports[0].containerPort: expected an integer, "
        + "found a number"), p.status().message());
    ObjectNode big = (ObjectNode) TestJson.parse("{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"spec\":{\"priority\":"
        + "4294967296}}");
    assertTrue(assertThrows(ApiException.class, () -> KubeProtobuf.encode(big)).status().message()
        .endsWith("spec.priority: 4294967296 is out of range"));
    ObjectNode badTime = (ObjectNode) TestJson.parse("{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":"
        + "{\"creationTimestamp\":\"yesterday\"}}");
    assertTrue(assertThrows(ApiException.class, () -> KubeProtobuf.encode(badTime)).status().message()
        .contains("metadata.creationTimestamp: cannot parse"));
    ObjectNode badBase64 = (ObjectNode) TestJson.parse("{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"data\":"
        + "{\"k\":\"not base64!\"}}");
    assertTrue(assertThrows(ApiException.class, () -> KubeProtobuf.encode(badBase64)).status().message()
        .endsWith("data.k: illegal base64 data"));
  }

  @Test
  void kindsWithoutAProtobufFormCannotBeEncoded() {
    for (String json : new String[] {"{\"kind\":\"Widget\",\"apiVersion\":\"example.com/v1\"}",
        "{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\"}", "{\"metadata\":{}}"}) {
      ApiException e = assertThrows(ApiException.class, () -> KubeProtobuf.encode((ObjectNode) TestJson.parse(json)));
      assertEquals(500, e.code());
    }
  }
}

package dev.hostplane.apiserver.openapi;

import dev.hostplane.apiserver.discovery.Version;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The OpenAPI endpoints. Until per-type schemas are published, {@code /openapi/v2} is a valid but schema-less
 * Swagger 2.0 document (protobuf, as kubectl asks for it) and {@code /openapi/v3} an index with no group-versions:
 * kubectl then relies on the server's field validation ({@code fieldValidation=Strict}) instead of client-side
 * schemas, and {@code kubectl explain} reports that it has no schema.
 */
public final class OpenApiDocuments {
  public static final String V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

  private final byte[] v2;
  private final String v2Etag;

  public OpenApiDocuments() {
    this.v2 = minimalV2();
    this.v2Etag = "\"" + Integer.toHexString(java.util.Arrays.hashCode(v2)) + "\"";
  }

  public byte[] v2Protobuf() {
    return v2.clone();
  }

  public String v2Etag() {
    return v2Etag;
  }

  /** The {@code /openapi/v3} index: no group-version documents yet. */
  public byte[] v3Index() {
    return "{\"paths\":{}}".getBytes(StandardCharsets.UTF_8);
  }

  /**
   * gnostic openapi_v2.Document: swagger=1 "2.0", info=2 {title=1, version=2}, paths=8 {} (field numbers of
   * the published openapi_v2 proto).
   */
  private static byte[] minimalV2() {
    ByteArrayOutputStream info = new ByteArrayOutputStream();
    field(info, 1, "Kubernetes".getBytes(StandardCharsets.UTF_8));
    field(info, 2, ("v1." + Version.KUBERNETES_MINOR + ".0").getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream doc = new ByteArrayOutputStream();
    field(doc, 1, "2.0".getBytes(StandardCharsets.UTF_8));
    field(doc, 2, info.toByteArray());
    field(doc, 8, new byte[0]);
    return doc.toByteArray();
  }

  private static void field(ByteArrayOutputStream out, int number, byte[] value) {
    varint(out, (number << 3) | 2);
    varint(out, value.length);
    out.writeBytes(value);
  }

  private static void varint(ByteArrayOutputStream out, int v) {
    while ((v & ~0x7f) != 0) {
      out.write((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.write(v);
  }
}

package dev.hostplane.apiserver.openapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.discovery.Version;
import dev.hostplane.apiserver.openapi.internal.GnosticV2;
import dev.hostplane.apiserver.openapi.internal.OpenApiV3;
import dev.hostplane.apiserver.openapi.internal.SwaggerV2;
import dev.hostplane.apiserver.registry.ResourceCatalog;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The OpenAPI documents of the served built-in types, encoded once at start-up: {@code /openapi/v2} (Swagger 2.0,
 * as JSON and as gnostic protobuf) and {@code /openapi/v3} (an index and one OpenAPI 3.0 document per
 * group-version). Each document carries upstream's ETag: the upper-case hex SHA-512 of its bytes (quoted in the
 * header); a v3 document's URL in the index carries the same hash ({@code ?hash=}), which makes it immutable.
 * Immutable and thread-safe; the byte arrays handed out must not be modified.
 */
public final class OpenApiDocuments {
  public static final String V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

  /** One encoded document and its ETag (unquoted hex). */
  public record Document(byte[] bytes, String hash) {
    /** The ETag header value: the hash in quotes. */
    public String etag() {
      return "\"" + hash + "\"";
    }
  }

  private final Document v2Json;
  private final Document v2Protobuf;
  private final Map<String, Document> v3;
  private final byte[] v3Index;

  public OpenApiDocuments(ResourceCatalog catalog) {
    this(catalog, Schemas.builtin());
  }

  public OpenApiDocuments(ResourceCatalog catalog, Schemas schemas) {
    String version = "v1." + Version.KUBERNETES_MINOR + ".0";
    ObjectNode swagger = SwaggerV2.build(catalog, schemas, version);
    this.v2Json = document(Codecs.writeJson(swagger));
    this.v2Protobuf = document(GnosticV2.encode(swagger));
    Map<String, Document> docs = new LinkedHashMap<>();
    ObjectNode index = Codecs.mapper().createObjectNode();
    ObjectNode paths = index.putObject("paths");
    OpenApiV3.build(catalog, schemas, version).forEach((key, doc) -> {
      Document d = document(Codecs.writeJson(doc));
      docs.put(key, d);
      paths.putObject(key).put("serverRelativeURL", "/openapi/v3/" + key + "?hash=" + d.hash());
    });
    this.v3 = Map.copyOf(docs);
    this.v3Index = Codecs.writeJson(index);
  }

  public Document v2Json() {
    return v2Json;
  }

  public Document v2Protobuf() {
    return v2Protobuf;
  }

  /** The {@code /openapi/v3} index: {@code {"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=..."}}}}. */
  public byte[] v3Index() {
    return v3Index;
  }

  /** A group-version's document by its index key ({@code api/v1}, {@code apis/apps/v1}). */
  public Optional<Document> v3(String key) {
    return Optional.ofNullable(v3.get(key));
  }

  private static Document document(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-512").digest(bytes);
      return new Document(bytes, HexFormat.of().withUpperCase().formatHex(digest));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-512 is part of every JRE", e);
    }
  }

}

package dev.hostplane.apiserver.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.MediaType;
import dev.hostplane.apiserver.api.protobuf.KubeProtobuf;
import dev.hostplane.apiserver.server.HttpExchange;

/** Decodes a request body for the audit log's requestObject: JSON, YAML (apply), or Kubernetes protobuf. */
final class AuditBodies {
  private AuditBodies() {}

  /** The body as a JSON tree, or null when there is none or it cannot be read (the request failed for that). */
  static JsonNode decode(HttpExchange exchange) {
    byte[] body = exchange.body();
    if (body.length == 0) {
      return null;
    }
    String contentType = exchange.header("Content-Type");
    String t = contentType == null ? "application/json" : MediaType.parse(contentType)
        .map(m -> m.type() + "/" + m.subtype()).orElse("application/json");
    try {
      if (t.equals(KubeProtobuf.MEDIA_TYPE)) {
        return KubeProtobuf.decode(body);
      }
      return Codecs.readTree(body, t.endsWith("yaml") ? MediaType.YAML : MediaType.JSON);
    } catch (RuntimeException e) {
      return null;
    }
  }
}

package dev.hostplane.apiserver.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * List continue tokens in upstream's format: base64url (no padding) of
 * {@code {"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key relative to the list prefix>"}}, so that tokens are
 * portable across replicas and backends.
 */
public final class ContinueToken {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** A decoded token: the list revision and the absolute first key to read. */
  public record Position(long revision, String startKey) {}

  private ContinueToken() {}

  public static String encode(long revision, String nextKey, String listPrefix) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("v", "meta.k8s.io/v1");
    n.put("rv", revision);
    n.put("start", nextKey.startsWith(listPrefix) ? nextKey.substring(listPrefix.length()) : nextKey);
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(n.toString().getBytes(StandardCharsets.UTF_8));
  }

  public static Position decode(String token, String listPrefix) {
    JsonNode n;
    try {
      n = MAPPER.readTree(Base64.getUrlDecoder().decode(token.trim()));
    } catch (Exception e) {
      throw invalid("continue key is not valid: " + e.getClass().getSimpleName());
    }
    if (n == null || !n.isObject() || !"meta.k8s.io/v1".equals(n.path("v").asText())) {
      throw invalid("continue key is not valid: server does not recognize this encoded key");
    }
    long rv = n.path("rv").asLong(0);
    String start = n.path("start").asText("");
    if (rv <= 0) {
      throw invalid("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
    }
    if (start.isEmpty() || start.startsWith("/") || start.contains("/../") || start.startsWith("../")
        || start.equals("..")) {
      throw invalid("continue key is not valid: encoded start key is not valid");
    }
    return new Position(rv, listPrefix + start);
  }

  private static ApiException invalid(String message) {
    return ApiException.badRequest(message);
  }
}

package dev.hostplane.apiserver.proxy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.Status;
import java.nio.charset.StandardCharsets;

/** Errors from backends (kubelets), as the client sees them. */
public final class BackendErrors {
  /** The most of an error body that is kept. */
  static final int MAX_BODY = 64 * 1024;

  private BackendErrors() {}

  /**
   * A backend's non-success answer: its code, the reason upstream gives that code, and as message the body's
   * {@code message} when it is a Status, else the body's text.
   */
  public static ApiException of(int code, byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).trim();
    try {
      JsonNode n = body.length > 0 && body[0] == (byte) '{' ? Codecs.mapper().readTree(body) : null;
      if (n != null && n.path("message").isTextual()) {
        text = n.path("message").asText();
      }
    } catch (java.io.IOException | RuntimeException e) {
      // not JSON: the text as it is
    }
    if (text.isEmpty()) {
      text = "the backend answered " + code;
    }
    return new ApiException(Status.of(code, reason(code), text));
  }

  /** The backend closed the connection before answering. */
  public static ApiException closed() {
    return new ApiException(Status.of(503, "ServiceUnavailable", "error dialing backend: EOF"));
  }

  static String reason(int code) {
    return switch (code) {
      case 400 -> "BadRequest";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "NotFound";
      case 405 -> "MethodNotAllowed";
      case 409 -> "Conflict";
      case 410 -> "Gone";
      case 422 -> "Invalid";
      case 429 -> "TooManyRequests";
      case 503 -> "ServiceUnavailable";
      case 504 -> "Timeout";
      default -> "InternalError";
    };
  }
}

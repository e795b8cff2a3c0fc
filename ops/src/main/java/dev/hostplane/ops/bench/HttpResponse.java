package dev.hostplane.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** A complete response: the status and the whole body. The array is owned by this value; do not change it. */
public record HttpResponse(int status, byte[] body) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public boolean ok() {
    return status >= 200 && status < 300;
  }

  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  public JsonNode json() {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("response is not JSON: " + e.getMessage(), e);
    }
  }

  /**
   * What went wrong, for a person: the {@code message} of a metav1.Status body when there is one, else the
   * start of the body.
   */
  public String describe() {
    String message = null;
    try {
      JsonNode node = JSON.readTree(body);
      if (node != null && node.hasNonNull("message")) {
        message = node.get("message").asText();
      }
    } catch (IOException e) {
      // not a Status: fall back to the raw text
    }
    if (message == null) {
      String t = text().strip();
      message = t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }
    return "HTTP " + status + (message.isEmpty() ? "" : ": " + message);
  }
}

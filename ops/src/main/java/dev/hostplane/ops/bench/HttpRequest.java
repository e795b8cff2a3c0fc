package dev.hostplane.ops.bench;

import java.util.Objects;

/**
 * One request to send: {@code path} is relative to the server URL's path and includes the query. A null body
 * sends none. Immutable; the body array is not copied and must not be changed after construction.
 */
public record HttpRequest(String method, String path, String accept, String contentType, byte[] body) {
  public HttpRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/', got " + path);
    }
    if ((body == null) != (contentType == null)) {
      throw new IllegalArgumentException("a body needs a content type and a content type a body");
    }
  }

  public static HttpRequest get(String path) {
    return new HttpRequest("GET", path, "application/json", null, null);
  }

  public static HttpRequest delete(String path) {
    return new HttpRequest("DELETE", path, "application/json", null, null);
  }

  public static HttpRequest post(String path, byte[] json) {
    return new HttpRequest("POST", path, "application/json", "application/json", json);
  }

  public static HttpRequest mergePatch(String path, byte[] json) {
    return new HttpRequest("PATCH", path, "application/json", "application/merge-patch+json", json);
  }

  public HttpRequest withAccept(String value) {
    return new HttpRequest(method, path, value, contentType, body);
  }

  @Override
  public String toString() {
    return method + " " + path;
  }
}

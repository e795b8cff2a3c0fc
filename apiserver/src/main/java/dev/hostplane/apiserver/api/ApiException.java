package dev.hostplane.apiserver.api;

import java.util.List;

/**
 * The one exception that carries a {@link Status} to the client. Thrown (or used to fail a future) anywhere on a
 * request's path; the HTTP layer writes {@link #status()} as the response. No stack trace is captured: these are
 * expected outcomes, not bugs.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Status status;

  public ApiException(Status status) {
    super(status.message(), null, false, false);
    this.status = status;
  }

  public Status status() {
    return status;
  }

  public int code() {
    return status.code();
  }

  // Factories named after upstream's k8s.io/apimachinery/pkg/api/errors constructors.

  public static ApiException badRequest(String message) {
    return new ApiException(Status.of(400, "BadRequest", message));
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(Status.of(401, "Unauthorized", message));
  }

  public static ApiException forbidden(String message) {
    return new ApiException(Status.of(403, "Forbidden", message));
  }

  public static ApiException notFound(String group, String resource, String name) {
    String qualified = group == null || group.isEmpty() ? resource : resource + "." + group;
    String msg = name == null || name.isEmpty()
        ? "the server could not find the requested resource"
        : qualified + " \"" + name + "\" not found";
    return new ApiException(new Status(404, "NotFound", msg,
        new Status.Details(name, group, resource, null, null, null)));
  }

  /** A plain 404 for a path that names no resource. */
  public static ApiException notFoundPath() {
    return new ApiException(Status.of(404, "NotFound", "the server could not find the requested resource"));
  }

  public static ApiException alreadyExists(String group, String resource, String name) {
    String qualified = group == null || group.isEmpty() ? resource : resource + "." + group;
    return new ApiException(new Status(409, "AlreadyExists", qualified + " \"" + name + "\" already exists",
        new Status.Details(name, group, resource, null, null, null)));
  }

  public static ApiException conflict(String group, String resource, String name, String why) {
    String qualified = group == null || group.isEmpty() ? resource : resource + "." + group;
    return new ApiException(new Status(409, "Conflict",
        "Operation cannot be fulfilled on " + qualified + " \"" + name + "\": " + why,
        new Status.Details(name, group, resource, null, null, null)));
  }

  public static ApiException methodNotAllowed(String message) {
    return new ApiException(Status.of(405, "MethodNotAllowed", message));
  }

  public static ApiException notAcceptable(String message) {
    return new ApiException(Status.of(406, "NotAcceptable", message));
  }

  public static ApiException unsupportedMediaType(String accepted) {
    return new ApiException(Status.of(415, "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: " + accepted));
  }

  public static ApiException gone(String message) {
    return new ApiException(Status.of(410, "Gone", message));
  }

  public static ApiException expired(String message) {
    return new ApiException(Status.of(410, "Expired", message));
  }

  public static ApiException tooLarge(String message) {
    return new ApiException(Status.of(413, "RequestEntityTooLarge", message));
  }

  /** 422 Invalid: {@code <Kind>.<group> "<name>" is invalid: <causes joined>}. */
  public static ApiException invalid(String group, String kind, String name, List<Status.Cause> causes) {
    String qualified = group == null || group.isEmpty() ? kind : kind + "." + group;
    StringBuilder msg = new StringBuilder(qualified).append(" \"").append(name == null ? "" : name)
        .append("\" is invalid: ");
    if (causes.size() == 1) {
      Status.Cause c = causes.get(0);
      msg.append(c.field() == null || c.field().isEmpty() ? "" : c.field() + ": ").append(c.message());
    } else {
      msg.append('[');
      for (int i = 0; i < causes.size(); i++) {
        Status.Cause c = causes.get(i);
        if (i > 0) msg.append(", ");
        msg.append(c.field() == null || c.field().isEmpty() ? "" : c.field() + ": ").append(c.message());
      }
      msg.append(']');
    }
    return new ApiException(new Status(422, "Invalid", msg.toString(),
        new Status.Details(name, group, kind, null, causes, null)));
  }

  public static ApiException tooManyRequests(String message, int retryAfterSeconds) {
    return new ApiException(Status.of(429, "TooManyRequests", message).withRetryAfter(retryAfterSeconds));
  }

  public static ApiException internal(String message) {
    return new ApiException(Status.of(500, "InternalError",
        "Internal error occurred: " + message));
  }

  public static ApiException unavailable(String message) {
    return new ApiException(Status.of(503, "ServiceUnavailable", message));
  }

  public static ApiException timeout(String message) {
    return new ApiException(Status.of(504, "Timeout", message));
  }
}

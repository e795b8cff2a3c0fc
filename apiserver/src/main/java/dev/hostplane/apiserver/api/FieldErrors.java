package dev.hostplane.apiserver.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.api.internal.GoFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds {@link Status.Cause}s worded exactly like upstream's {@code field.Error}: the cause's message is
 * {@code ErrorBody()} (for example {@code Invalid value: "Foo": a lowercase RFC 1123 ...}) and its field is the path
 * ({@code metadata.name}, {@code spec.containers[0].image}, {@code metadata.labels[app]}).
 * {@link ApiException#invalid} prefixes each message with its field, as upstream's aggregate does.
 *
 * <p>Values are rendered as Go's {@code %v}/{@code %q} would: strings quoted with Go escapes, numbers and booleans
 * plain, {@code null} as {@code null}.
 */
public final class FieldErrors {
  /** Upstream CauseType values. */
  public static final String INVALID = "FieldValueInvalid";
  public static final String REQUIRED = "FieldValueRequired";
  public static final String DUPLICATE = "FieldValueDuplicate";
  public static final String NOT_SUPPORTED = "FieldValueNotSupported";
  public static final String TOO_LONG = "FieldValueTooLong";
  public static final String FORBIDDEN = "FieldValueForbidden";

  private FieldErrors() {}

  /** {@code Invalid value: <value>: <detail>}; an empty detail leaves only the value. */
  public static Status.Cause invalid(String field, Object value, String detail) {
    return new Status.Cause(INVALID, withDetail("Invalid value: " + render(value), detail), field);
  }

  /** {@code Required value: <detail>}, or just {@code Required value}. */
  public static Status.Cause required(String field, String detail) {
    return new Status.Cause(REQUIRED, withDetail("Required value", detail), field);
  }

  /** {@code Forbidden: <detail>}, or just {@code Forbidden}. */
  public static Status.Cause forbidden(String field, String detail) {
    return new Status.Cause(FORBIDDEN, withDetail("Forbidden", detail), field);
  }

  /** {@code Too long: must have at most <max> bytes}; like upstream, the value itself is not repeated. */
  public static Status.Cause tooLong(String field, int maxBytes) {
    return new Status.Cause(TOO_LONG, "Too long: must have at most " + maxBytes + " bytes", field);
  }

  /** {@code Duplicate value: <value>}. */
  public static Status.Cause duplicate(String field, Object value) {
    return new Status.Cause(DUPLICATE, "Duplicate value: " + render(value), field);
  }

  /** {@code Unsupported value: <value>: supported values: "a", "b"}. */
  public static Status.Cause notSupported(String field, Object value, List<String> supported) {
    String detail = supported.isEmpty() ? "" : "supported values: "
        + supported.stream().map(GoFormat::quote).collect(Collectors.joining(", "));
    return new Status.Cause(NOT_SUPPORTED, withDetail("Unsupported value: " + render(value), detail), field);
  }

  /**
   * A value as Go's {@code %v} prints it in a field error: strings (and textual JSON nodes) quoted, numbers and
   * booleans plain, null and missing nodes as {@code null}, other JSON as compact JSON.
   */
  public static String render(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String s) {
      return GoFormat.quote(s);
    }
    if (value instanceof JsonNode node) {
      if (node.isMissingNode() || node.isNull()) {
        return "null";
      }
      if (node.isTextual()) {
        return GoFormat.quote(node.textValue());
      }
      return node.toString();
    }
    return String.valueOf(value);
  }

  private static String withDetail(String head, String detail) {
    return detail == null || detail.isEmpty() ? head : head + ": " + detail;
  }
}

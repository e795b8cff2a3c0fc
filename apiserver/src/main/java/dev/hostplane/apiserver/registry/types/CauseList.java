package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.api.Status;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects validation failures as {@link Status.Cause}s with upstream's CauseType reasons and message bodies
 * ({@code k8s.io/apimachinery/pkg/util/validation/field}). Field paths are written the way upstream prints them:
 * {@code spec.containers[0].image}, {@code data[key]}. Not thread-safe: one instance per validation call.
 */
final class CauseList {
  /** A bad value printed as given, for values upstream prints with Go's {@code %#v} or a Stringer. */
  record Raw(String text) {
    @Override
    public String toString() {
      return text;
    }
  }

  static final String IMMUTABLE = "field is immutable";

  private final List<Status.Cause> causes = new ArrayList<>();

  CauseList required(String path) {
    return required(path, "");
  }

  CauseList required(String path, String detail) {
    return add("FieldValueRequired", path, "Required value" + suffix(detail));
  }

  CauseList invalid(String path, Object value, String detail) {
    return add("FieldValueInvalid", path, "Invalid value: " + format(value) + suffix(detail));
  }

  /** One Invalid cause per message, as upstream loops over the messages of an {@code Is*} check. */
  CauseList invalidEach(String path, Object value, Collection<String> messages) {
    for (String m : messages) {
      invalid(path, value, m);
    }
    return this;
  }

  CauseList immutable(String path, Object newValue) {
    return invalid(path, newValue, IMMUTABLE);
  }

  CauseList notSupported(String path, Object value, String... supported) {
    return notSupported(path, value, List.of(supported));
  }

  /** {@code supported} is printed in the given order, each value quoted. */
  CauseList notSupported(String path, Object value, List<String> supported) {
    StringBuilder detail = new StringBuilder();
    if (!supported.isEmpty()) {
      detail.append("supported values: ");
      for (int i = 0; i < supported.size(); i++) {
        detail.append(i == 0 ? "" : ", ").append(quote(supported.get(i)));
      }
    }
    return add("FieldValueNotSupported", path, "Unsupported value: " + format(value) + suffix(detail.toString()));
  }

  CauseList forbidden(String path, String detail) {
    return add("FieldValueForbidden", path, "Forbidden" + suffix(detail));
  }

  CauseList duplicate(String path, Object value) {
    return add("FieldValueDuplicate", path, "Duplicate value: " + format(value));
  }

  CauseList notFound(String path, Object value) {
    return add("FieldValueNotFound", path, "Not found: " + format(value));
  }

  CauseList tooLong(String path, int maxBytes) {
    return add("FieldValueTooLong", path, "Too long: must have at most " + maxBytes + " bytes");
  }

  CauseList tooMany(String path, int actual, int max) {
    return add("FieldValueTooMany", path, "Too many: " + actual + ": must have at most " + max + " items");
  }

  CauseList addAll(List<Status.Cause> more) {
    causes.addAll(more);
    return this;
  }

  boolean isEmpty() {
    return causes.isEmpty();
  }

  int size() {
    return causes.size();
  }

  List<Status.Cause> list() {
    return List.copyOf(causes);
  }

  private CauseList add(String reason, String path, String message) {
    causes.add(new Status.Cause(reason, message, path));
    return this;
  }

  private static String suffix(String detail) {
    return detail == null || detail.isEmpty() ? "" : ": " + detail;
  }

  /**
   * Prints a bad value as upstream's field errors do: strings quoted, numbers and booleans bare, string maps and
   * lists in Go syntax ({@code map[string]string{"a":"b"}}, {@code []string{"a"}}), {@link Raw} as given, other
   * trees as JSON.
   */
  static String format(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String s) {
      return quote(s);
    }
    if (value instanceof Number || value instanceof Boolean || value instanceof Raw) {
      return value.toString();
    }
    if (value instanceof Map<?, ?> m) {
      return goStringMap(m);
    }
    if (value instanceof List<?> l) {
      return goStrings(l);
    }
    if (value instanceof JsonNode n) {
      if (n.isNull() || n.isMissingNode()) {
        return "null";
      }
      if (n.isTextual()) {
        return quote(n.asText());
      }
      return n.isValueNode() ? n.asText() : n.toString();
    }
    return value.toString();
  }

  /** Go's {@code %#v} of a {@code map[string]string}: keys sorted. */
  static String goStringMap(Map<?, ?> m) {
    if (m.isEmpty()) {
      return "map[string]string(nil)";
    }
    StringBuilder b = new StringBuilder("map[string]string{");
    boolean first = true;
    for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
      b.append(first ? "" : ", ").append(quote(String.valueOf(e.getKey()))).append(':')
          .append(quote(String.valueOf(e.getValue())));
      first = false;
    }
    return b.append('}').toString();
  }

  /** Go's {@code %#v} of a {@code []string}. */
  static String goStrings(List<?> l) {
    if (l.isEmpty()) {
      return "[]string(nil)";
    }
    StringBuilder b = new StringBuilder("[]string{");
    for (int i = 0; i < l.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(quote(String.valueOf(l.get(i))));
    }
    return b.append('}').toString();
  }

  /** A JSON array of strings: {@code ["a","b"]}. */
  static String jsonStrings(List<String> l) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < l.size(); i++) {
      b.append(i == 0 ? "" : ",").append(quote(l.get(i)));
    }
    return b.append(']').toString();
  }

  /** Go's {@code %q} for printable text: backslash and double quote escaped, control characters as escapes. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format("\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}

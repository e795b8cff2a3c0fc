package dev.hostplane.apiserver.printers.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.LabelSelector;
import dev.hostplane.apiserver.api.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Field reads and cell formats shared by the printers, each named after the upstream helper it reproduces. Reads
 * take any node (missing and null included) and answer Go's zero value for absent fields. Not API.
 */
public final class Cells {
  private Cells() {}

  /** A string field; "" when absent or null. */
  public static String text(JsonNode n) {
    return n == null || n.isMissingNode() || n.isNull() ? "" : n.asText();
  }

  /** {@code s}, or {@code ifEmpty} when it is empty. */
  public static String or(String s, String ifEmpty) {
    return s.isEmpty() ? ifEmpty : s;
  }

  /** An integer field; 0 when absent. */
  public static long integer(JsonNode n) {
    return n == null ? 0 : n.asLong(0);
  }

  /** A boolean field; {@code absent} when absent or not a boolean (a nil *bool defaulted by the printer). */
  public static boolean bool(JsonNode n, boolean absent) {
    return n != null && n.isBoolean() ? n.booleanValue() : absent;
  }

  /** Whether a field holds a struct (Go's non-nil pointer to a struct). */
  public static boolean present(JsonNode n) {
    return n != null && n.isObject();
  }

  /** The texts of an array field; empty when absent. */
  public static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null && array.isArray()) {
      array.forEach(v -> out.add(text(v)));
    }
    return out;
  }

  /** Upstream's {@code printBoolPtr}: {@code True}, {@code False} or {@code <unset>}. */
  public static String boolPtr(JsonNode n) {
    if (n == null || !n.isBoolean()) {
      return "<unset>";
    }
    return n.booleanValue() ? "True" : "False";
  }

  /** {@code labels.FormatLabels}: {@code k=v} sorted by key and joined by commas, {@code <none>} when empty. */
  public static String labels(JsonNode map) {
    Map<String, String> sorted = new TreeMap<>();
    if (map != null && map.isObject()) {
      map.fields().forEachRemaining(e -> sorted.put(e.getKey(), text(e.getValue())));
    }
    if (sorted.isEmpty()) {
      return "<none>";
    }
    return sorted.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
  }

  /**
   * {@code metav1.FormatLabelSelector}: the selector's canonical text, {@code <none>} for an absent or empty
   * selector, {@code <error>} for one that does not convert.
   */
  public static String selector(JsonNode selector) {
    try {
      return or(LabelSelector.fromJson(selector).toString(), "<none>");
    } catch (ApiException e) {
      return "<error>";
    }
  }

  /** The selector's canonical text without the {@code <none>} stand-in, {@code <invalid>} when it does not convert. */
  public static String selectorString(JsonNode selector) {
    try {
      return LabelSelector.fromJson(selector).toString();
    } catch (ApiException e) {
      return "<invalid>";
    }
  }

  /** Container names and images, each joined by commas ({@code layoutContainerCells}). */
  public record Containers(String names, String images) {}

  public static Containers containers(JsonNode containers) {
    List<String> names = new ArrayList<>();
    List<String> images = new ArrayList<>();
    if (containers != null && containers.isArray()) {
      for (JsonNode c : containers) {
        names.add(text(c.path("name")));
        images.add(text(c.path("image")));
      }
    }
    return new Containers(String.join(",", names), String.join(",", images));
  }

  /** A {@code resource.Quantity} value field's {@code String()}: {@code 0} when absent. */
  public static String quantity(JsonNode n) {
    String q = quantityOrNull(n);
    return q == null ? "0" : q;
  }

  /** A {@code *resource.Quantity} field's {@code String()}: {@code <nil>} when absent, as Go prints a nil pointer. */
  public static String quantityPtr(JsonNode n) {
    String q = quantityOrNull(n);
    return q == null ? "<nil>" : q;
  }

  private static String quantityOrNull(JsonNode n) {
    try {
      Quantity q = Quantity.fromJson(n);
      return q == null ? null : q.toString();
    } catch (IllegalArgumentException e) {
      return n.asText(); // stored objects were validated; print what is there rather than fail the table
    }
  }

  /** {@code intstr.IntOrString.String()}. */
  public static String intOrString(JsonNode n) {
    return text(n);
  }

  /** {@code net.JoinHostPort}: IPv6 hosts in brackets. */
  public static String joinHostPort(String host, long port) {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  /** Upstream's {@code listWithMoreString}: {@code a,b,c + 2 more...}, or {@code <unset>} for an empty list. */
  public static String listWithMore(List<String> list, boolean more, int count, int max) {
    String ret = String.join(",", list);
    if (more) {
      return ret + " + " + (count - max) + " more...";
    }
    return or(ret, "<unset>");
  }

  /** The first element of {@code array} whose {@code field} equals {@code value}, or a missing node. */
  public static JsonNode find(JsonNode array, String field, String value) {
    if (array != null && array.isArray()) {
      for (JsonNode e : array) {
        if (value.equals(text(e.path(field)))) {
          return e;
        }
      }
    }
    return MissingNode.getInstance();
  }
}

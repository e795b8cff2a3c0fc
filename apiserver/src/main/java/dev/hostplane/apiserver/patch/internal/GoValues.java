package dev.hostplane.apiserver.patch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Decoded JSON as upstream's Go code sees it (values decoded into {@code interface{}} with integers kept as
 * {@code int64}): its dynamic type, {@code ==} between two such values, and what {@code fmt}'s {@code %v} and
 * {@code %s} print for it. Used to decide merges exactly as upstream does and to word errors as upstream words
 * them. Not API.
 */
public final class GoValues {
  private GoValues() {}

  /** The dynamic Go type of a decoded JSON value. */
  public enum GoType {
    MAP("map[string]interface {}"),
    SLICE("[]interface {}"),
    STRING("string"),
    INT64("int64"),
    FLOAT64("float64"),
    BOOL("bool"),
    NIL(null);

    private final String goName;

    GoType(String goName) {
      this.goName = goName;
    }

    /** {@code reflect.Type} printed with {@code %s}; a nil type prints as {@code %!s(<nil>)}. */
    public String goName() {
      return goName == null ? "%!s(<nil>)" : goName;
    }
  }

  /**
   * The type a value decodes to: integers that fit in 64 bits are {@code int64}, every other number
   * {@code float64}; an absent value (Java null) is nil, as a missing map key reads in Go.
   */
  public static GoType typeOf(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return GoType.NIL;
    }
    if (n.isObject()) {
      return GoType.MAP;
    }
    if (n.isArray()) {
      return GoType.SLICE;
    }
    if (n.isBoolean()) {
      return GoType.BOOL;
    }
    if (n.isNumber()) {
      return n.isIntegralNumber() && n.canConvertToLong() ? GoType.INT64 : GoType.FLOAT64;
    }
    return GoType.STRING;
  }

  /**
   * Go's {@code ==} on two such values: same dynamic type and value ({@code 1} and {@code 1.0} differ, as int64
   * and float64 do). Go panics when comparing maps or slices; here they compare by JSON equality instead.
   */
  public static boolean same(JsonNode a, JsonNode b) {
    GoType t = typeOf(a);
    if (t != typeOf(b)) {
      return false;
    }
    switch (t) {
      case NIL:
        return true;
      case STRING:
        return a.asText().equals(b.asText());
      case BOOL:
        return a.booleanValue() == b.booleanValue();
      case INT64:
        return a.longValue() == b.longValue();
      case FLOAT64:
        return a.doubleValue() == b.doubleValue();
      default:
        return JsonValues.equal(a, b);
    }
  }

  /** {@code fmt.Sprintf("%v", value)}: maps as {@code map[k:v ...]} with sorted keys, slices as {@code [a b]}. */
  public static String v(JsonNode n) {
    StringBuilder sb = new StringBuilder();
    format(sb, n, false);
    return sb.toString();
  }

  /** {@code fmt.Sprintf("%s", value)}: like {@code %v} but non-strings print as {@code %!s(type=value)}. */
  public static String s(JsonNode n) {
    StringBuilder sb = new StringBuilder();
    format(sb, n, true);
    return sb.toString();
  }

  /** {@code fmt.Sprint(slices)} for a Go {@code [][]interface{}} made of the given lists. */
  public static String vSlices(List<JsonNode> first, List<JsonNode> second) {
    StringBuilder sb = new StringBuilder("[");
    formatSlice(sb, first);
    sb.append(' ');
    formatSlice(sb, second);
    return sb.append(']').toString();
  }

  private static void formatSlice(StringBuilder sb, List<JsonNode> items) {
    sb.append('[');
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        sb.append(' ');
      }
      format(sb, items.get(i), false);
    }
    sb.append(']');
  }

  private static void format(StringBuilder sb, JsonNode n, boolean verbS) {
    GoType t = typeOf(n);
    switch (t) {
      case MAP -> {
        List<String> keys = new ArrayList<>(n.size());
        n.fieldNames().forEachRemaining(keys::add);
        Collections.sort(keys);
        sb.append("map[");
        for (int i = 0; i < keys.size(); i++) {
          if (i > 0) {
            sb.append(' ');
          }
          sb.append(keys.get(i)).append(':');
          format(sb, n.get(keys.get(i)), verbS);
        }
        sb.append(']');
      }
      case SLICE -> {
        sb.append('[');
        for (int i = 0; i < n.size(); i++) {
          if (i > 0) {
            sb.append(' ');
          }
          format(sb, n.get(i), verbS);
        }
        sb.append(']');
      }
      case STRING -> sb.append(n.asText());
      case NIL -> sb.append(verbS ? "%!s(<nil>)" : "<nil>");
      default -> {
        String text = t == GoType.FLOAT64 ? formatFloat(n.doubleValue()) : n.asText();
        if (verbS) {
          sb.append("%!s(").append(t.goName).append('=').append(text).append(')');
        } else {
          sb.append(text);
        }
      }
    }
  }

  /**
   * A float64 as {@code %v} prints it: the shortest digits that round-trip, in exponent form ({@code 1e+06},
   * {@code 1.5e-05}) when the decimal exponent is below -4 or at least 6 ({@code strconv}'s {@code 'g'} with
   * shortest precision), plain otherwise.
   */
  static String formatFloat(double d) {
    if (d == 0) {
      return 1 / d < 0 ? "-0" : "0";
    }
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    String digits = bd.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - bd.scale();
    StringBuilder sb = new StringBuilder();
    if (d < 0) {
      sb.append('-');
    }
    if (exp < -4 || exp >= 6) {
      sb.append(digits.charAt(0));
      if (digits.length() > 1) {
        sb.append('.').append(digits, 1, digits.length());
      }
      sb.append('e').append(exp < 0 ? '-' : '+');
      int abs = Math.abs(exp);
      if (abs < 10) {
        sb.append('0');
      }
      return sb.append(abs).toString();
    }
    return sb.append(bd.abs().toPlainString()).toString();
  }
}

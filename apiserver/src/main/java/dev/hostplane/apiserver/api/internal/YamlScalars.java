package dev.hostplane.apiserver.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigInteger;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a plain (unquoted, untagged) YAML scalar is typed, following go-yaml v2, which upstream's YAML-to-JSON
 * conversion uses: YAML 1.1 booleans including {@code y}/{@code n}/{@code on}/{@code off}, Go's base-prefixed and
 * octal integers with {@code _} separators, go-yaml's float syntax. Timestamps stay strings, as go-yaml v2 keeps
 * them when decoding into an untyped value. Not API.
 */
public final class YamlScalars {
  /** What a plain scalar resolves to. {@code value} is set for NULL, BOOL, INT and FLOAT. */
  public enum Kind { STRING, NULL, BOOL, INT, FLOAT, INFINITY, NAN, MERGE }

  public record Resolved(Kind kind, JsonNode value) {}

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> NULLS = Set.of("", "~", "null", "Null", "NULL");
  private static final Set<String> TRUES = Set.of("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
      "on", "On", "ON");
  private static final Set<String> FALSES = Set.of("n", "N", "no", "No", "NO", "false", "False", "FALSE",
      "off", "Off", "OFF");
  private static final Set<String> POSITIVE_INF = Set.of(".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF");
  private static final Set<String> NEGATIVE_INF = Set.of("-.inf", "-.Inf", "-.INF");
  private static final Set<String> NANS = Set.of(".nan", ".NaN", ".NAN");
  private static final Pattern YAML_FLOAT =
      Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  private static final Pattern DOT_FLOAT = Pattern.compile("\\.[0-9]+([eE][-+]?[0-9]+)?");
  private static final Pattern TIMESTAMP_LIKE = Pattern.compile("[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?");
  private static final Pattern BASE60_FLOAT =
      Pattern.compile("[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?");
  private static final BigInteger INT64_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger INT64_MAX = BigInteger.valueOf(Long.MAX_VALUE);
  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  /** Longer digit strings cannot be 64-bit integers in any base; skipping them keeps resolution linear. */
  private static final int MAX_INTEGER_TEXT = 70;

  private YamlScalars() {}

  /** Resolves a plain scalar the way go-yaml v2 does for an untyped target. */
  public static Resolved resolvePlain(String s) {
    if (NULLS.contains(s)) {
      return new Resolved(Kind.NULL, NODES.nullNode());
    }
    if (TRUES.contains(s)) {
      return new Resolved(Kind.BOOL, NODES.booleanNode(true));
    }
    if (FALSES.contains(s)) {
      return new Resolved(Kind.BOOL, NODES.booleanNode(false));
    }
    if (POSITIVE_INF.contains(s) || NEGATIVE_INF.contains(s)) {
      return new Resolved(Kind.INFINITY, null);
    }
    if (NANS.contains(s)) {
      return new Resolved(Kind.NAN, null);
    }
    if (s.equals("<<")) {
      return new Resolved(Kind.MERGE, null);
    }
    char c = s.charAt(0);
    if (c == '.') {
      return DOT_FLOAT.matcher(s).matches() ? asFloat(s) : string(s);
    }
    if (!(c >= '0' && c <= '9' || c == '+' || c == '-')) {
      return string(s);
    }
    String plain = s.replace("_", "");
    if (plain.length() <= MAX_INTEGER_TEXT) {
      BigInteger i = parseGoInteger(plain);
      if (i != null && (i.compareTo(INT64_MIN) >= 0 && i.compareTo(UINT64_MAX) <= 0)
          && (i.compareTo(INT64_MAX) <= 0 || plain.charAt(0) != '+' && plain.charAt(0) != '-')) {
        return new Resolved(Kind.INT, integerNode(i));
      }
    }
    if (YAML_FLOAT.matcher(plain).matches()) {
      return asFloat(plain);
    }
    return string(s);
  }

  /**
   * Whether go-yaml v2 would write {@code s} without quotes: it must resolve back to a string, and not look like a
   * timestamp or a sexagesimal number. (Quoting is still added by the emitter when YAML syntax requires it.)
   */
  public static boolean canBePlain(String s) {
    return !s.isEmpty() && resolvePlain(s).kind() == Kind.STRING && !TIMESTAMP_LIKE.matcher(s).matches()
        && !BASE60_FLOAT.matcher(s).matches();
  }

  /** A number node of the narrowest Jackson type, as Jackson's own JSON reading would produce. */
  public static JsonNode integerNode(BigInteger i) {
    if (i.bitLength() < 32) {
      return NODES.numberNode(i.intValue());
    }
    if (i.bitLength() < 64) {
      return NODES.numberNode(i.longValue());
    }
    return NODES.numberNode(i);
  }

  /**
   * Go's {@code strconv.ParseInt(s, 0, 64)} syntax without its range check: optional sign, then {@code 0x},
   * {@code 0o}, {@code 0b} prefixes or a leading {@code 0} for octal, else decimal. Null when not an integer.
   */
  static BigInteger parseGoInteger(String s) {
    int i = 0;
    boolean negative = false;
    if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      negative = s.charAt(i) == '-';
      i++;
    }
    int radix = 10;
    if (s.length() - i >= 2 && s.charAt(i) == '0') {
      char p = Character.toLowerCase(s.charAt(i + 1));
      if (p == 'x' || p == 'o' || p == 'b') {
        radix = p == 'x' ? 16 : p == 'o' ? 8 : 2;
        i += 2;
      } else {
        radix = 8;
        i += 1;
      }
    }
    if (i >= s.length()) {
      return null;
    }
    for (int j = i; j < s.length(); j++) {
      if (Character.digit(s.charAt(j), radix) < 0 || s.charAt(j) > 'z') {
        return null;
      }
    }
    BigInteger v = new BigInteger(s.substring(i), radix);
    return negative ? v.negate() : v;
  }

  private static Resolved asFloat(String s) {
    double d = Double.parseDouble(s);
    if (Double.isInfinite(d)) {
      return string(s); // Go's ParseFloat reports a range error; go-yaml then keeps the text.
    }
    return new Resolved(Kind.FLOAT, NODES.numberNode(d));
  }

  private static Resolved string(String s) {
    return new Resolved(Kind.STRING, NODES.textNode(s));
  }
}

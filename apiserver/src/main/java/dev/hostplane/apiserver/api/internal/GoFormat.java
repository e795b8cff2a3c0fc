package dev.hostplane.apiserver.api.internal;

import java.math.BigDecimal;

/**
 * Renders values the way Go's fmt and strconv do, so that messages and YAML output read like upstream's. Not API.
 */
public final class GoFormat {
  private GoFormat() {}

  /**
   * Go's {@code strconv.Quote} / {@code %q}: double quotes, backslash escapes for quotes, backslashes, control and
   * non-printable characters; printable Unicode is kept as is.
   */
  public static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      switch (cp) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case 0x07 -> out.append("\\a");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case 0x0b -> out.append("\\v");
        default -> {
          if (isPrint(cp)) {
            out.appendCodePoint(cp);
          } else if (cp < 0x80) {
            out.append(String.format("\\x%02x", cp));
          } else if (cp < 0x10000) {
            out.append(String.format("\\u%04x", cp));
          } else {
            out.append(String.format("\\U%08x", cp));
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
  public static boolean isPrint(int cp) {
    if (cp == ' ') {
      return true;
    }
    switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE, Character.UNASSIGNED,
          Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR:
        return false;
      default:
        return true;
    }
  }

  /**
   * Go's {@code strconv.FormatFloat(v, 'g', -1, 64)} (or 32 with {@code single}): the shortest digits that round-trip,
   * in exponent form ({@code 1e+06}) when the decimal exponent is below -4 or at least 6 (the precision Go assumes
   * for shortest formatting), plain otherwise. Infinities and NaN come out as {@code +Inf}, {@code -Inf}, {@code NaN}.
   */
  public static String formatFloat(double v, boolean single) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return (1 / v < 0) ? "-0" : "0";
    }
    BigDecimal shortest = new BigDecimal(single ? Float.toString((float) v) : Double.toString(v)).stripTrailingZeros();
    String digits = shortest.unscaledValue().abs().toString();
    int exp = digits.length() - 1 - shortest.scale(); // decimal exponent of the first digit
    String sign = shortest.signum() < 0 ? "-" : "";
    if (exp < -4 || exp >= 6) {
      StringBuilder m = new StringBuilder(sign).append(digits.charAt(0));
      if (digits.length() > 1) {
        m.append('.').append(digits, 1, digits.length());
      }
      m.append('e').append(exp < 0 ? '-' : '+');
      int abs = Math.abs(exp);
      if (abs < 10) {
        m.append('0');
      }
      return m.append(abs).toString();
    }
    return sign + shortest.abs().toPlainString();
  }
}

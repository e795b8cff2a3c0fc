package dev.hostplane.apiserver.registry.types;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of upstream's {@code resource.Quantity} to validate and compare quantities ("500m", "1Gi", "2e3").
 * A stand-in until the shared Quantity type lands; it never canonicalizes (objects keep what clients wrote).
 */
final class Quantities {
  private Quantities() {}

  static final String REGEX = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
  /** Upstream's ErrFormatWrong text. */
  static final String FORMAT_ERROR = "quantities must match the regular expression '" + REGEX + "'";

  private static final Pattern SHAPE = Pattern.compile(REGEX);
  private static final Pattern EXPONENT = Pattern.compile("[eE]([-+]?[0-9]+)");
  private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
      Map.entry("", BigDecimal.ONE),
      Map.entry("n", new BigDecimal("1e-9")),
      Map.entry("u", new BigDecimal("1e-6")),
      Map.entry("m", new BigDecimal("1e-3")),
      Map.entry("k", new BigDecimal("1e3")),
      Map.entry("M", new BigDecimal("1e6")),
      Map.entry("G", new BigDecimal("1e9")),
      Map.entry("T", new BigDecimal("1e12")),
      Map.entry("P", new BigDecimal("1e15")),
      Map.entry("E", new BigDecimal("1e18")),
      Map.entry("Ki", BigDecimal.valueOf(1L << 10)),
      Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
      Map.entry("Gi", BigDecimal.valueOf(1L << 30)),
      Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
      Map.entry("Pi", BigDecimal.valueOf(1L << 50)),
      Map.entry("Ei", BigDecimal.valueOf(1L << 60)));

  /** The quantity's value, or null when {@code text} is not a quantity. */
  static BigDecimal parse(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = SHAPE.matcher(text.trim());
    if (!m.matches()) {
      return null;
    }
    BigDecimal number;
    try {
      number = new BigDecimal(m.group(1).startsWith("+") ? m.group(1).substring(1) : m.group(1));
    } catch (NumberFormatException e) {
      return null;
    }
    String suffix = m.group(2);
    BigDecimal scale = SUFFIXES.get(suffix);
    if (scale != null) {
      return number.multiply(scale);
    }
    Matcher exp = EXPONENT.matcher(suffix);
    if (exp.matches()) {
      try {
        return number.scaleByPowerOfTen(Integer.parseInt(exp.group(1)));
      } catch (NumberFormatException | ArithmeticException e) {
        return null;
      }
    }
    return null;
  }

  static boolean isValid(String text) {
    return parse(text) != null;
  }

  /**
   * Checks one quantity field: a parse failure is Invalid with upstream's format message; a negative value is
   * Invalid "must be greater than or equal to 0" when {@code nonNegative}. Returns the value or null.
   */
  static BigDecimal check(CauseList errs, String path, String text, boolean nonNegative) {
    BigDecimal v = parse(text);
    if (v == null) {
      errs.invalid(path, text, FORMAT_ERROR);
      return null;
    }
    if (nonNegative && v.signum() < 0) {
      errs.invalid(path, text, "must be greater than or equal to 0");
    }
    return v;
  }
}

package dev.hostplane.apiserver.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/**
 * A resource quantity ({@code 100m}, {@code 1Gi}, {@code 2.5}, {@code 1e3}, {@code 500M}), immutable and exact:
 * upstream's {@code resource.Quantity} without its int64 fast path (values are {@link BigDecimal}s).
 *
 * <p>Parsing follows upstream's {@code ParseQuantity}: values are rounded up (away from zero) to a whole number of
 * nano units; binary-suffixed values are capped at 2^63-1; the suffix family (decimal SI, binary SI, decimal
 * exponent) is remembered and used again when printing. {@link #toString} is upstream's {@code String()}: when the
 * input was already in canonical form it is returned exactly as written (upstream keeps the string; this is
 * why {@code +1} and {@code 01} print unchanged), otherwise the canonical form is built: no fractional digits, the
 * largest suffix of the family that loses nothing ({@code 1000m -> 1}, {@code 1.5 -> 1500m},
 * {@code 1024Mi -> 1Gi}, {@code 1.5Gi -> 1536Mi}; binary values below 1024 or with a fraction print as decimal SI).
 *
 * <p>Deviations, all for inputs no one sends: numeric parts longer than {@value #MAX_DIGITS} digits and exponents
 * beyond ±{@value #MAX_EXPONENT} are rejected (they would make arithmetic unbounded); decimal-SI values above the
 * {@code E} suffix print as a multiple of {@code E} where upstream drops the suffix and prints a wrong value.
 */
public final class Quantity implements Comparable<Quantity> {
  /** The suffix family, as upstream's {@code Format}. */
  public enum Format { DECIMAL_EXPONENT, BINARY_SI, DECIMAL_SI }

  public static final String FORMAT_ERROR =
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  public static final String NUMERIC_ERROR = "unable to parse numeric part of quantity";
  public static final String SUFFIX_ERROR = "unable to parse quantity's suffix";
  public static final Quantity ZERO = new Quantity(BigDecimal.ZERO, Format.DECIMAL_SI, "0");
  private static final Quantity ZERO_DECIMAL_SI = new Quantity(BigDecimal.ZERO, Format.DECIMAL_SI, null);

  static final int MAX_DIGITS = 1000;
  static final int MAX_EXPONENT = 1000;
  private static final BigDecimal INT64_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
  private static final BigDecimal NANO = BigDecimal.valueOf(1, 9);
  private static final BigInteger K1024 = BigInteger.valueOf(1024);
  private static final String DECIMAL_SUFFIXES = "eEinumkKMGTP";
  private static final Map<String, Integer> DECIMAL_SI = Map.of("n", -9, "u", -6, "m", -3, "", 0, "k", 3,
      "M", 6, "G", 9, "T", 12, "P", 15, "E", 18);
  private static final Map<String, Integer> BINARY_SI = Map.of("Ki", 10, "Mi", 20, "Gi", 30, "Ti", 40, "Pi", 50,
      "Ei", 60);
  private static final String[] BINARY_NAMES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

  private final BigDecimal value;
  private final Format format;
  private final String text; // upstream's retained input string, or null

  private Quantity(BigDecimal value, Format format, String text) {
    this.value = value;
    this.format = format;
    this.text = text;
  }

  /** Parses a quantity; throws IllegalArgumentException whose message is upstream's parse error. */
  public static Quantity parse(String s) {
    return QuantityScanner.parse(s);
  }

  /** Upstream's parse error for {@code s} as a one-element list, or an empty list when {@code s} is a quantity. */
  public static List<String> validate(String s) {
    try {
      parse(s);
      return List.of();
    } catch (IllegalArgumentException e) {
      return List.of(e.getMessage());
    }
  }

  /**
   * Reads a quantity the way upstream's {@code UnmarshalJSON} does: from a string (surrounding whitespace ignored)
   * or a JSON number. Null or missing gives null. Throws IllegalArgumentException for anything else.
   */
  public static Quantity fromJson(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isTextual()) {
      return parse(node.textValue().strip());
    }
    if (node.isNumber()) {
      return parse(node.isFloatingPointNumber() ? node.decimalValue().toString() : node.asText());
    }
    throw new IllegalArgumentException(FORMAT_ERROR);
  }

  public static Quantity of(long value, Format format) {
    return new Quantity(BigDecimal.valueOf(value), format, null);
  }

  /** {@code milli} thousandths, e.g. {@code ofMilli(1500, DECIMAL_SI)} is {@code 1500m}. */
  public static Quantity ofMilli(long milli, Format format) {
    return new Quantity(BigDecimal.valueOf(milli, 3), format, null);
  }

  /** The exact value. */
  public BigDecimal decimalValue() {
    return value;
  }

  public Format format() {
    return format;
  }

  public int signum() {
    return value.signum();
  }

  public boolean isZero() {
    return value.signum() == 0;
  }

  /** Upstream's {@code Value()}: rounded up, away from zero, to a whole number; saturates at the long range. */
  public long longValue() {
    return saturate(value.setScale(0, RoundingMode.UP));
  }

  /** Upstream's {@code MilliValue()}: the value in thousandths, rounded away from zero; saturating. */
  public long milliValue() {
    return saturate(value.movePointRight(3).setScale(0, RoundingMode.UP));
  }

  /** The sum; a zero receiver takes the other's format, as upstream's {@code Add}. */
  public Quantity add(Quantity other) {
    return new Quantity(value.add(other.value), isZero() ? other.format : format, null);
  }

  /** The difference; a zero receiver takes the other's format, as upstream's {@code Sub}. */
  public Quantity subtract(Quantity other) {
    return new Quantity(value.subtract(other.value), isZero() ? other.format : format, null);
  }

  public Quantity negate() {
    return new Quantity(value.negate(), format, null);
  }

  @Override
  public int compareTo(Quantity other) {
    return value.compareTo(other.value);
  }

  /** Equal values are equal quantities, whatever their format or spelling (upstream's {@code Equal}). */
  @Override
  public boolean equals(Object o) {
    return o instanceof Quantity q && q.value.compareTo(value) == 0;
  }

  @Override
  public int hashCode() {
    return value.signum() == 0 ? 0 : value.stripTrailingZeros().hashCode();
  }

  /** Upstream's {@code String()}, which is also how the quantity is serialized. */
  @Override
  public String toString() {
    return text != null ? text : canonical();
  }

  private String canonical() {
    if (value.signum() == 0) {
      return "0";
    }
    Format f = format;
    if (f == Format.BINARY_SI) {
      boolean small = value.abs().compareTo(BigDecimal.valueOf(1024)) < 0;
      boolean whole = value.stripTrailingZeros().scale() <= 0;
      if (small || !whole) {
        f = Format.DECIMAL_SI;
      }
    }
    if (f == Format.BINARY_SI) {
      BigInteger n = value.toBigIntegerExact();
      int power = 0;
      while (power < BINARY_NAMES.length - 1 && n.remainder(K1024).signum() == 0) {
        n = n.divide(K1024);
        power++;
      }
      return n + BINARY_NAMES[power];
    }
    BigDecimal stripped = value.stripTrailingZeros();
    BigInteger mantissa = stripped.unscaledValue();
    int exponent = -stripped.scale();
    while (exponent % 3 != 0) {
      mantissa = mantissa.multiply(BigInteger.TEN);
      exponent--;
    }
    if (f == Format.DECIMAL_EXPONENT || exponent < -9) {
      return exponent == 0 ? mantissa.toString() : mantissa + "e" + exponent;
    }
    if (exponent > 18) {
      mantissa = mantissa.multiply(BigInteger.TEN.pow(exponent - 18));
      exponent = 18;
    }
    for (Map.Entry<String, Integer> e : DECIMAL_SI.entrySet()) {
      if (e.getValue() == exponent) {
        return mantissa + e.getKey();
      }
    }
    throw new IllegalStateException("no decimal suffix for exponent " + exponent);
  }

  private static long saturate(BigDecimal whole) {
    if (whole.compareTo(INT64_MAX) > 0) {
      return Long.MAX_VALUE;
    }
    if (whole.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0) {
      return Long.MIN_VALUE;
    }
    return whole.longValueExact();
  }

  /** Upstream's {@code ParseQuantity}: its scanner, then the value rules. */
  private static final class QuantityScanner {
    private QuantityScanner() {}

    static Quantity parse(String str) {
      if (str.isEmpty()) {
        throw new IllegalArgumentException(FORMAT_ERROR);
      }
      if (str.equals("0")) {
        return ZERO;
      }
      int end = str.length();
      int pos = 0;
      boolean positive = true;
      if (str.charAt(0) == '-' || str.charAt(0) == '+') {
        positive = str.charAt(0) == '+';
        pos++;
      }
      while (pos < end && str.charAt(pos) == '0') {
        pos++;
      }
      if (pos >= end) {
        return ZERO_DECIMAL_SI; // only a sign and zeros: upstream reads zero
      }
      int numStart = pos;
      while (pos < end && isDigit(str.charAt(pos))) {
        pos++;
      }
      String num = pos == numStart ? "0" : str.substring(numStart, pos);
      String denom = "";
      if (pos < end && str.charAt(pos) == '.') {
        int denomStart = ++pos;
        while (pos < end && isDigit(str.charAt(pos))) {
          pos++;
        }
        denom = str.substring(denomStart, pos);
      }
      int suffixStart = pos;
      while (pos < end && DECIMAL_SUFFIXES.indexOf(str.charAt(pos)) >= 0) {
        pos++;
      }
      if (pos < end && (str.charAt(pos) == '-' || str.charAt(pos) == '+')) {
        pos++;
      }
      while (pos < end && isDigit(str.charAt(pos))) {
        pos++;
      }
      if (pos < end) {
        throw new IllegalArgumentException(FORMAT_ERROR);
      }
      String suffix = str.substring(suffixStart);
      if (num.length() + denom.length() > MAX_DIGITS) {
        throw new IllegalArgumentException(NUMERIC_ERROR);
      }
      return build(str, positive, num, denom, suffix);
    }

    private static Quantity build(String str, boolean positive, String num, String denom, String suffix) {
      Format format;
      int exponent;
      boolean binary = false;
      if (DECIMAL_SI.containsKey(suffix)) {
        format = Format.DECIMAL_SI;
        exponent = DECIMAL_SI.get(suffix);
      } else if (BINARY_SI.containsKey(suffix)) {
        format = Format.BINARY_SI;
        exponent = BINARY_SI.get(suffix);
        binary = true;
      } else if (suffix.length() > 1 && (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E')) {
        format = Format.DECIMAL_EXPONENT;
        exponent = parseExponent(suffix.substring(1));
      } else {
        throw new IllegalArgumentException(SUFFIX_ERROR);
      }

      BigDecimal amount = new BigDecimal(new BigInteger(num + denom), denom.length());
      amount = binary ? amount.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(exponent)))
          : amount.scaleByPowerOfTen(exponent);
      amount = roundUpToNano(amount);
      if (binary && amount.compareTo(INT64_MAX) > 0) {
        amount = INT64_MAX;
      }
      if (binary && amount.signum() > 0 && amount.compareTo(BigDecimal.ONE) < 0) {
        format = Format.DECIMAL_SI;
      }
      if (!positive) {
        amount = amount.negate();
      }
      return new Quantity(amount, format, keepsText(num, denom, exponent, binary) ? str : null);
    }

    // Upstream keeps the input string when its int64 fast path applies and the digits are already canonical.
    private static boolean keepsText(String num, String denom, int exponent, boolean binary) {
      int precision;
      int scale;
      long multiplier = 1;
      if (binary) {
        if (!denom.isEmpty()) {
          return false;
        }
        scale = 0;
        multiplier = 1L << exponent;
        precision = 15 - num.length() - (exponent * 3 / 10) - 1;
      } else {
        scale = exponent;
        precision = 18 - (num.length() + denom.length());
      }
      if (precision < 0) {
        return false;
      }
      scale -= denom.length();
      if (scale < -9) {
        return false;
      }
      String shifted = num + denom;
      long value = Long.parseLong(shifted);
      try {
        Math.multiplyExact(value, multiplier);
      } catch (ArithmeticException overflow) {
        return false;
      }
      if (binary) {
        return exponent % 10 == 0 && (value & 0x07) != 0;
      }
      return scale % 3 == 0 && !shifted.endsWith("000") && shifted.charAt(0) != '0';
    }

    private static int parseExponent(String digits) {
      long e;
      try {
        e = Long.parseLong(digits);
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(SUFFIX_ERROR);
      }
      if (Math.abs(e) > MAX_EXPONENT) {
        throw new IllegalArgumentException(SUFFIX_ERROR);
      }
      return (int) e;
    }

    // Non-zero values get at least one nano unit; finer digits round up, away from zero.
    private static BigDecimal roundUpToNano(BigDecimal v) {
      if (v.scale() <= 9 || v.signum() == 0) {
        return v;
      }
      if (v.precision() - v.scale() < -9) {
        return v.signum() > 0 ? NANO : NANO.negate();
      }
      return v.setScale(9, RoundingMode.UP);
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }
  }
}

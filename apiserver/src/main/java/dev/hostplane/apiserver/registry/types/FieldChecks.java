package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Upstream's small field rules shared across types (ports, ranges, percents, immutability), with their messages. */
final class FieldChecks {
  private FieldChecks() {}

  static final String PORT_RANGE = "must be between 1 and 65535, inclusive";
  static final String NON_NEGATIVE = "must be greater than or equal to 0";
  static final String POSITIVE = "must be greater than 0";
  private static final Pattern PORT_NAME_CHARS = Pattern.compile("[-a-z0-9]+");
  private static final Pattern PERCENT = Pattern.compile("[0-9]+%");

  /** Upstream IsValidPortNum over a JSON field: Invalid when outside 1..65535. */
  static void portNumber(CauseList errs, String path, long port) {
    if (port < 1 || port > 65535) {
      errs.invalid(path, port, PORT_RANGE);
    }
  }

  /** Upstream IsValidPortName (an IANA_SVC_NAME): the list of problems, empty when valid. */
  static List<String> portName(String name) {
    List<String> out = new ArrayList<>();
    if (name.length() > 15) {
      out.add("must be no more than 15 characters");
    }
    if (!PORT_NAME_CHARS.matcher(name).matches()) {
      out.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if (name.chars().noneMatch(c -> c >= 'a' && c <= 'z')) {
      out.add("must contain at least one letter (a-z)");
    }
    if (name.contains("--")) {
      out.add("must not contain consecutive hyphens");
    }
    if (!name.isEmpty() && (name.charAt(0) == '-' || name.charAt(name.length() - 1) == '-')) {
      out.add("must not begin or end with a hyphen");
    }
    return out;
  }

  /** A port given as a number (1..65535) or an IANA port name, like a container probe's or a targetPort. */
  static void numberOrName(CauseList errs, String path, JsonNode port) {
    if (port == null) {
      return;
    }
    if (port.isNumber()) {
      portNumber(errs, path, port.asLong());
    } else {
      errs.invalidEach(path, port.asText(), portName(port.asText()));
    }
  }

  static void nonNegative(CauseList errs, String path, JsonNode parent, String field) {
    Long v = Nodes.num(parent, field);
    if (v != null && v < 0) {
      errs.invalid(path, v, NON_NEGATIVE);
    }
  }

  static void positive(CauseList errs, String path, JsonNode parent, String field) {
    Long v = Nodes.num(parent, field);
    if (v != null && v <= 0) {
      errs.invalid(path, v, POSITIVE);
    }
  }

  /** NotSupported when the field is present and its value is not one of {@code supported}. */
  static void oneOf(CauseList errs, String path, JsonNode parent, String field, String... supported) {
    String v = Nodes.str(parent, field);
    if (v != null && !List.of(supported).contains(v)) {
      errs.notSupported(path, v, supported);
    }
  }

  /** Required when absent or "", else NotSupported when not one of {@code supported}. */
  static void requiredOneOf(CauseList errs, String path, JsonNode parent, String field, String... supported) {
    String v = Nodes.str(parent, field);
    if (v == null || v.isEmpty()) {
      errs.required(path);
    } else if (!List.of(supported).contains(v)) {
      errs.notSupported(path, v, supported);
    }
  }

  /**
   * Upstream ValidatePositiveIntOrPercent plus IsNotMoreThan100Percent: an integer >= 0 or a "N%" string with
   * N <= 100. Absent is valid.
   */
  static void intOrPercent(CauseList errs, String path, JsonNode v) {
    if (v == null || v.isNull()) {
      return;
    }
    if (v.isNumber()) {
      if (v.asLong() < 0) {
        errs.invalid(path, v.asLong(), NON_NEGATIVE);
      }
      return;
    }
    String s = v.asText();
    CauseList.Raw shown = new CauseList.Raw(s);
    if (!PERCENT.matcher(s).matches()) {
      errs.invalid(path, shown, "a valid percent string must be a numeric string followed by an ending '%' "
          + "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");
    } else if (Long.parseLong(s.substring(0, Math.min(s.length() - 1, 12))) > 100) {
      errs.invalid(path, shown, "must not be greater than 100%");
    }
  }

  /** True when an int-or-percent value is zero ({@code 0} or {@code "0%"}). */
  static boolean isZero(JsonNode v) {
    if (v == null || v.isNull()) {
      return false;
    }
    return v.isNumber() ? v.asLong() == 0 : v.asText().matches("0+%");
  }

  /** Upstream ValidateImmutableField: Invalid "field is immutable" with the new value. */
  static void immutable(CauseList errs, String path, JsonNode newValue, JsonNode oldValue) {
    if (!Nodes.same(newValue, oldValue)) {
      errs.immutable(path, newValue == null ? new CauseList.Raw("null") : newValue);
    }
  }
}

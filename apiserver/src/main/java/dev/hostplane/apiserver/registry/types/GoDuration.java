package dev.hostplane.apiserver.registry.types;

import java.util.Set;

/** Checks Go {@code time.ParseDuration} syntax ("1h30m", "1.5s", "300ms"), with Go's error texts. */
final class GoDuration {
  private GoDuration() {}

  private static final Set<String> UNITS = Set.of("ns", "us", "\u00b5s", "\u03bcs", "ms", "s", "m", "h");

  /** Null when {@code s} parses as a Go duration, else Go's error text. */
  static String check(String s) {
    String quoted = CauseList.quote(s);
    String rest = s;
    if (!rest.isEmpty() && (rest.charAt(0) == '-' || rest.charAt(0) == '+')) {
      rest = rest.substring(1);
    }
    if (rest.equals("0")) {
      return null;
    }
    if (rest.isEmpty()) {
      return "time: invalid duration " + quoted;
    }
    int i = 0;
    while (i < rest.length()) {
      int startDigits = i;
      while (i < rest.length() && Character.isDigit(rest.charAt(i))) {
        i++;
      }
      boolean pre = i > startDigits;
      boolean post = false;
      if (i < rest.length() && rest.charAt(i) == '.') {
        i++;
        int startFraction = i;
        while (i < rest.length() && Character.isDigit(rest.charAt(i))) {
          i++;
        }
        post = i > startFraction;
      }
      if (!pre && !post) {
        return "time: invalid duration " + quoted;
      }
      int startUnit = i;
      while (i < rest.length() && rest.charAt(i) != '.' && !Character.isDigit(rest.charAt(i))) {
        i++;
      }
      if (i == startUnit) {
        return "time: missing unit in duration " + quoted;
      }
      String unit = rest.substring(startUnit, i);
      if (!UNITS.contains(unit)) {
        return "time: unknown unit " + CauseList.quote(unit) + " in duration " + quoted;
      }
    }
    return null;
  }
}

package dev.hostplane.apiserver.registry.types;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks CronJob schedules the way upstream's parser (robfig/cron v3, standard five-field spec) does, with its
 * error texts: minute hour day-of-month month day-of-week, each a list of {@code *}, {@code ?}, values, ranges and
 * steps, month and weekday names; or a descriptor ({@code @yearly}, {@code @annually}, {@code @monthly},
 * {@code @weekly}, {@code @daily}, {@code @midnight}, {@code @hourly}, {@code @every <Go duration>}).
 */
final class CronSchedule {
  private CronSchedule() {}

  private record Bounds(int min, int max, Map<String, Integer> names) {}

  private static final Map<String, Integer> MONTHS = Map.ofEntries(Map.entry("jan", 1), Map.entry("feb", 2),
      Map.entry("mar", 3), Map.entry("apr", 4), Map.entry("may", 5), Map.entry("jun", 6), Map.entry("jul", 7),
      Map.entry("aug", 8), Map.entry("sep", 9), Map.entry("oct", 10), Map.entry("nov", 11), Map.entry("dec", 12));
  private static final Map<String, Integer> DAYS = Map.of("sun", 0, "mon", 1, "tue", 2, "wed", 3, "thu", 4,
      "fri", 5, "sat", 6);
  private static final List<Bounds> FIELDS = List.of(new Bounds(0, 59, Map.of()), new Bounds(0, 23, Map.of()),
      new Bounds(1, 31, Map.of()), new Bounds(1, 12, MONTHS), new Bounds(0, 6, DAYS));
  private static final List<String> DESCRIPTORS = List.of("@yearly", "@annually", "@monthly", "@weekly", "@daily",
      "@midnight", "@hourly");

  /** Null when {@code spec} is a valid schedule, else the parser's error text. */
  static String check(String spec) {
    String s = spec.strip();
    if (s.isEmpty()) {
      return "empty spec string";
    }
    if (s.startsWith("@")) {
      if (DESCRIPTORS.contains(s)) {
        return null;
      }
      if (s.startsWith("@every ")) {
        String err = GoDuration.check(s.substring("@every ".length()));
        return err == null ? null : "failed to parse duration " + s + ": " + err;
      }
      return "unrecognized descriptor: " + s;
    }
    String[] fields = s.split("\\s+");
    if (fields.length != 5) {
      return "expected exactly 5 fields, found " + fields.length + ": " + s;
    }
    for (int i = 0; i < 5; i++) {
      for (String part : fields[i].split(",", -1)) {
        String err = checkRange(part, FIELDS.get(i));
        if (err != null) {
          return err;
        }
      }
    }
    return null;
  }

  private static String checkRange(String expr, Bounds b) {
    String[] rangeAndStep = expr.split("/", -1);
    if (rangeAndStep.length > 2) {
      return "too many slashes: " + expr;
    }
    String[] lowHigh = rangeAndStep[0].split("-", -1);
    if (lowHigh.length > 2) {
      return "too many hyphens: " + expr;
    }
    int start;
    int end;
    if (lowHigh[0].equals("*") || lowHigh[0].equals("?")) {
      start = b.min();
      end = b.max();
    } else {
      Object v = intOrName(lowHigh[0], b, expr);
      if (v instanceof String err) {
        return err;
      }
      start = (Integer) v;
      end = start;
      if (lowHigh.length == 2) {
        Object w = intOrName(lowHigh[1], b, expr);
        if (w instanceof String err) {
          return err;
        }
        end = (Integer) w;
      }
    }
    if (rangeAndStep.length == 2) {
      Object step = parseInt(rangeAndStep[1], expr);
      if (step instanceof String err) {
        return err;
      }
      if ((Integer) step == 0) {
        return "step of range should be a positive number: " + expr;
      }
      if (lowHigh.length == 1 && !lowHigh[0].equals("*") && !lowHigh[0].equals("?")) {
        end = b.max();
      }
    }
    if (start < b.min()) {
      return "beginning of range (" + start + ") below minimum (" + b.min() + "): " + expr;
    }
    if (end > b.max()) {
      return "end of range (" + end + ") above maximum (" + b.max() + "): " + expr;
    }
    if (start > end) {
      return "beginning of range (" + start + ") beyond end of range (" + end + "): " + expr;
    }
    return null;
  }

  /** An Integer, or the error text as a String. */
  private static Object intOrName(String text, Bounds b, String expr) {
    Integer named = b.names().get(text.toLowerCase(Locale.ROOT));
    return named != null ? named : parseInt(text, expr);
  }

  private static Object parseInt(String text, String expr) {
    if (text.isEmpty() || !text.chars().allMatch(c -> c == '-' || c == '+' || Character.isDigit(c))) {
      return "failed to parse int from " + text + ": strconv.Atoi: parsing " + CauseList.quote(text)
          + ": invalid syntax";
    }
    int v;
    try {
      v = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return "failed to parse int from " + text + ": strconv.Atoi: parsing " + CauseList.quote(text)
          + ": value out of range";
    }
    if (v < 0) {
      return "negative number (" + v + ") not allowed: " + expr;
    }
    return v;
  }
}

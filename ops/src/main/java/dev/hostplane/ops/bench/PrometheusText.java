package dev.hostplane.ops.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads samples from the Prometheus text exposition format (version 0.0.4, as Go's client and Micrometer write
 * it): {@code name{label="value",...} value [timestamp]}. Comments and malformed lines are skipped. Immutable.
 */
public final class PrometheusText {
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final String text;

  public PrometheusText(String text) {
    this.text = text;
  }

  /**
   * The sum of every sample of {@code name} whose labels include all of {@code labels}; empty when there is no
   * such sample.
   */
  public OptionalDouble sum(String name, Map<String, String> labels) {
    double sum = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if (!line.startsWith(name) || line.startsWith("#")) {
        continue;
      }
      String rest = line.substring(name.length());
      Map<String, String> have = new HashMap<>();
      if (rest.startsWith("{")) {
        int close = closingBrace(rest);
        if (close < 0) {
          continue;
        }
        Matcher m = LABEL.matcher(rest.substring(1, close));
        while (m.find()) {
          have.put(m.group(1), m.group(2));
        }
        rest = rest.substring(close + 1);
      } else if (!rest.startsWith(" ") && !rest.startsWith("\t")) {
        continue; // a longer metric name with this prefix
      }
      if (!have.entrySet().containsAll(labels.entrySet())) {
        continue;
      }
      String[] parts = rest.trim().split("\\s+");
      try {
        sum += Double.parseDouble(parts[0]);
        found = true;
      } catch (NumberFormatException e) {
        // NaN spelled otherwise, or garbage: skip the sample
      }
    }
    return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
  }

  public OptionalDouble value(String name) {
    return sum(name, Map.of());
  }

  /** Index of the '}' closing the label set, skipping quoted values; -1 if none. */
  private static int closingBrace(String s) {
    boolean quoted = false;
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == '}') {
        return i;
      }
    }
    return -1;
  }
}

package dev.hostplane.apiserver.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command line in upstream's style: {@code --name=value} or {@code --name value}; booleans also as bare
 * {@code --name}; repeated flags keep every value. Every flag must be declared; unknown flags and bad values fail
 * with {@link FlagException} naming the flag.
 */
public final class Flags {
  /** A declared flag; a hidden one is accepted but left out of {@link #usage()} (tuning knobs for tests). */
  public record Flag(String name, String defaultValue, String help, boolean bool, boolean hidden) {}

  /** A command-line error, reported to the user as it is (no stack trace). */
  public static final class FlagException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FlagException(String message) {
      super(message, null, false, false);
    }
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h)");

  private final Map<String, Flag> declared = new LinkedHashMap<>();
  private final Map<String, List<String>> values = new LinkedHashMap<>();

  public Flags declare(String name, String defaultValue, String help) {
    declared.put(name, new Flag(name, defaultValue, help, false, false));
    return this;
  }

  /** Declares a flag that {@link #usage()} does not list, as upstream's hidden flags. */
  public Flags declareHidden(String name, String defaultValue, String help) {
    declared.put(name, new Flag(name, defaultValue, help, false, true));
    return this;
  }

  public Flags declareBool(String name, boolean defaultValue, String help) {
    declared.put(name, new Flag(name, Boolean.toString(defaultValue), help, true, false));
    return this;
  }

  /** Parses {@code args}; returns the positional arguments. */
  public List<String> parse(List<String> args) {
    List<String> positional = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (!a.startsWith("-") || a.equals("-")) {
        positional.add(a);
        continue;
      }
      if (a.equals("--")) {
        positional.addAll(args.subList(i + 1, args.size()));
        break;
      }
      String body = a.startsWith("--") ? a.substring(2) : a.substring(1);
      int eq = body.indexOf('=');
      String name = eq < 0 ? body : body.substring(0, eq);
      Flag f = declared.get(name);
      if (f == null) {
        throw new FlagException("unknown flag: --" + name);
      }
      String value;
      if (eq >= 0) {
        value = body.substring(eq + 1);
      } else if (f.bool()) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new FlagException("flag needs an argument: --" + name);
      }
      values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return positional;
  }

  public boolean isSet(String name) {
    return values.containsKey(name);
  }

  public String string(String name) {
    List<String> v = values.get(name);
    if (v != null) {
      return v.get(v.size() - 1);
    }
    Flag f = declared.get(name);
    if (f == null) {
      throw new IllegalArgumentException("undeclared flag " + name);
    }
    return f.defaultValue();
  }

  /** A file flag's value as a path, or null when it is empty. */
  public java.nio.file.Path path(String name) {
    String v = string(name);
    return v.isEmpty() ? null : java.nio.file.Path.of(v);
  }

  /** Every value given, each whole (for values that contain commas themselves); empty when not given. */
  public List<String> values(String name) {
    if (!declared.containsKey(name)) {
      throw new IllegalArgumentException("undeclared flag " + name);
    }
    List<String> out = new ArrayList<>();
    for (String v : values.getOrDefault(name, List.of())) {
      if (!v.isBlank()) {
        out.add(v.trim());
      }
    }
    return out;
  }

  /** Every value given (comma-separated values split), or the default's. */
  public List<String> list(String name) {
    List<String> raw = values.getOrDefault(name, List.of(string(name)));
    List<String> out = new ArrayList<>();
    for (String r : raw) {
      for (String s : r.split(",")) {
        if (!s.isBlank()) {
          out.add(s.trim());
        }
      }
    }
    return out;
  }

  public int integer(String name) {
    String v = string(name);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new FlagException("invalid argument \"" + v + "\" for \"--" + name + "\" flag: not an integer");
    }
  }

  /** A floating-point value, e.g. {@code 0.001}. */
  public double number(String name) {
    String v = string(name);
    try {
      double d = Double.parseDouble(v);
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new FlagException("invalid argument \"" + v + "\" for \"--" + name + "\" flag: not a number");
    }
  }

  public boolean bool(String name) {
    String v = string(name);
    return switch (v) {
      case "true", "1", "t", "T", "TRUE", "True" -> true;
      case "false", "0", "f", "F", "FALSE", "False" -> false;
      default -> throw new FlagException("invalid argument \"" + v + "\" for \"--" + name
          + "\" flag: not a boolean");
    };
  }

  /** A Go-style duration ({@code 1m30s}, {@code 500ms}, {@code 0}). */
  public Duration duration(String name) {
    String v = string(name);
    try {
      return parseDuration(v);
    } catch (IllegalArgumentException e) {
      throw new FlagException("invalid argument \"" + v + "\" for \"--" + name + "\" flag: " + e.getMessage());
    }
  }

  public static Duration parseDuration(String v) {
    if (v.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION.matcher(v);
    int pos = 0;
    long nanos = 0;
    while (m.find() && m.start() == pos) {
      double n = Double.parseDouble(m.group(1));
      long unit = switch (m.group(2)) {
        case "ns" -> 1L;
        case "us" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      };
      nanos += (long) (n * unit);
      pos = m.end();
    }
    if (pos != v.length() || v.isEmpty()) {
      throw new IllegalArgumentException("time: invalid duration \"" + v + "\"");
    }
    return Duration.ofNanos(nanos);
  }

  /** The usage text: one line per flag with its default. */
  public String usage() {
    StringBuilder sb = new StringBuilder();
    for (Flag f : declared.values()) {
      if (f.hidden()) {
        continue;
      }
      sb.append(String.format("      --%-40s %s", f.name() + (f.bool() ? "" : " " + typeHint(f)), f.help()));
      if (!f.defaultValue().isEmpty() && !(f.bool() && f.defaultValue().equals("false"))) {
        sb.append(" (default ").append(f.defaultValue()).append(')');
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static String typeHint(Flag f) {
    String d = f.defaultValue();
    if (d.matches("\\d+")) {
      return "int";
    }
    if (d.matches("[\\d.]+(ns|us|ms|s|m|h)+") || d.equals("0s")) {
      return "duration";
    }
    if (d.matches("\\d*\\.\\d+")) {
      return "float";
    }
    return "string";
  }
}

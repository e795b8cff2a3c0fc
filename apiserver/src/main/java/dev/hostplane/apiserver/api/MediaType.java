package dev.hostplane.apiserver.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A media type or media range from a {@code Content-Type} or {@code Accept} header: type and subtype (lower case,
 * possibly {@code *}), parameters in header order (names lower case, values as sent, quotes removed), and the
 * quality from {@code q} (1 when absent; {@code q} never appears in {@link #parameters}). Kubernetes puts the
 * requested representation in parameters: {@code as} (kind, e.g. {@code Table}), {@code g} (group), {@code v}
 * (version).
 *
 * <p>Parsing never throws for malformed input: {@link #parse} returns empty and {@link #parseAccept} skips the bad
 * element. {@link #notAcceptable} and {@link ApiException#unsupportedMediaType} make the 406/415 answers.
 */
public record MediaType(String type, String subtype, Map<String, String> parameters, double quality) {
  public static final MediaType JSON = of("application", "json");
  public static final MediaType YAML = of("application", "yaml");
  public static final MediaType PROTOBUF = of("application", "vnd.kubernetes.protobuf");
  public static final MediaType ANY = of("*", "*");

  /** Media ranges more specific than others sort first among equal qualities. */
  private static final Comparator<MediaType> PREFERENCE = Comparator.comparingDouble(MediaType::quality).reversed()
      .thenComparing(Comparator.comparingInt(MediaType::specificity).reversed());

  public MediaType {
    type = type.toLowerCase(Locale.ROOT);
    subtype = subtype.toLowerCase(Locale.ROOT);
    Map<String, String> copy = new LinkedHashMap<>();
    parameters.forEach((k, v) -> copy.put(k.toLowerCase(Locale.ROOT), v));
    parameters = Collections.unmodifiableMap(copy);
  }

  public static MediaType of(String type, String subtype) {
    return new MediaType(type, subtype, Map.of(), 1.0);
  }

  /** This type with one more parameter (replacing one of the same name). */
  public MediaType withParameter(String name, String value) {
    Map<String, String> p = new LinkedHashMap<>(parameters);
    p.put(name.toLowerCase(Locale.ROOT), value);
    return new MediaType(type, subtype, p, quality);
  }

  /**
   * Parses one media type ({@code type/subtype *( ; name=value )}). Empty for anything that is not one: missing
   * subtype, characters outside RFC 9110 tokens, a parameter without {@code =}, an unterminated quoted string.
   * A {@code q} parameter sets {@link #quality} (0 when unparseable).
   */
  public static Optional<MediaType> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    return parseOne(text, true);
  }

  /**
   * Parses an {@code Accept} header into media ranges, most preferred first: by quality, then by specificity
   * ({@code a/b} before {@code a/*} before {@code *}{@code /*}), else in header order. Elements that do not parse
   * are skipped, as are ranges with quality 0 (not acceptable). A lone {@code *} means {@code *}{@code /*}. An
   * absent or blank header accepts anything: {@code [*}{@code /*]}.
   */
  public static List<MediaType> parseAccept(String header) {
    if (header == null || header.isBlank()) {
      return List.of(ANY);
    }
    List<MediaType> out = new ArrayList<>();
    for (String element : splitOutsideQuotes(header, ',')) {
      if (element.isBlank()) {
        continue;
      }
      parseOne(element, false).filter(m -> m.quality() > 0).ifPresent(out::add);
    }
    out.sort(PREFERENCE); // List.sort is stable: header order breaks ties
    return List.copyOf(out);
  }

  /** The first accepted range that covers one of {@code offered}, and the offered type it covers. */
  public record Match(MediaType accepted, MediaType offered) {}

  /**
   * Picks what to answer with: walks {@code accepted} in preference order and returns the first offered type (in
   * offered order) that the range covers by type and subtype. The range's parameters ({@code as}, {@code g},
   * {@code v}) stay on {@link Match#accepted} for the caller to honour or skip. Empty when nothing matches; the
   * caller then answers {@link #notAcceptable}.
   */
  public static Optional<Match> negotiate(List<MediaType> accepted, List<MediaType> offered) {
    for (MediaType range : accepted) {
      for (MediaType candidate : offered) {
        if (range.includes(candidate)) {
          return Optional.of(new Match(range, candidate));
        }
      }
    }
    return Optional.empty();
  }

  /** Upstream's 406: {@code only the following media types are accepted: application/json, ...}. */
  public static ApiException notAcceptable(List<MediaType> offered) {
    return ApiException.notAcceptable("only the following media types are accepted: "
        + offered.stream().map(MediaType::essence).collect(Collectors.joining(", ")));
  }

  /** Whether this (possibly wildcard) range includes {@code other}'s type and subtype; parameters are ignored. */
  public boolean includes(MediaType other) {
    return (type.equals("*") || type.equals(other.type)) && (subtype.equals("*") || subtype.equals(other.subtype));
  }

  /** Whether type and subtype equal {@code other}'s exactly, ignoring parameters. */
  public boolean sameEssence(MediaType other) {
    return type.equals(other.type) && subtype.equals(other.subtype);
  }

  /** {@code type/subtype} without parameters. */
  public String essence() {
    return type + "/" + subtype;
  }

  /** A parameter's value, or null. */
  public String parameter(String name) {
    return parameters.get(name.toLowerCase(Locale.ROOT));
  }

  /** The header form, {@code type/subtype;name=value}, without {@code q}; values quoted when they must be. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(essence());
    parameters.forEach((k, v) -> {
      sb.append(';').append(k).append('=');
      if (!v.isEmpty() && isToken(v)) {
        sb.append(v);
      } else {
        sb.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
      }
    });
    return sb.toString();
  }

  private int specificity() {
    return type.equals("*") ? 0 : subtype.equals("*") ? 1 : 2;
  }

  private static Optional<MediaType> parseOne(String text, boolean strict) {
    List<String> parts = splitOutsideQuotes(text, ';');
    String range = parts.get(0).trim();
    String type;
    String subtype;
    int slash = range.indexOf('/');
    if (slash < 0) {
      if (strict || !range.equals("*")) {
        return Optional.empty();
      }
      type = "*";
      subtype = "*";
    } else {
      type = range.substring(0, slash).trim();
      subtype = range.substring(slash + 1).trim();
    }
    if (!isToken(type) || !isToken(subtype) || type.equals("*") && !subtype.equals("*")) {
      return Optional.empty();
    }
    Map<String, String> params = new LinkedHashMap<>();
    double quality = 1.0;
    for (int i = 1; i < parts.size(); i++) {
      String p = parts.get(i).trim();
      if (p.isEmpty()) {
        continue; // a trailing ';' is harmless
      }
      int eq = p.indexOf('=');
      String name = eq < 0 ? p : p.substring(0, eq).trim();
      String value = eq < 0 ? null : unquote(p.substring(eq + 1).trim());
      if (eq < 0 || !isToken(name) || value == null) {
        if (strict) {
          return Optional.empty();
        }
        continue;
      }
      if (name.equalsIgnoreCase("q")) {
        quality = parseQuality(value);
      } else {
        params.put(name, value);
      }
    }
    return Optional.of(new MediaType(type, subtype, params, quality));
  }

  // RFC 9110 qvalue, leniently: a decimal number clamped to [0, 1]; anything else counts as 0 (not acceptable).
  private static double parseQuality(String value) {
    if (!value.matches("[0-9]{1,3}(\\.[0-9]{0,6})?")) {
      return 0;
    }
    return Math.min(1.0, Double.parseDouble(value));
  }

  // A token, or a quoted string with backslash escapes; null when neither.
  private static String unquote(String v) {
    if (!v.startsWith("\"")) {
      return isToken(v) ? v : null;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\\' && i + 1 < v.length()) {
        sb.append(v.charAt(++i));
      } else if (c == '"') {
        return i == v.length() - 1 ? sb.toString() : null;
      } else {
        sb.append(c);
      }
    }
    return null;
  }

  private static List<String> splitOutsideQuotes(String s, char separator) {
    List<String> out = new ArrayList<>();
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted && c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == separator && !quoted) {
        out.add(s.substring(start, i));
        start = i + 1;
      }
    }
    out.add(s.substring(start));
    return out;
  }

  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}

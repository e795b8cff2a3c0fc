package dev.hostplane.apiserver.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A field selector, immutable: upstream's {@code fields.Selector} as produced by {@code fields.ParseSelector}.
 * Terms are {@code field=value}, {@code field==value} (the same) or {@code field!=value}, joined by commas; in a
 * value, {@code \,}, {@code \=} and {@code \\} stand for the literal characters. Terms are kept sorted by their
 * text, as upstream sorts them before building the selector.
 *
 * <p>Which fields exist is the resource type's business: the registry checks {@link #requirements()} against what
 * it supports ({@link #checkSupported}) and supplies values to {@link #matches}.
 */
public final class FieldSelector {
  /** Upstream keeps only two operators: {@code ==} parses as {@link #EQUALS}. */
  public enum Operator { EQUALS, NOT_EQUALS }

  /** One term. {@code value} is unescaped. */
  public record Requirement(String field, Operator operator, String value) {
    /** Upstream's text: {@code field=value} or {@code field!=value}, the value escaped again. */
    @Override
    public String toString() {
      return field + (operator == Operator.EQUALS ? "=" : "!=") + escape(value);
    }
  }

  public static final FieldSelector EVERYTHING = new FieldSelector(List.of());

  private final List<Requirement> requirements;

  private FieldSelector(List<Requirement> requirements) {
    this.requirements = List.copyOf(requirements);
  }

  /**
   * Parses a field selector. An empty string selects everything. Errors are 400 BadRequest with upstream's
   * messages: {@code invalid selector: 'x'; can't understand 'x'},
   * {@code invalid field selector: invalid escape sequence: \x}, and
   * {@code invalid field selector: unescaped character in value: 61} (upstream prints the character's code).
   */
  public static FieldSelector parse(String selector) {
    List<String> terms = splitTerms(selector);
    Collections.sort(terms);
    List<Requirement> out = new ArrayList<>();
    for (String term : terms) {
      if (term.isEmpty()) {
        continue;
      }
      Requirement r = splitTerm(term);
      if (r == null) {
        throw ApiException.badRequest("invalid selector: '" + selector + "'; can't understand '" + term + "'");
      }
      out.add(r);
    }
    return new FieldSelector(out);
  }

  /** A selector of one equality term ({@code OneTermEqualSelector}), e.g. {@code metadata.name=foo}. */
  public static FieldSelector equal(String field, String value) {
    return new FieldSelector(List.of(new Requirement(field, Operator.EQUALS, value)));
  }

  public List<Requirement> requirements() {
    return requirements;
  }

  /** The terms on one field, in selector order. */
  public List<Requirement> requirementsFor(String field) {
    return requirements.stream().filter(r -> r.field().equals(field)).toList();
  }

  public boolean isEmpty() {
    return requirements.isEmpty();
  }

  /**
   * Whether all terms hold. {@code fieldValues} gives a field's value, null when the object does not have it; a
   * missing field compares as the empty string, as upstream's {@code fields.Set} does.
   */
  public boolean matches(Function<String, String> fieldValues) {
    for (Requirement r : requirements) {
      String v = fieldValues.apply(r.field());
      boolean equal = (v == null ? "" : v).equals(r.value());
      if (equal != (r.operator() == Operator.EQUALS)) {
        return false;
      }
    }
    return true;
  }

  /** The value the selector pins {@code field} to with an equality term, if any ({@code RequiresExactMatch}). */
  public Optional<String> requiresExactMatch(String field) {
    return requirements.stream().filter(r -> r.field().equals(field) && r.operator() == Operator.EQUALS)
        .map(Requirement::value).findFirst();
  }

  /**
   * Throws 400 BadRequest {@code field label not supported: <field>} for the first term on a field outside
   * {@code supported}, as upstream's per-type field label conversion does.
   */
  public void checkSupported(Set<String> supported) {
    for (Requirement r : requirements) {
      if (!supported.contains(r.field())) {
        throw ApiException.badRequest("field label not supported: " + r.field());
      }
    }
  }

  /** Upstream's {@code EscapeValue}: backslash, comma and equals sign get a backslash. */
  public static String escape(String value) {
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=");
  }

  /** The canonical text, terms joined by commas; empty for everything. */
  @Override
  public String toString() {
    return requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldSelector s && s.requirements.equals(requirements);
  }

  @Override
  public int hashCode() {
    return requirements.hashCode();
  }

  // Commas split terms unless escaped; escapes stay in the terms for splitTerm to undo.
  private static List<String> splitTerms(String selector) {
    List<String> terms = new ArrayList<>();
    if (selector.isEmpty()) {
      return terms;
    }
    int start = 0;
    boolean escaped = false;
    for (int i = 0; i < selector.length(); i++) {
      char c = selector.charAt(i);
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == ',') {
        terms.add(selector.substring(start, i));
        start = i + 1;
      }
    }
    terms.add(selector.substring(start));
    return terms;
  }

  // The first operator occurrence splits the term ("!=" before "==" before "="); the field takes no escapes.
  private static Requirement splitTerm(String term) {
    for (int i = 0; i < term.length(); i++) {
      if (term.startsWith("!=", i)) {
        return new Requirement(term.substring(0, i), Operator.NOT_EQUALS, unescape(term.substring(i + 2)));
      }
      if (term.startsWith("==", i)) {
        return new Requirement(term.substring(0, i), Operator.EQUALS, unescape(term.substring(i + 2)));
      }
      if (term.startsWith("=", i)) {
        return new Requirement(term.substring(0, i), Operator.EQUALS, unescape(term.substring(i + 1)));
      }
    }
    return null;
  }

  private static String unescape(String s) {
    if (s.indexOf('\\') < 0 && s.indexOf(',') < 0 && s.indexOf('=') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    boolean escaped = false;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      i += Character.charCount(c);
      if (escaped) {
        if (c != '\\' && c != ',' && c != '=') {
          throw ApiException.badRequest("invalid field selector: invalid escape sequence: \\"
              + new String(Character.toChars(c)));
        }
        out.appendCodePoint(c);
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == ',' || c == '=') {
        throw ApiException.badRequest("invalid field selector: unescaped character in value: " + c);
      } else {
        out.appendCodePoint(c);
      }
    }
    if (escaped) {
      throw ApiException.badRequest("invalid field selector: invalid escape sequence: \\");
    }
    return out.toString();
  }
}

package dev.hostplane.apiserver.api;

import dev.hostplane.apiserver.api.LabelSelector.Operator;
import dev.hostplane.apiserver.api.LabelSelector.Requirement;
import dev.hostplane.apiserver.api.internal.GoFormat;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The string-form label selector grammar, reproducing upstream's lexer and recursive-descent parser
 * ({@code k8s.io/apimachinery/pkg/labels/selector.go}) closely enough that every error message matches:
 *
 * <pre>
 *   selector    ::= requirement | requirement "," selector
 *   requirement ::= [!] KEY [ set-restriction | exact-restriction ]
 *   set-restriction   ::= ("in" | "notin") "(" VALUE ("," VALUE)* ")"
 *   exact-restriction ::= ("=" | "==" | "!=" | ">" | "<") VALUE
 * </pre>
 *
 * Whitespace (space, tab, CR, LF) separates tokens; a NUL character ends the input, as it does upstream.
 */
final class LabelSelectorParser {
  private enum Token {
    ERROR, END, CLOSE_PAREN, COMMA, NOT, DOUBLE_EQUALS, EQUALS, GREATER, IDENTIFIER, IN, LESS, NOT_EQUALS, NOT_IN,
    OPEN_PAREN
  }

  private record Item(Token token, String literal) {}

  /** Upstream's binaryOperators, in the order its "expected:" message lists them. */
  private static final String BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";

  private final String input;
  private int pos;
  private final List<Item> items = new ArrayList<>();
  private int next;

  LabelSelectorParser(String input) {
    this.input = input;
  }

  /** The requirements in input order; throws 400 BadRequest with upstream's message on any error. */
  List<Requirement> parse() {
    Item item;
    do {
      item = lex();
      items.add(item);
    } while (item.token() != Token.END);

    List<Requirement> out = new ArrayList<>();
    while (true) {
      Item look = lookahead(true);
      switch (look.token()) {
        case IDENTIFIER, NOT -> {
          out.add(requirement());
          Item after = consume(true);
          if (after.token() == Token.END) {
            return out;
          }
          if (after.token() != Token.COMMA) {
            throw fail("found '" + after.literal() + "', expected: ',' or 'end of string'");
          }
          Item following = lookahead(true);
          if (following.token() != Token.IDENTIFIER && following.token() != Token.NOT) {
            throw fail("found '" + following.literal() + "', expected: identifier after ','");
          }
        }
        case END -> {
          return out;
        }
        default -> throw fail("found '" + look.literal() + "', expected: !, identifier, or 'end of string'");
      }
    }
  }

  private Requirement requirement() {
    Item item = consume(true);
    Operator op = null;
    if (item.token() == Token.NOT) {
      op = Operator.DOES_NOT_EXIST;
      item = consume(true);
    }
    if (item.token() != Token.IDENTIFIER) {
      throw requirementFail("found '" + item.literal() + "', expected: identifier");
    }
    String key = item.literal();
    List<String> keyErrors = Validation.isQualifiedName(key);
    if (!keyErrors.isEmpty()) {
      // Upstream validates the key here against a nil field path, which prints as "<nil>".
      throw requirementFail("<nil>: Invalid value: " + GoFormat.quote(key) + ": " + String.join("; ", keyErrors));
    }
    Token following = lookahead(true).token();
    if (following == Token.END || following == Token.COMMA) {
      op = op == null ? Operator.EXISTS : op;
    }
    if (op == Operator.EXISTS || op == Operator.DOES_NOT_EXIST) {
      return checked(key, op, List.of());
    }
    Item opItem = consume(false);
    op = switch (opItem.token()) {
      case IN -> Operator.IN;
      case EQUALS -> Operator.EQUALS;
      case DOUBLE_EQUALS -> Operator.DOUBLE_EQUALS;
      case GREATER -> Operator.GREATER_THAN;
      case LESS -> Operator.LESS_THAN;
      case NOT_IN -> Operator.NOT_IN;
      case NOT_EQUALS -> Operator.NOT_EQUALS;
      default -> throw requirementFail("found '" + opItem.literal() + "', expected: " + BINARY_OPERATORS);
    };
    Set<String> values = op == Operator.IN || op == Operator.NOT_IN ? valueSet() : exactValue();
    return checked(key, op, new ArrayList<>(new TreeSet<>(values))); // upstream's sets.String.List(): sorted
  }

  private Set<String> valueSet() {
    Item open = consume(true);
    if (open.token() != Token.OPEN_PAREN) {
      throw requirementFail("found '" + open.literal() + "' expected: '('");
    }
    Item look = lookahead(true);
    switch (look.token()) {
      case IDENTIFIER, COMMA -> {
        Set<String> s = identifierList();
        consume(true); // identifierList returns only when the next token is ')'
        return s;
      }
      case CLOSE_PAREN -> {
        consume(true);
        return Set.of("");
      }
      default -> throw requirementFail("found '" + look.literal() + "', expected: ',', ')' or identifier");
    }
  }

  // A possibly empty list of possibly empty values: "(a,,b)", "(,a)", "(a,)".
  private Set<String> identifierList() {
    Set<String> s = new LinkedHashSet<>();
    while (true) {
      Item item = consume(true);
      switch (item.token()) {
        case IDENTIFIER -> {
          s.add(item.literal());
          Item look = lookahead(true);
          if (look.token() == Token.CLOSE_PAREN) {
            return s;
          }
          if (look.token() != Token.COMMA) {
            throw requirementFail("found '" + look.literal() + "', expected: ',' or ')'");
          }
        }
        case COMMA -> {
          if (s.isEmpty()) {
            s.add("");
          }
          Token look = lookahead(true).token();
          if (look == Token.CLOSE_PAREN) {
            s.add("");
            return s;
          }
          if (look == Token.COMMA) {
            s.add("");
          }
        }
        default -> throw requirementFail("found '" + item.literal() + "', expected: ',', or identifier");
      }
    }
  }

  private Set<String> exactValue() {
    Token look = lookahead(true).token();
    if (look == Token.END || look == Token.COMMA) {
      return Set.of("");
    }
    Item item = consume(true);
    if (item.token() != Token.IDENTIFIER) {
      throw requirementFail("found '" + item.literal() + "', expected: identifier");
    }
    return Set.of(item.literal());
  }

  private Requirement checked(String key, Operator op, List<String> values) {
    List<String> errs = requirementErrors(key, op, values, null);
    if (!errs.isEmpty()) {
      throw requirementFail(aggregate(errs));
    }
    return new Requirement(key, op, values);
  }

  /**
   * Upstream's {@code NewRequirement} checks, as field-error strings under {@code path} (null prints as upstream's
   * nil path does when used as a parent: the children are {@code key}, {@code values[0][key]}).
   */
  static List<String> requirementErrors(String key, Operator op, List<String> values, String path) {
    String prefix = path == null ? "" : path + ".";
    List<String> errs = new ArrayList<>();
    List<String> keyErrors = Validation.isQualifiedName(key);
    if (!keyErrors.isEmpty()) {
      errs.add(prefix + "key: Invalid value: " + GoFormat.quote(key) + ": " + String.join("; ", keyErrors));
    }
    String valuesPath = prefix + "values";
    switch (op) {
      case IN, NOT_IN -> {
        if (values.isEmpty()) {
          errs.add(valuesPath + ": Invalid value: " + goSlice(values)
              + ": for 'in', 'notin' operators, values set can't be empty");
        }
      }
      case EQUALS, DOUBLE_EQUALS, NOT_EQUALS -> {
        if (values.size() != 1) {
          errs.add(valuesPath + ": Invalid value: " + goSlice(values)
              + ": exact-match compatibility requires one single value");
        }
      }
      case EXISTS, DOES_NOT_EXIST -> {
        if (!values.isEmpty()) {
          errs.add(valuesPath + ": Invalid value: " + goSlice(values)
              + ": values set must be empty for exists and does not exist");
        }
      }
      case GREATER_THAN, LESS_THAN -> {
        if (values.size() != 1) {
          errs.add(valuesPath + ": Invalid value: " + goSlice(values)
              + ": for 'Gt', 'Lt' operators, exactly one value is required");
        }
        for (int i = 0; i < values.size(); i++) {
          try {
            Long.parseLong(values.get(i));
          } catch (NumberFormatException e) {
            errs.add(valuesPath + "[" + i + "]: Invalid value: " + GoFormat.quote(values.get(i))
                + ": for 'Gt', 'Lt' operators, the value must be an integer");
          }
        }
      }
      default -> throw new IllegalStateException("unknown operator " + op);
    }
    for (int i = 0; i < values.size(); i++) {
      List<String> valueErrors = Validation.isValidLabelValue(values.get(i));
      if (!valueErrors.isEmpty()) {
        errs.add(valuesPath + "[" + i + "][" + key + "]: Invalid value: " + GoFormat.quote(values.get(i)) + ": "
            + String.join("; ", valueErrors));
      }
    }
    return errs;
  }

  /** Upstream's error aggregate text: one message alone, several de-duplicated inside brackets. */
  static String aggregate(List<String> errs) {
    Set<String> unique = new LinkedHashSet<>(errs);
    return unique.size() == 1 ? unique.iterator().next() : "[" + String.join(", ", unique) + "]";
  }

  private static String goSlice(List<String> values) {
    if (values.isEmpty()) {
      return "[]string(nil)";
    }
    StringBuilder sb = new StringBuilder("[]string{");
    for (int i = 0; i < values.size(); i++) {
      sb.append(i > 0 ? ", " : "").append(GoFormat.quote(values.get(i)));
    }
    return sb.append('}').toString();
  }

  // In a value position the keywords "in" and "notin" are plain identifiers.
  private Item lookahead(boolean valueContext) {
    return contextual(items.get(next), valueContext);
  }

  private Item consume(boolean valueContext) {
    return contextual(items.get(next++), valueContext);
  }

  private static Item contextual(Item item, boolean valueContext) {
    if (valueContext && (item.token() == Token.IN || item.token() == Token.NOT_IN)) {
      return new Item(Token.IDENTIFIER, item.literal());
    }
    return item;
  }

  private ApiException requirementFail(String message) {
    return fail("unable to parse requirement: " + message);
  }

  private static ApiException fail(String message) {
    return ApiException.badRequest(message);
  }

  // ---- lexer ----

  private char read() {
    char c = pos < input.length() ? input.charAt(pos) : 0;
    pos++;
    return c;
  }

  private static boolean isWhitespace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  private static boolean isSpecial(char c) {
    return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
  }

  private Item lex() {
    char c = read();
    while (isWhitespace(c)) {
      c = read();
    }
    if (c == 0) {
      return new Item(Token.END, "");
    }
    pos--;
    return isSpecial(c) ? special() : identifierOrKeyword();
  }

  private Item identifierOrKeyword() {
    StringBuilder sb = new StringBuilder();
    while (true) {
      char c = read();
      if (c == 0) {
        break;
      }
      if (isSpecial(c) || isWhitespace(c)) {
        pos--;
        break;
      }
      sb.append(c);
    }
    String s = sb.toString();
    return switch (s) {
      case "in" -> new Item(Token.IN, s);
      case "notin" -> new Item(Token.NOT_IN, s);
      default -> new Item(Token.IDENTIFIER, s);
    };
  }

  // The longest run of special characters that still forms an operator: "!=" and "==" win over "!" and "=".
  private Item special() {
    Item last = null;
    StringBuilder buffer = new StringBuilder();
    while (true) {
      char c = read();
      if (c == 0) {
        break;
      }
      if (!isSpecial(c)) {
        pos--;
        break;
      }
      buffer.append(c);
      Token t = symbol(buffer.toString());
      if (t != null) {
        last = new Item(t, buffer.toString());
      } else if (last != null) {
        pos--;
        break;
      }
    }
    if (last == null) {
      return new Item(Token.ERROR, "error expected: keyword found '" + buffer + "'");
    }
    return last;
  }

  private static Token symbol(String s) {
    return switch (s) {
      case ")" -> Token.CLOSE_PAREN;
      case "," -> Token.COMMA;
      case "!" -> Token.NOT;
      case "==" -> Token.DOUBLE_EQUALS;
      case "=" -> Token.EQUALS;
      case ">" -> Token.GREATER;
      case "<" -> Token.LESS;
      case "!=" -> Token.NOT_EQUALS;
      case "(" -> Token.OPEN_PAREN;
      default -> null;
    };
  }
}

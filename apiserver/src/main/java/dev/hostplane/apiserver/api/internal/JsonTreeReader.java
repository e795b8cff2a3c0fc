package dev.hostplane.apiserver.api.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one JSON value into a Jackson tree, noting every object member that repeats an earlier one (the later
 * value wins, as in Go). Duplicates are reported by path in the form upstream's strict decoder uses
 * ({@code spec.containers[0].name}). Nesting depth and string length are bounded by the factory's
 * {@code StreamReadConstraints}. Not API.
 */
public final class JsonTreeReader {
  /** A decoded value and the paths of repeated members, in document order. */
  public record Result(JsonNode tree, List<String> duplicateFields) {}

  /**
   * Malformed input; {@code getMessage()} is the problem without position, {@link #line}/{@link #column} are
   * 1-based, or 0 when the problem has no position (an empty body).
   */
  public static final class SyntaxException extends Exception {
    private static final long serialVersionUID = 1L;
    public final int line;
    public final int column;

    SyntaxException(String message, int line, int column) {
      super(message, null, false, false);
      this.line = line;
      this.column = column;
    }
  }

  private final JsonParser parser;
  private final JsonNodeFactory nodes = JsonNodeFactory.instance;
  private final List<String> path = new ArrayList<>();
  private final List<String> duplicates = new ArrayList<>();

  private JsonTreeReader(JsonParser parser) {
    this.parser = parser;
  }

  /**
   * Reads exactly one value from {@code body}; trailing content other than whitespace is an error, and so is an
   * empty body. Jackson's own exceptions (including constraint violations) propagate to the caller.
   */
  public static Result read(JsonFactory factory, byte[] body) throws IOException, SyntaxException {
    try (JsonParser p = factory.createParser(body)) {
      JsonTreeReader reader = new JsonTreeReader(p);
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new SyntaxException("unexpected end of JSON input", 0, 0);
      }
      JsonNode tree = reader.value(first);
      if (p.nextToken() != null) {
        throw reader.syntax("invalid character after top-level value");
      }
      return new Result(tree, List.copyOf(reader.duplicates));
    }
  }

  private JsonNode value(JsonToken token) throws IOException, SyntaxException {
    switch (token) {
      case START_OBJECT:
        return object();
      case START_ARRAY:
        return array();
      case VALUE_STRING:
        return nodes.textNode(parser.getText());
      case VALUE_NUMBER_INT:
        return switch (parser.getNumberType()) {
          case INT -> nodes.numberNode(parser.getIntValue());
          case LONG -> nodes.numberNode(parser.getLongValue());
          default -> nodes.numberNode(parser.getBigIntegerValue());
        };
      case VALUE_NUMBER_FLOAT: {
        double d = parser.getDoubleValue();
        if (Double.isInfinite(d)) {
          throw syntax("number " + parser.getText() + " is out of range");
        }
        return nodes.numberNode(d);
      }
      case VALUE_TRUE:
        return nodes.booleanNode(true);
      case VALUE_FALSE:
        return nodes.booleanNode(false);
      case VALUE_NULL:
        return nodes.nullNode();
      default:
        throw syntax("unexpected token " + token);
    }
  }

  private ObjectNode object() throws IOException, SyntaxException {
    ObjectNode obj = nodes.objectNode();
    JsonToken t;
    while ((t = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      path.add(name);
      JsonNode v = value(parser.nextToken());
      if (obj.has(name)) {
        duplicates.add(pathString());
      }
      path.remove(path.size() - 1);
      obj.set(name, v);
    }
    if (t != JsonToken.END_OBJECT) {
      throw syntax("unexpected end of JSON input");
    }
    return obj;
  }

  private ArrayNode array() throws IOException, SyntaxException {
    ArrayNode arr = nodes.arrayNode();
    JsonToken t;
    int index = 0;
    while ((t = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) {
        throw syntax("unexpected end of JSON input");
      }
      path.add("[" + index++ + "]");
      arr.add(value(t));
      path.remove(path.size() - 1);
    }
    return arr;
  }

  private String pathString() {
    StringBuilder sb = new StringBuilder();
    for (String segment : path) {
      if (sb.length() > 0 && !segment.startsWith("[")) {
        sb.append('.');
      }
      sb.append(segment);
    }
    return sb.toString();
  }

  private SyntaxException syntax(String message) {
    var loc = parser.currentTokenLocation();
    return new SyntaxException(message, loc.getLineNr(), loc.getColumnNr());
  }
}

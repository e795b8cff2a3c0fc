package dev.hostplane.apiserver.api.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.reader.UnicodeReader;

/**
 * Reads a single YAML document into a JSON-compatible Jackson tree, as upstream's YAML-to-JSON conversion does:
 * scalars typed like go-yaml v2 ({@link YamlScalars}), mapping keys turned into strings, aliases expanded, merge
 * keys ({@code <<}) applied (keys written in the mapping win over merged ones, earlier merge sources over later).
 *
 * <p>Works on SnakeYAML's event stream rather than its composer, so limits are ours: at most {@code maxDepth}
 * nested collections, at most {@code maxAliasNodes} nodes created by expanding aliases in total (so an alias bomb
 * fails fast instead of exhausting memory), and the input size bounded by {@code codePointLimit}. A stream with a
 * second non-empty document is an error. Not API.
 */
public final class YamlTreeReader {
  /** A decoded document, and each repeated mapping key as {@code line N: key "k" already set in map}. */
  public record Result(JsonNode tree, List<String> duplicateKeys) {}

  /** Bad input; the message reads like go-yaml's ({@code yaml: line 3: ...}). */
  public static final class YamlSyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    YamlSyntaxException(String message) {
      super(message, null, false, false);
    }
  }

  private static final String STR_TAG = "tag:yaml.org,2002:str";
  private static final String BINARY_TAG = "tag:yaml.org,2002:binary";
  private static final String TAG_PREFIX = "tag:yaml.org,2002:";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Parser parser;
  private final int maxDepth;
  private final long maxAliasNodes;
  private final Map<String, JsonNode> anchors = new HashMap<>();
  private final List<String> duplicates = new ArrayList<>();
  private long aliasNodes;
  private int depth;
  private long measured; // nodes seen by the current measure() call

  private YamlTreeReader(Parser parser, int maxDepth, long maxAliasNodes) {
    this.parser = parser;
    this.maxDepth = maxDepth;
    this.maxAliasNodes = maxAliasNodes;
  }

  /** Reads {@code body} (UTF-8, or UTF-16/32 with a byte order mark). An empty stream reads as JSON null. */
  public static Result read(byte[] body, int maxDepth, int codePointLimit, long maxAliasNodes)
      throws YamlSyntaxException {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(codePointLimit);
    Parser parser = new ParserImpl(new StreamReader(new UnicodeReader(new ByteArrayInputStream(body))), options);
    YamlTreeReader reader = new YamlTreeReader(parser, maxDepth, maxAliasNodes);
    try {
      return reader.stream();
    } catch (MarkedYAMLException e) {
      String problem = e.getProblem() == null ? e.getContext() : e.getProblem();
      int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
      throw new YamlSyntaxException("yaml: line " + line + ": " + problem);
    } catch (YAMLException e) {
      String msg = e.getMessage() == null ? "unreadable input" : e.getMessage();
      if (e.getCause() instanceof java.nio.charset.CharacterCodingException) {
        msg = "invalid UTF-8 in the input";
      } else if (msg.startsWith("The incoming YAML document exceeds the limit")) {
        msg = "the document is larger than " + codePointLimit + " characters";
      }
      throw new YamlSyntaxException("yaml: " + msg);
    }
  }

  private Result stream() throws YamlSyntaxException {
    expect(Event.ID.StreamStart);
    if (parser.checkEvent(Event.ID.StreamEnd)) {
      return new Result(NODES.nullNode(), List.of());
    }
    expect(Event.ID.DocumentStart);
    JsonNode root = node(parser.getEvent());
    expect(Event.ID.DocumentEnd);
    while (!parser.checkEvent(Event.ID.StreamEnd)) {
      expect(Event.ID.DocumentStart);
      Event e = parser.getEvent();
      if (!(e instanceof ScalarEvent s) || !s.getValue().isEmpty() || s.getTag() != null || s.getAnchor() != null
          || !s.isPlain()) {
        throw new YamlSyntaxException("yaml: line " + line(e)
            + ": the body holds more than one document; send exactly one");
      }
      expect(Event.ID.DocumentEnd);
    }
    return new Result(root, List.copyOf(duplicates));
  }

  private JsonNode node(Event e) throws YamlSyntaxException {
    if (e instanceof AliasEvent alias) {
      return expand(alias);
    }
    JsonNode result;
    if (e instanceof ScalarEvent s) {
      result = scalar(s);
    } else if (e.is(Event.ID.MappingStart)) {
      enter(e);
      result = mapping();
      depth--;
    } else if (e.is(Event.ID.SequenceStart)) {
      enter(e);
      ArrayNode arr = NODES.arrayNode();
      while (!parser.checkEvent(Event.ID.SequenceEnd)) {
        arr.add(node(parser.getEvent()));
      }
      parser.getEvent();
      depth--;
      result = arr;
    } else {
      throw new YamlSyntaxException("yaml: line " + line(e) + ": unexpected " + e.getEventId());
    }
    String anchor = ((NodeEvent) e).getAnchor();
    if (anchor != null) {
      anchors.put(anchor, result);
    }
    return result;
  }

  private ObjectNode mapping() throws YamlSyntaxException {
    ObjectNode obj = NODES.objectNode();
    List<ObjectNode> mergeSources = new ArrayList<>();
    while (!parser.checkEvent(Event.ID.MappingEnd)) {
      Event keyEvent = parser.getEvent();
      if (isMergeKey(keyEvent)) {
        collectMergeSources(node(parser.getEvent()), keyEvent, mergeSources);
        continue;
      }
      String key = key(keyEvent);
      JsonNode value = node(parser.getEvent());
      if (obj.has(key)) {
        duplicates.add("line " + line(keyEvent) + ": key " + keyForMessage(keyEvent, key) + " already set in map");
      }
      obj.set(key, value);
    }
    parser.getEvent();
    for (ObjectNode source : mergeSources) {
      source.fields().forEachRemaining(f -> {
        if (!obj.has(f.getKey())) {
          obj.set(f.getKey(), f.getValue().deepCopy());
        }
      });
    }
    return obj;
  }

  private void collectMergeSources(JsonNode value, Event at, List<ObjectNode> sources) throws YamlSyntaxException {
    if (value.isObject()) {
      sources.add((ObjectNode) value);
      return;
    }
    if (value.isArray()) {
      for (JsonNode item : value) {
        if (!item.isObject()) {
          throw new YamlSyntaxException("yaml: line " + line(at)
              + ": map merge requires map or sequence of maps as the value");
        }
        sources.add((ObjectNode) item);
      }
      return;
    }
    throw new YamlSyntaxException("yaml: line " + line(at)
        + ": map merge requires map or sequence of maps as the value");
  }

  private boolean isMergeKey(Event e) {
    return e instanceof ScalarEvent s && s.getTag() == null && s.isPlain() && s.getValue().equals("<<");
  }

  /** A mapping key as JSON needs it: strings as they are, other scalars in Go's formatting. */
  private String key(Event e) throws YamlSyntaxException {
    JsonNode k = node(e);
    if (k.isTextual()) {
      return k.textValue();
    }
    if (k.isBoolean()) {
      return k.asText();
    }
    if (k.isIntegralNumber() && k.canConvertToLong()) {
      return k.asText();
    }
    if (k.isFloatingPointNumber()) {
      return GoFormat.formatFloat(k.doubleValue(), true);
    }
    String what = k.isNull() ? "null" : k.isObject() ? "a mapping" : k.isArray() ? "a sequence" : k.toString();
    throw new YamlSyntaxException("yaml: line " + line(e) + ": unsupported map key: " + what);
  }

  private static String keyForMessage(Event e, String key) {
    if (e instanceof ScalarEvent s && (!s.isPlain() || YamlScalars.resolvePlain(s.getValue()).kind()
        == YamlScalars.Kind.STRING)) {
      return GoFormat.quote(key);
    }
    return key;
  }

  private JsonNode scalar(ScalarEvent s) throws YamlSyntaxException {
    String tag = s.getTag();
    String value = s.getValue();
    if (tag == null || tag.equals("!")) {
      if (tag == null && s.isPlain()) {
        return typed(YamlScalars.resolvePlain(value), s);
      }
      return NODES.textNode(value);
    }
    if (tag.equals(STR_TAG) || !tag.startsWith(TAG_PREFIX)) {
      return NODES.textNode(value);
    }
    if (tag.equals(BINARY_TAG)) {
      try {
        return NODES.textNode(new String(Base64.getMimeDecoder().decode(value), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException ex) {
        throw new YamlSyntaxException("yaml: line " + line(s) + ": !!binary value contains invalid base64 data");
      }
    }
    String want = tag.substring(TAG_PREFIX.length());
    YamlScalars.Resolved r = YamlScalars.resolvePlain(value);
    boolean fits = switch (want) {
      case "int" -> r.kind() == YamlScalars.Kind.INT;
      case "float" -> r.kind() == YamlScalars.Kind.FLOAT || r.kind() == YamlScalars.Kind.INT
          || r.kind() == YamlScalars.Kind.INFINITY || r.kind() == YamlScalars.Kind.NAN;
      case "bool" -> r.kind() == YamlScalars.Kind.BOOL;
      case "null" -> r.kind() == YamlScalars.Kind.NULL;
      default -> true; // timestamp, merge, and collection tags on scalars: keep the text
    };
    if (!fits) {
      throw new YamlSyntaxException("yaml: line " + line(s) + ": cannot decode !!str `" + value + "` as a !!" + want);
    }
    if (want.equals("float") && r.kind() == YamlScalars.Kind.INT) {
      return NODES.numberNode(r.value().doubleValue());
    }
    return switch (want) {
      case "int", "float", "bool", "null" -> typed(r, s);
      default -> NODES.textNode(value);
    };
  }

  private JsonNode typed(YamlScalars.Resolved r, ScalarEvent s) throws YamlSyntaxException {
    return switch (r.kind()) {
      case INFINITY -> throw new YamlSyntaxException("json: unsupported value: "
          + (s.getValue().startsWith("-") ? "-Inf" : "+Inf"));
      case NAN -> throw new YamlSyntaxException("json: unsupported value: NaN");
      case MERGE -> NODES.textNode(s.getValue());
      default -> r.value();
    };
  }

  private JsonNode expand(AliasEvent alias) throws YamlSyntaxException {
    JsonNode target = anchors.get(alias.getAnchor());
    if (target == null) {
      throw new YamlSyntaxException("yaml: line " + line(alias) + ": unknown anchor '" + alias.getAnchor()
          + "' referenced");
    }
    // Measuring stops as soon as the budget is spent, so the work for all expansions is bounded by it.
    measured = 0;
    int height = measure(target, maxAliasNodes - aliasNodes);
    if (height < 0) {
      throw new YamlSyntaxException("yaml: document contains excessive aliasing");
    }
    aliasNodes += measured;
    if (depth + height > maxDepth) {
      throw new YamlSyntaxException("yaml: exceeded max depth of " + maxDepth);
    }
    return target.deepCopy();
  }

  private void enter(Event e) throws YamlSyntaxException {
    if (++depth > maxDepth) {
      throw new YamlSyntaxException("yaml: exceeded max depth of " + maxDepth);
    }
    assert e instanceof CollectionStartEvent;
  }

  private void expect(Event.ID id) throws YamlSyntaxException {
    Event e = parser.getEvent();
    if (!e.is(id)) {
      throw new YamlSyntaxException("yaml: line " + line(e) + ": unexpected " + e.getEventId());
    }
  }

  private static int line(Event e) {
    return e.getStartMark() == null ? 1 : e.getStartMark().getLine() + 1;
  }

  /** The nesting height of {@code n}, counting its nodes into {@link #measured}; -1 once more than budget. */
  private int measure(JsonNode n, long budget) {
    if (++measured > budget) {
      return -1;
    }
    int h = 0;
    for (JsonNode child : n) {
      int c = measure(child, budget);
      if (c < 0) {
        return -1;
      }
      h = Math.max(h, c);
    }
    return n.isContainerNode() ? h + 1 : 0;
  }

}

package dev.hostplane.apiserver.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.internal.JsonTreeReader;
import dev.hostplane.apiserver.api.internal.YamlTreeReader;
import dev.hostplane.apiserver.api.internal.YamlTreeWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes to Jackson trees and back, for the two text formats the API speaks: JSON and YAML. Stateless and
 * thread-safe; the shared {@link #mapper()} must not be reconfigured.
 *
 * <p>Decoding limits: nesting deeper than {@link #MAX_NESTING_DEPTH} levels is refused (Go's own decoder allows
 * 10000; we stop earlier so that recursive code over trees stays far from the Java stack's limit, and no real
 * object comes close); a string may be as long as a whole request body ({@link #MAX_BODY_BYTES}, upstream's
 * {@code --max-request-body-bytes} default). The body size itself is the HTTP layer's to enforce. YAML aliases may
 * expand to at most {@link #MAX_YAML_ALIAS_NODES} nodes in total.
 *
 * <p>YAML is read as upstream converts it to JSON (go-yaml v2 typing, so {@code yes}, {@code on} and {@code y} are
 * booleans; aliases expanded; merge keys applied; non-string keys turned into strings); a body holding a second,
 * non-empty document is refused. JSON numbers become Jackson's int, long, big-integer or double nodes, as Go's
 * decoding makes them int64 or float64.
 *
 * <p>Every decoding failure is an {@link ApiException}: 400 BadRequest for malformed bodies, 415 for a content type
 * we cannot read. Messages name the problem and, for JSON, its line and column. {@link #readObject} words them as
 * upstream's object decoding does ({@code couldn't get version/kind; json parse error: ...},
 * {@code error converting YAML to JSON: yaml: line 3: ...}); the REST layer may wrap that further (upstream:
 * {@code the object provided is unrecognized (must be of type X): ...}). {@link #readTree} gives the bare problem,
 * for patch bodies.
 */
public final class Codecs {
  public static final int MAX_NESTING_DEPTH = 1000;
  public static final int MAX_BODY_BYTES = 3 * 1024 * 1024;
  public static final long MAX_YAML_ALIAS_NODES = 100_000;
  /** What {@link #readObject} understands, for 415 messages. */
  public static final List<MediaType> READABLE = List.of(MediaType.JSON, MediaType.YAML);

  private static final JsonFactory JSON_FACTORY = new JsonFactoryBuilder()
      .characterEscapes(new GoEscapes())
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_NESTING_DEPTH)
          .maxStringLength(MAX_BODY_BYTES)
          .build())
      // Decoded objects get wrapped (lists, watch events, admission reviews, tables) before they are written.
      .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH + 100).build())
      .build();
  private static final JsonMapper MAPPER = JsonMapper.builder(JSON_FACTORY).build();

  /** A strictly decoded object and its strict-decoding problems (repeated fields). */
  public record Decoded(ObjectNode object, List<String> strictErrors) {
    public Decoded {
      strictErrors = List.copyOf(strictErrors);
    }
  }

  private Codecs() {}

  /** The shared mapper: API read limits, Go-compatible escaping on write. Thread-safe; do not reconfigure. */
  public static JsonMapper mapper() {
    return MAPPER;
  }

  /** Whether {@link #readObject} accepts bodies of this type. */
  public static boolean canRead(MediaType contentType) {
    return READABLE.stream().anyMatch(m -> m.sameEssence(contentType));
  }

  /**
   * Decodes any JSON value (object, array, scalar) from a JSON or YAML body; {@code contentType} null means JSON, as
   * upstream treats a request without a Content-Type. A repeated member keeps its last value. Throws 415 for other
   * types, 400 for malformed input.
   */
  public static JsonNode readTree(byte[] body, MediaType contentType) {
    try {
      return decode(body, contentType).tree();
    } catch (DecodeFailure f) {
      throw ApiException.badRequest(f.getMessage());
    }
  }

  /**
   * Decodes a body that must hold one JSON object, as every create, update and apply body does. A repeated member
   * keeps its last value. Throws 415 for unreadable types, 400 for malformed input or a value that is not an object.
   */
  public static ObjectNode readObject(byte[] body, MediaType contentType) {
    return readObjectStrict(body, contentType).object();
  }

  /**
   * Like {@link #readObject}, and also reports what {@code fieldValidation=Strict} rejects at decode time: each
   * repeated field. For JSON each entry reads {@code duplicate field "spec.replicas"} (the path as upstream's strict
   * decoder prints it); for YAML the one entry is go-yaml's aggregate,
   * {@code yaml: unmarshal errors:\n  line 3: key "a" already set in map}. The caller prefixes them with
   * {@code strict decoding error: } (Strict) or sends them as warnings (Warn).
   */
  public static Decoded readObjectStrict(byte[] body, MediaType contentType) {
    Raw raw;
    try {
      raw = decode(body, contentType);
    } catch (DecodeFailure f) {
      // Upstream finds apiVersion and kind first, so JSON syntax errors surface from that step.
      throw ApiException.badRequest(f.yaml ? f.getMessage() : "couldn't get version/kind; json parse error: "
          + f.getMessage());
    }
    if (!raw.tree().isObject()) {
      JsonNode t = raw.tree();
      String found = t.isArray() ? "an array" : t.isNull() ? "null" : t.isTextual() ? "a string"
          : t.isNumber() ? "a number" : "a boolean";
      throw ApiException.badRequest("couldn't get version/kind; json parse error: expected a JSON object, found "
          + found);
    }
    return new Decoded((ObjectNode) raw.tree(), raw.strictErrors());
  }

  /** Compact JSON as Go's encoder writes it: {@code <}, {@code >}, {@code &} escaped, and a final newline. */
  public static byte[] writeJson(JsonNode tree) {
    try {
      byte[] json = MAPPER.writeValueAsBytes(tree);
      byte[] out = new byte[json.length + 1];
      System.arraycopy(json, 0, out, 0, json.length);
      out[json.length] = '\n';
      return out;
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e); // trees always serialize, unless nested beyond the write limit
    }
  }

  /** YAML as kubectl and upstream print it (see {@link YamlTreeWriter}), UTF-8. */
  public static byte[] writeYaml(JsonNode tree) {
    return YamlTreeWriter.write(tree).getBytes(StandardCharsets.UTF_8);
  }

  private record Raw(JsonNode tree, List<String> strictErrors) {}

  /** A malformed body; the message is the bare problem (YAML ones already carry their conversion prefix). */
  private static final class DecodeFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final boolean yaml;

    DecodeFailure(String message, boolean yaml) {
      super(message, null, false, false);
      this.yaml = yaml;
    }
  }

  private static Raw decode(byte[] body, MediaType contentType) {
    MediaType type = contentType == null ? MediaType.JSON : contentType;
    if (type.sameEssence(MediaType.JSON)) {
      return decodeJson(body);
    }
    if (type.sameEssence(MediaType.YAML)) {
      return decodeYaml(body);
    }
    throw ApiException.unsupportedMediaType(String.join(", ", READABLE.stream().map(MediaType::essence).toList()));
  }

  private static Raw decodeJson(byte[] body) {
    try {
      JsonTreeReader.Result r = JsonTreeReader.read(JSON_FACTORY, body);
      List<String> errs = new ArrayList<>();
      for (String path : r.duplicateFields()) {
        errs.add("duplicate field \"" + path + "\"");
      }
      return new Raw(r.tree(), errs);
    } catch (JsonTreeReader.SyntaxException e) {
      throw jsonError(e.line == 0 ? e.getMessage() : e.getMessage() + " at line " + e.line + ", column " + e.column);
    } catch (StreamConstraintsException e) {
      throw jsonError(constraintMessage(e));
    } catch (JsonProcessingException e) {
      // Jackson reports truncated input with JsonEOFException or, in some states, a plain parse exception.
      if (e instanceof JsonEOFException || String.valueOf(e.getOriginalMessage()).startsWith("Unexpected end-of-input")) {
        throw jsonError("unexpected end of JSON input");
      }
      var loc = e.getLocation();
      String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
      throw jsonError(e.getOriginalMessage() + where);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a byte array does not fail otherwise
    }
  }

  private static Raw decodeYaml(byte[] body) {
    // JSON is YAML, and clients send JSON as YAML (apply bodies). SnakeYAML, a YAML 1.1 parser, refuses some JSON
    // that go-yaml takes (tabs between tokens, the \/ escape), so a JSON object is read as JSON when it parses
    // cleanly; with repeated keys it goes the YAML way, so that they are reported as go-yaml reports them.
    if (startsLikeJsonObject(body)) {
      try {
        JsonTreeReader.Result r = JsonTreeReader.read(JSON_FACTORY, body);
        if (r.duplicateFields().isEmpty()) {
          return new Raw(r.tree(), List.of());
        }
      } catch (JsonTreeReader.SyntaxException | IOException notJson) {
        // fall through: YAML flow syntax ({a: 1}) or a real error, which YAML reports
      }
    }
    try {
      YamlTreeReader.Result r = YamlTreeReader.read(body, MAX_NESTING_DEPTH, MAX_BODY_BYTES, MAX_YAML_ALIAS_NODES);
      List<String> errs = r.duplicateKeys().isEmpty() ? List.of()
          : List.of("yaml: unmarshal errors:\n  " + String.join("\n  ", r.duplicateKeys()));
      return new Raw(r.tree(), errs);
    } catch (YamlTreeReader.YamlSyntaxException e) {
      throw new DecodeFailure("error converting YAML to JSON: " + e.getMessage(), true);
    }
  }

  private static boolean startsLikeJsonObject(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return b == '{';
      }
    }
    return false;
  }

  private static DecodeFailure jsonError(String detail) {
    return new DecodeFailure(detail, false);
  }

  private static String constraintMessage(StreamConstraintsException e) {
    String m = String.valueOf(e.getOriginalMessage());
    if (m.contains("nesting depth")) {
      return "exceeded max depth of " + MAX_NESTING_DEPTH;
    }
    if (m.startsWith("String value length")) {
      return "a string is longer than " + MAX_BODY_BYTES + " characters";
    }
    if (m.startsWith("Number value length")) {
      return "a number has too many digits";
    }
    return m;
  }

  /** Go's encoding/json escapes HTML-significant characters and the JavaScript line separators. */
  private static final class GoEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii = CharacterEscapes.standardAsciiEscapesForJSON();

    GoEscapes() {
      ascii['<'] = ESCAPE_CUSTOM;
      ascii['>'] = ESCAPE_CUSTOM;
      ascii['&'] = ESCAPE_CUSTOM;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return switch (ch) {
        case '<' -> new SerializedString("\\u003c");
        case '>' -> new SerializedString("\\u003e");
        case '&' -> new SerializedString("\\u0026");
        case 0x2028 -> new SerializedString("\\u2028");
        case 0x2029 -> new SerializedString("\\u2029");
        default -> null;
      };
    }
  }
}

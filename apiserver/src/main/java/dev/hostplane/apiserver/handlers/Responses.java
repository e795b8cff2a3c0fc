package dev.hostplane.apiserver.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.MediaType;
import dev.hostplane.apiserver.api.Status;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Content negotiation and response writing for API objects and errors. */
public final class Responses {
  private static final Logger LOG = LoggerFactory.getLogger(Responses.class);
  static final String JSON = "application/json";
  static final String YAML = "application/yaml";

  /** The response encodings this server speaks. */
  public enum Format { JSON, YAML }

  private Responses() {}

  /**
   * The first acceptable format in the client's Accept header (q-values respected); JSON when the header is absent
   * or allows anything. Media types we cannot produce (Table, protobuf) are skipped when the client offered a
   * fallback; a header naming only those is answered with 406.
   */
  public static Format negotiate(Request req) {
    String accept = req.exchange().header("Accept");
    if (accept == null || accept.isBlank()) {
      return Format.JSON;
    }
    List<MediaType> offered = MediaType.parseAccept(accept);
    for (MediaType m : offered) {
      if (m.parameter("as") != null) {
        continue; // Table, PartialObjectMetadata, discovery lists: answered elsewhere or not at all
      }
      String t = m.type() + "/" + m.subtype();
      switch (t) {
        case "*/*", "application/*", JSON, "application/json-seq" -> {
          return Format.JSON;
        }
        case YAML, "application/x-yaml", "text/yaml" -> {
          return Format.YAML;
        }
        default -> { }
      }
    }
    throw ApiException.notAcceptable(
        "only the following media types are accepted: application/json, application/yaml");
  }

  public static void write(Request req, int code, JsonNode body) {
    Format f;
    try {
      f = negotiate(req);
    } catch (ApiException e) {
      f = Format.JSON;
    }
    write(req, code, body, f);
  }

  public static void write(Request req, int code, JsonNode body, Format format) {
    Map<String, String> headers = new LinkedHashMap<>();
    byte[] bytes;
    if (format == Format.YAML) {
      headers.put("Content-Type", YAML);
      bytes = Codecs.writeYaml(body);
    } else {
      headers.put("Content-Type", JSON);
      bytes = Codecs.writeJson(body);
    }
    headers.put("Cache-Control", "no-cache, private");
    addWarnings(req, headers);
    req.exchange().respond(code, headers, bytes);
  }

  /** Writes a failure as a Status: API errors as they are, anything else as a logged 500 without details. */
  public static void writeError(Request req, Throwable err) {
    Status status = statusOf(err, req);
    Map<String, String> extra = new LinkedHashMap<>();
    if (status.details().retryAfterSeconds() != null) {
      extra.put("Retry-After", Integer.toString(status.details().retryAfterSeconds()));
    }
    writeStatus(req, status, extra);
  }

  static void writeStatus(Request req, Status status, Map<String, String> extraHeaders) {
    Map<String, String> headers = new LinkedHashMap<>(extraHeaders);
    headers.put("Content-Type", JSON);
    headers.put("Cache-Control", "no-cache, private");
    addWarnings(req, headers);
    req.exchange().respond(status.code(), headers, Codecs.writeJson(status.toJson()));
  }

  /**
   * The request's warnings as one {@code Warning} header, comma-separated, each as upstream writes it:
   * {@code 299 - "text"} with the text quoted as Go's strconv.Quote does.
   */
  static void addWarnings(Request req, Map<String, String> headers) {
    List<String> warnings = req == null ? List.of() : req.warnings();
    if (warnings.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    for (String w : warnings) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append("299 - ").append(goQuote(w));
    }
    headers.put("Warning", sb.toString());
  }

  static String goQuote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '\r' -> sb.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            sb.append(String.format("\\x%02x", (int) c));
          } else if (c > 0x7f) {
            sb.append(String.format("\\u%04x", (int) c)); // header values stay ASCII; Go's Unquote reads it
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  static Status statusOf(Throwable err, Request req) {
    Throwable t = unwrap(err);
    if (t instanceof ApiException ae) {
      return ae.status();
    }
    LOG.error("internal error serving {} {}", req == null ? "" : req.exchange().method(),
        req == null ? "" : req.path(), t);
    return Status.of(500, "InternalError", "Internal error occurred: an unexpected error happened; "
        + "see the server log");
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}

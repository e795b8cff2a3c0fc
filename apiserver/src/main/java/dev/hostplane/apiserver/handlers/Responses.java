package dev.hostplane.apiserver.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.MediaType;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.protobuf.KubeProtobuf;
import dev.hostplane.apiserver.printers.TableOptions;
import dev.hostplane.apiserver.registry.ResourceType;
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
  public enum Format { JSON, YAML, PROTOBUF }

  private Responses() {}

  /**
   * What the client asked to receive: an encoding and a view (the object itself, a {@code meta.k8s.io} Table, or
   * PartialObjectMetadata), chosen from the Accept header in the client's order of preference.
   */
  public record Negotiated(Format format, View view, TableOptions.Version version) {
    public static final Negotiated JSON_OBJECT = new Negotiated(Format.JSON, View.OBJECT, TableOptions.Version.V1);

    private String versionName() {
      return version.apiVersion().substring("meta.k8s.io/".length());
    }

    /** The Content-Type of a response in this form; {@code list} picks PartialObjectMetadataList. */
    public String contentType(boolean list) {
      String base = switch (format) {
        case YAML -> YAML;
        case PROTOBUF -> KubeProtobuf.MEDIA_TYPE;
        case JSON -> JSON;
      };
      return switch (view) {
        case OBJECT -> base;
        case TABLE -> base + ";as=Table;v=" + versionName() + ";g=meta.k8s.io";
        case PARTIAL_METADATA -> base + ";as=" + (list ? "PartialObjectMetadataList" : "PartialObjectMetadata")
            + ";v=" + versionName() + ";g=meta.k8s.io";
      };
    }
  }

  /** The shape of the response body. */
  public enum View { OBJECT, TABLE, PARTIAL_METADATA }

  /**
   * The first acceptable form in the client's Accept header (q-values respected); JSON when the header is absent
   * or allows anything. With {@code views} false (writes, discovery) Table and PartialObjectMetadata entries are
   * skipped. Forms we cannot produce are skipped when the client offered a fallback; a header naming only those is
   * answered with 406, as upstream.
   */
  public static Negotiated negotiate(Request req, boolean views) {
    return negotiate(req, views, null);
  }

  /**
   * As {@link #negotiate(Request, boolean)}; Kubernetes protobuf is offered only for {@code type} (null: never),
   * and only when the type has a protobuf form.
   */
  public static Negotiated negotiate(Request req, boolean views, ResourceType type) {
    String accept = req.exchange().header("Accept");
    if (accept == null || accept.isBlank()) {
      return Negotiated.JSON_OBJECT;
    }
    for (MediaType m : MediaType.parseAccept(accept)) {
      String t = m.type() + "/" + m.subtype();
      Format format = switch (t) {
        case "*/*", "application/*", JSON, "application/json-seq" -> Format.JSON;
        case YAML, "application/x-yaml", "text/yaml" -> Format.YAML;
        case KubeProtobuf.MEDIA_TYPE -> Format.PROTOBUF;
        default -> null;
      };
      if (format == null) {
        continue;
      }
      String as = m.parameter("as");
      if (format == Format.PROTOBUF && (as != null || type == null
          || !KubeProtobuf.supports(type.apiVersion(), type.kind()))) {
        continue; // Tables and types without a protobuf form fall back to the client's next choice
      }
      if (as == null) {
        return new Negotiated(format, View.OBJECT, TableOptions.Version.V1);
      }
      if (!views || !"meta.k8s.io".equals(m.parameter("g"))) {
        continue;
      }
      java.util.Optional<TableOptions.Version> v = TableOptions.Version.of(m.parameter("v"));
      if (v.isEmpty()) {
        continue;
      }
      switch (as) {
        case "Table" -> {
          return new Negotiated(format, View.TABLE, v.get());
        }
        case "PartialObjectMetadata", "PartialObjectMetadataList" -> {
          return new Negotiated(format, View.PARTIAL_METADATA, v.get());
        }
        default -> { }
      }
    }
    throw ApiException.notAcceptable(
        "only the following media types are accepted: application/json, application/yaml");
  }

  /** {@link #negotiate(Request, boolean)} for plain objects (never protobuf). */
  public static Format negotiate(Request req) {
    return negotiate(req, false).format();
  }

  /** The plain-object format for responses about {@code type}: JSON, YAML or Kubernetes protobuf. */
  public static Format negotiate(Request req, ResourceType type) {
    return negotiate(req, false, type).format();
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
    write(req, code, body, new Negotiated(format, View.OBJECT, TableOptions.Version.V1), false);
  }

  /** Writes {@code body}, already in the negotiated view, labelled with the negotiated Content-Type. */
  public static void write(Request req, int code, JsonNode body, Negotiated n, boolean list) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", n.contentType(list));
    byte[] bytes = switch (n.format()) {
      case YAML -> Codecs.writeYaml(body);
      case JSON -> Codecs.writeJson(body);
      case PROTOBUF -> KubeProtobuf.encode((com.fasterxml.jackson.databind.node.ObjectNode) body);
    };
    headers.put("Cache-Control", "no-cache, private");
    addWarnings(req, headers);
    if (req.audit() != null) {
      req.audit().responseObject(body); // a reference: copied only if the policy logs responses
    }
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
    if (req != null && req.audit() != null) {
      req.audit().responseStatus(status);
    }
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

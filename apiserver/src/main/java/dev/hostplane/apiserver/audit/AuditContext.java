package dev.hostplane.apiserver.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.filter.RequestInfo;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * One request's audit event as it is built up: fixed at the start (ID, user, verb, URI, object reference), then
 * annotated and completed with the response. Each stage emits a separate {@code audit.k8s.io/v1 Event}.
 * At {@link Level#Metadata} no body is copied; {@link #responseObject} keeps a reference only.
 *
 * <p>Threading: stages may be reached from different threads (the worker, a storage completion, the connection's
 * close); each emits at most once. Annotations are added before the response.
 */
public final class AuditContext {
  static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
  /** The last second formatted ("yyyy-MM-ddTHH:mm:ss."), reused while events fall in the same second. */
  private static volatile SecondPrefix lastSecond = new SecondPrefix(Long.MIN_VALUE, "");

  private record SecondPrefix(long epochSecond, String text) {}

  /** {@link #MICROS}, without the formatter's cost on the hot path: two events per audited request. */
  static String micros(Instant t) {
    SecondPrefix p = lastSecond;
    if (p.epochSecond() != t.getEpochSecond()) {
      String full = MICROS.format(Instant.ofEpochSecond(t.getEpochSecond()));
      p = new SecondPrefix(t.getEpochSecond(), full.substring(0, full.length() - 7)); // drop "000000Z"
      lastSecond = p;
    }
    int us = t.getNano() / 1000;
    char[] digits = new char[6];
    for (int i = 5; i >= 0; i--) {
      digits[i] = (char) ('0' + us % 10);
      us /= 10;
    }
    return p.text() + new String(digits) + "Z";
  }
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** What the request is: taken from the request line, headers and authentication. */
  public record Subject(String auditId, String requestUri, RequestInfo info, String method, UserInfo user,
      UserInfo impersonatedUser, List<String> sourceIps, String userAgent) {}

  private final Auditor auditor;
  private final Subject subject;
  private final AuditPolicy.Decision decision;
  private final Instant received;
  private final Map<String, String> annotations = new LinkedHashMap<>();
  private final AtomicBoolean completed = new AtomicBoolean();
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile Supplier<JsonNode> requestObject;
  private volatile JsonNode requestObjectValue;
  private volatile JsonNode responseObject;
  private volatile Status responseStatus;

  AuditContext(Auditor auditor, Subject subject, AuditPolicy.Decision decision, Instant received) {
    this.auditor = auditor;
    this.subject = subject;
    this.decision = decision;
    this.received = received;
  }

  public String auditId() {
    return subject.auditId();
  }

  public Level level() {
    return decision.level();
  }

  /** Adds an annotation (e.g. {@code authorization.k8s.io/decision}) to the events emitted after this. */
  public void annotate(String key, String value) {
    synchronized (annotations) {
      annotations.put(key, value);
    }
  }

  /**
   * The request body as a JSON tree, decoded on demand (at {@link Level#Request} and above only, at most once);
   * the supplier may return null for a body that is not an object.
   */
  public void requestObject(Supplier<JsonNode> decoder) {
    this.requestObject = decoder;
  }

  /** The object written as the response; kept by reference, logged at {@link Level#RequestResponse}. */
  public void responseObject(JsonNode body) {
    this.responseObject = body;
  }

  /** The Status of a failed request, for the event's responseStatus. */
  public void responseStatus(Status status) {
    this.responseStatus = status;
  }

  /** Emits RequestReceived; false when the event could not be queued. */
  public boolean requestReceived() {
    return emit(Stage.RequestReceived, 0);
  }

  /** Emits ResponseStarted (long-running requests, once their headers are out). */
  public void responseStarted(int code) {
    if (started.compareAndSet(false, true)) {
      emit(Stage.ResponseStarted, code);
    }
  }

  /** Emits ResponseComplete, once. */
  public void responseComplete(int code) {
    if (completed.compareAndSet(false, true)) {
      emit(Stage.ResponseComplete, code);
    }
  }

  /** Emits Panic instead of ResponseComplete: serving failed unexpectedly. */
  public void panic(Throwable t) {
    if (completed.compareAndSet(false, true)) {
      responseStatus = Status.of(500, "InternalError", "APIServer panic'd: " + t);
      emit(Stage.Panic, 500);
    }
  }

  private boolean emit(Stage stage, int code) {
    if (decision.omitStages().contains(stage)) {
      return true;
    }
    return auditor.emit(event(stage, code, Instant.now()));
  }

  ObjectNode event(Stage stage, int code, Instant at) {
    ObjectNode e = NODES.objectNode();
    e.put("kind", "Event");
    e.put("apiVersion", "audit.k8s.io/v1");
    e.put("level", decision.level().name());
    e.put("auditID", subject.auditId());
    e.put("stage", stage.name());
    e.put("requestURI", subject.requestUri());
    e.put("verb", verb());
    e.set("user", user(subject.user()));
    if (subject.impersonatedUser() != null) {
      e.set("impersonatedUser", user(subject.impersonatedUser()));
    }
    ArrayNode ips = e.putArray("sourceIPs");
    subject.sourceIps().forEach(ips::add);
    if (subject.userAgent() != null) {
      e.put("userAgent", subject.userAgent());
    }
    JsonNode request = stage == Stage.RequestReceived ? null : requestObject();
    ObjectNode ref = objectRef(request);
    if (ref != null) {
      e.set("objectRef", ref);
    }
    if (stage != Stage.RequestReceived) {
      ObjectNode rs = e.putObject("responseStatus");
      rs.putObject("metadata");
      Status s = responseStatus;
      if (s != null && s.code() >= 300) {
        rs.put("status", "Failure");
        if (s.message() != null && !s.message().isEmpty()) {
          rs.put("message", s.message());
        }
        if (s.reason() != null && !s.reason().isEmpty()) {
          rs.put("reason", s.reason());
        }
      }
      rs.put("code", code);
    }
    if (request != null) {
      e.set("requestObject", request);
    }
    if (stage == Stage.ResponseComplete && decision.level().atLeast(Level.RequestResponse)) {
      JsonNode response = responseObject;
      if (response != null) {
        e.set("responseObject", decision.omitManagedFields() ? withoutManagedFields(response) : response);
      }
    }
    e.put("requestReceivedTimestamp", micros(received));
    e.put("stageTimestamp", micros(at));
    synchronized (annotations) {
      if (!annotations.isEmpty()) {
        ObjectNode a = e.putObject("annotations");
        annotations.forEach(a::put);
      }
    }
    return e;
  }

  private String verb() {
    RequestInfo info = subject.info();
    return info.resourceRequest() ? info.verb() : subject.method().toLowerCase(java.util.Locale.ROOT);
  }

  /** The decoded request body at Request level and above (once), else null. */
  private JsonNode requestObject() {
    if (!decision.level().atLeast(Level.Request)) {
      return null;
    }
    JsonNode v = requestObjectValue;
    if (v == null) {
      Supplier<JsonNode> s = requestObject;
      if (s == null) {
        return null;
      }
      try {
        v = s.get();
      } catch (RuntimeException e) {
        v = null; // an unreadable body was refused with its own error; the event goes without it
      }
      if (v != null && decision.omitManagedFields()) {
        v = withoutManagedFields(v);
      }
      requestObject = null;
      requestObjectValue = v;
    }
    return v;
  }

  private ObjectNode objectRef(JsonNode request) {
    RequestInfo info = subject.info();
    if (!info.resourceRequest()) {
      return null;
    }
    ObjectNode ref = NODES.objectNode();
    ref.put("resource", info.resource());
    String namespace = info.namespace();
    String name = info.name();
    String uid = null;
    String resourceVersion = null;
    JsonNode meta = request != null ? request.path("metadata") : null;
    if (meta != null && meta.isObject()) {
      namespace = namespace.isEmpty() ? meta.path("namespace").asText("") : namespace;
      name = name.isEmpty() ? meta.path("name").asText("") : name;
      uid = meta.path("uid").asText(null);
      resourceVersion = meta.path("resourceVersion").asText(null);
    } else if (name.isEmpty() && info.verb().equals("create")) {
      JsonNode response = responseObject;
      if (response != null) {
        name = response.path("metadata").path("name").asText("");
      }
    }
    if (!namespace.isEmpty()) {
      ref.put("namespace", namespace);
    }
    if (!name.isEmpty()) {
      ref.put("name", name);
    }
    if (uid != null && !uid.isEmpty()) {
      ref.put("uid", uid);
    }
    if (!info.group().isEmpty()) {
      ref.put("apiGroup", info.group());
    }
    if (!info.version().isEmpty()) {
      ref.put("apiVersion", info.version());
    }
    if (resourceVersion != null && !resourceVersion.isEmpty()) {
      ref.put("resourceVersion", resourceVersion);
    }
    if (!info.subresource().isEmpty()) {
      ref.put("subresource", info.subresource());
    }
    return ref;
  }

  private static JsonNode withoutManagedFields(JsonNode obj) {
    JsonNode meta = obj.path("metadata");
    if (meta.isObject() && meta.has("managedFields")) {
      ObjectNode copy = ((ObjectNode) obj).deepCopy();
      ((ObjectNode) copy.get("metadata")).remove("managedFields");
      return copy;
    }
    JsonNode items = obj.path("items");
    if (items.isArray()) {
      ObjectNode copy = null;
      for (int i = 0; i < items.size(); i++) {
        JsonNode m = items.get(i).path("metadata");
        if (m.isObject() && m.has("managedFields")) {
          if (copy == null) {
            copy = ((ObjectNode) obj).deepCopy();
          }
          ((ObjectNode) copy.get("items").get(i).get("metadata")).remove("managedFields");
        }
      }
      return copy != null ? copy : obj;
    }
    return obj;
  }

  private static ObjectNode user(UserInfo u) {
    ObjectNode n = NODES.objectNode();
    n.put("username", u.name());
    if (u.uid() != null && !u.uid().isEmpty()) {
      n.put("uid", u.uid());
    }
    if (!u.groups().isEmpty()) {
      ArrayNode g = n.putArray("groups");
      u.groups().forEach(g::add);
    }
    if (u.extra() != null && !u.extra().isEmpty()) {
      ObjectNode x = n.putObject("extra");
      u.extra().forEach((k, v) -> {
        ArrayNode a = x.putArray(k);
        v.forEach(a::add);
      });
    }
    return n;
  }
}

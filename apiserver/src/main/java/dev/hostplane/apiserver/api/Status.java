package dev.hostplane.apiserver.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * An immutable {@code metav1.Status}: the one shape every failure takes on the wire. Copy-on-write: each
 * {@code with*} returns a new value.
 */
public record Status(
    int code,
    String reason,
    String message,
    Details details) {

  /** {@code status.details}; any field may be null. */
  public record Details(String name, String group, String kind, String uid, List<Cause> causes,
      Integer retryAfterSeconds) {
    public static final Details NONE = new Details(null, null, null, null, List.of(), null);

    public Details {
      causes = causes == null ? List.of() : List.copyOf(causes);
    }

    public Details withCause(Cause cause) {
      List<Cause> all = new ArrayList<>(causes);
      all.add(cause);
      return new Details(name, group, kind, uid, all, retryAfterSeconds);
    }
  }

  /** {@code status.details.causes[]}: reason is a CauseType such as {@code FieldValueInvalid}. */
  public record Cause(String reason, String message, String field) {}

  public Status {
    details = details == null ? Details.NONE : details;
  }

  public static Status of(int code, String reason, String message) {
    return new Status(code, reason, message, Details.NONE);
  }

  public Status withMessage(String newMessage) {
    return new Status(code, reason, newMessage, details);
  }

  public Status withDetails(Details newDetails) {
    return new Status(code, reason, message, newDetails);
  }

  public Status withCause(Cause cause) {
    return new Status(code, reason, message, details.withCause(cause));
  }

  public Status withRetryAfter(int seconds) {
    return new Status(code, reason, message, new Details(details.name(), details.group(), details.kind(),
        details.uid(), details.causes(), seconds));
  }

  /** A Success status, as returned by some deletes. */
  public static ObjectNode success(Details details) {
    ObjectNode node = base("Success");
    if (details != null && details != Details.NONE) {
      node.set("details", detailsNode(details));
    }
    return node;
  }

  /** The JSON form: {@code {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",...}}. */
  public ObjectNode toJson() {
    ObjectNode node = base("Failure");
    if (message != null) {
      node.put("message", message);
    }
    if (reason != null && !reason.isEmpty()) {
      node.put("reason", reason);
    }
    if (details != Details.NONE) {
      node.set("details", detailsNode(details));
    }
    node.put("code", code);
    return node;
  }

  private static ObjectNode base(String status) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("kind", "Status");
    node.put("apiVersion", "v1");
    node.putObject("metadata");
    node.put("status", status);
    return node;
  }

  private static ObjectNode detailsNode(Details d) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    if (d.name() != null) node.put("name", d.name());
    if (d.group() != null) node.put("group", d.group());
    if (d.kind() != null) node.put("kind", d.kind());
    if (d.uid() != null) node.put("uid", d.uid());
    if (!d.causes().isEmpty()) {
      ArrayNode causes = node.putArray("causes");
      for (Cause c : d.causes()) {
        ObjectNode cn = causes.addObject();
        if (c.reason() != null) cn.put("reason", c.reason());
        if (c.message() != null) cn.put("message", c.message());
        if (c.field() != null) cn.put("field", c.field());
      }
    }
    if (d.retryAfterSeconds() != null) node.put("retryAfterSeconds", d.retryAfterSeconds());
    return node;
  }
}

package dev.hostplane.apiserver.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.authz.Authorizer;
import dev.hostplane.apiserver.discovery.Discovery;
import dev.hostplane.apiserver.filter.RequestInfo;
import java.util.List;
import java.util.Map;

/**
 * The review resources, answered by the current authenticator and authorizer and never stored:
 * {@code authorization.k8s.io/v1} SelfSubjectAccessReview and SelfSubjectRulesReview (kubectl auth can-i),
 * SubjectAccessReview (any user, cluster-scoped) and LocalSubjectAccessReview (any user, in the URL's namespace),
 * and {@code authentication.k8s.io/v1,v1beta1} SelfSubjectReview (kubectl auth whoami). Create only; 201 with the
 * review and its status.
 */
public final class ReviewHandler {
  public static final List<Discovery.ExtraResource> RESOURCES = List.of(
      new Discovery.ExtraResource("authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview", false,
          List.of("create")),
      new Discovery.ExtraResource("authentication.k8s.io", "v1beta1", "selfsubjectreviews", "SelfSubjectReview",
          false, List.of("create")),
      new Discovery.ExtraResource("authorization.k8s.io", "v1", "selfsubjectaccessreviews",
          "SelfSubjectAccessReview", false, List.of("create")),
      new Discovery.ExtraResource("authorization.k8s.io", "v1", "selfsubjectrulesreviews",
          "SelfSubjectRulesReview", false, List.of("create")),
      new Discovery.ExtraResource("authorization.k8s.io", "v1", "subjectaccessreviews",
          "SubjectAccessReview", false, List.of("create")),
      new Discovery.ExtraResource("authorization.k8s.io", "v1", "localsubjectaccessreviews",
          "LocalSubjectAccessReview", true, List.of("create")));

  private final Authorizer authorizer;
  private final BodyDecoder decoder;

  /** Decodes a request body (JSON, YAML, protobuf) into a tree. */
  @FunctionalInterface
  public interface BodyDecoder {
    ObjectNode decode(Request req);
  }

  public ReviewHandler(Authorizer authorizer, BodyDecoder decoder) {
    this.authorizer = authorizer;
    this.decoder = decoder;
  }

  /** True when this handler serves the request's resource. */
  public boolean serves(RequestInfo info) {
    return RESOURCES.stream().anyMatch(r -> r.group().equals(info.group()) && r.version().equals(info.version())
        && r.resource().equals(info.resource()));
  }

  public void serve(Request req) {
    RequestInfo info = req.info();
    Discovery.ExtraResource r = RESOURCES.stream().filter(x -> x.group().equals(info.group())
        && x.version().equals(info.version()) && x.resource().equals(info.resource())).findFirst().orElseThrow();
    if (!info.namespace().isEmpty() != r.namespaced()) {
      throw ApiException.notFoundPath();
    }
    if (!info.verb().equals("create") || !info.name().isEmpty() || !info.subresource().isEmpty()) {
      throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
    }
    ObjectNode review = decoder.decode(req);
    String kind = review.path("kind").asText("");
    if (!kind.isEmpty() && !kind.equals(r.kind())) {
      throw ApiException.badRequest("the kind of the provided object (" + kind + ") does not match the kind of "
          + "the resource (" + r.kind() + ")");
    }
    review.put("apiVersion", r.group() + "/" + r.version());
    review.put("kind", r.kind());
    if (!review.has("metadata")) {
      review.putObject("metadata");
    }
    ((ObjectNode) review.get("metadata")).putNull("creationTimestamp");
    UserInfo user = req.user();
    switch (r.kind()) {
      case "SelfSubjectReview" -> review.set("status", userInfo(user));
      case "SelfSubjectAccessReview" -> review.set("status", access(r.kind(), user, review.path("spec")));
      case "SubjectAccessReview", "LocalSubjectAccessReview" -> {
        JsonNode spec = review.path("spec");
        validateSubject(r.kind(), info.namespace(), review);
        review.set("status", access(r.kind(), subject(spec), spec));
      }
      case "SelfSubjectRulesReview" -> {
        String ns = review.path("spec").path("namespace").asText("");
        review.set("status", authorizer.rules(user, ns));
      }
      default -> throw new IllegalStateException(r.kind());
    }
    Responses.write(req, 201, review);
  }

  private static ObjectNode userInfo(UserInfo user) {
    ObjectNode status = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
    ObjectNode ui = status.putObject("userInfo");
    ui.put("username", user.name());
    if (!user.uid().isEmpty()) {
      ui.put("uid", user.uid());
    }
    ArrayNode groups = ui.putArray("groups");
    user.groups().forEach(groups::add);
    if (!user.extra().isEmpty()) {
      ObjectNode extra = ui.putObject("extra");
      for (Map.Entry<String, List<String>> e : user.extra().entrySet()) {
        ArrayNode values = extra.putArray(e.getKey());
        e.getValue().forEach(values::add);
      }
    }
    return status;
  }

  /** The user a SubjectAccessReview asks about: spec.user, spec.groups, spec.uid and spec.extra. */
  private static UserInfo subject(JsonNode spec) {
    List<String> groups = new java.util.ArrayList<>();
    spec.path("groups").forEach(g -> groups.add(g.asText()));
    Map<String, List<String>> extra = new java.util.LinkedHashMap<>();
    spec.path("extra").fields().forEachRemaining(e -> {
      List<String> values = new java.util.ArrayList<>();
      e.getValue().forEach(v -> values.add(v.asText()));
      extra.put(e.getKey(), values);
    });
    return new UserInfo(spec.path("user").asText(""), spec.path("uid").asText(""), groups, extra);
  }

  /** Upstream's SubjectAccessReview and LocalSubjectAccessReview validation. */
  private static void validateSubject(String kind, String urlNamespace, ObjectNode review) {
    JsonNode spec = review.path("spec");
    List<Status.Cause> causes = new java.util.ArrayList<>();
    if (kind.equals("LocalSubjectAccessReview")) {
      if (spec.path("nonResourceAttributes").isObject()) {
        causes.add(new Status.Cause("FieldValueInvalid", "Invalid value: \"" + spec.path("nonResourceAttributes")
            + "\": disallowed on this kind of request", "spec.nonResourceAttributes"));
      }
      String metaNs = review.path("metadata").path("namespace").asText("");
      if (!metaNs.isEmpty() && !metaNs.equals(urlNamespace)) {
        throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on "
            + "the request");
      }
      String attrNs = spec.path("resourceAttributes").path("namespace").asText("");
      if (spec.path("resourceAttributes").isObject() && !attrNs.equals(urlNamespace)) {
        throw ApiException.badRequest("spec.resourceAttributes.namespace must match namespace: " + urlNamespace);
      }
      ((ObjectNode) review.get("metadata")).put("namespace", urlNamespace);
    }
    if (spec.path("user").asText("").isEmpty() && spec.path("groups").size() == 0) {
      causes.add(new Status.Cause("FieldValueInvalid", "Invalid value: \"\": at least one of user or group must be "
          + "specified", "spec.user"));
    }
    if (!causes.isEmpty()) {
      throw ApiException.invalid("authorization.k8s.io", kind, "", causes);
    }
  }

  private ObjectNode access(String kind, UserInfo user, JsonNode spec) {
    JsonNode res = spec.path("resourceAttributes");
    JsonNode nonRes = spec.path("nonResourceAttributes");
    if (res.isObject() == nonRes.isObject()) {
      String why = res.isObject() ? "cannot be specified in combination with resourceAttributes"
          : "exactly one of nonResourceAttributes or resourceAttributes must be specified";
      String field = res.isObject() ? "spec.nonResourceAttributes" : "spec.resourceAttributes";
      throw ApiException.invalid("authorization.k8s.io", kind, "", List.of(new Status.Cause(
          "FieldValueInvalid", "Invalid value: \"null\": " + why, field)));
    }
    RequestInfo asked;
    if (res.isObject()) {
      asked = new RequestInfo(true, "", res.path("verb").asText(""), "apis", res.path("group").asText(""),
          res.path("version").asText(""), res.path("namespace").asText(""), res.path("resource").asText(""),
          res.path("subresource").asText(""), res.path("name").asText(""), List.of());
    } else {
      asked = new RequestInfo(false, nonRes.path("path").asText(""), nonRes.path("verb").asText(""), "", "", "", "",
          "", "", "", List.of());
    }
    Authorizer.Decision d = authorizer.authorize(user, asked);
    ObjectNode status = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
    status.put("allowed", d == Authorizer.Decision.ALLOW);
    if (d == Authorizer.Decision.DENY) {
      status.put("denied", true);
    }
    return status;
  }
}

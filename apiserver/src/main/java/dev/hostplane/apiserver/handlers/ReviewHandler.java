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
 * The self-review resources, answered by the current authenticator and authorizer and never stored:
 * {@code authorization.k8s.io/v1} SelfSubjectAccessReview and SelfSubjectRulesReview (kubectl auth can-i) and
 * {@code authentication.k8s.io/v1,v1beta1} SelfSubjectReview (kubectl auth whoami). Create only; 201 with the review
 * and its status.
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
          "SelfSubjectRulesReview", false, List.of("create")));

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
    if (!info.verb().equals("create") || !info.name().isEmpty() || !info.subresource().isEmpty()
        || !info.namespace().isEmpty()) {
      throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
    }
    Discovery.ExtraResource r = RESOURCES.stream().filter(x -> x.group().equals(info.group())
        && x.version().equals(info.version()) && x.resource().equals(info.resource())).findFirst().orElseThrow();
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
      case "SelfSubjectAccessReview" -> review.set("status", access(user, review.path("spec")));
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

  private ObjectNode access(UserInfo user, JsonNode spec) {
    JsonNode res = spec.path("resourceAttributes");
    JsonNode nonRes = spec.path("nonResourceAttributes");
    if (res.isObject() == nonRes.isObject()) {
      throw ApiException.invalid("authorization.k8s.io", "SelfSubjectAccessReview", "", List.of(new Status.Cause(
          "FieldValueInvalid", "Invalid value: \"null\": exactly one of nonResourceAttributes or "
              + "resourceAttributes must be specified", "spec.resourceAttributes")));
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
    return status;
  }
}

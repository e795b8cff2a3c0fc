package dev.hostplane.webhook.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.admission.Attributes;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.registry.ResourceType;
import java.util.List;
import java.util.Map;

/** AdmissionReview requests (admission.k8s.io v1 and v1beta1) and the checks on their responses. */
public final class Reviews {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final String GROUP = "admission.k8s.io";

  private Reviews() {}

  /** The group, version and kind of an object as the webhook sees it, and of the request as the client made it. */
  public record Gvk(String group, String version, String kind) {
    ObjectNode json() {
      return NODES.objectNode().put("group", group).put("version", version).put("kind", kind);
    }
  }

  /**
   * The {@code request} of an AdmissionReview. {@code view} is the type the webhook matched (the request's own, or
   * an equivalent version), {@code kind} the kind of the object sent.
   */
  public static ObjectNode request(String uid, Attributes a, ResourceType view, Gvk kind, Gvk requestKind,
      ObjectNode object, ObjectNode oldObject) {
    ObjectNode r = NODES.objectNode();
    r.put("uid", uid);
    r.set("kind", kind.json());
    r.set("resource", NODES.objectNode().put("group", view.group()).put("version", view.version())
        .put("resource", view.resource()));
    if (!a.subresource().isEmpty()) {
      r.put("subResource", a.subresource());
    }
    r.set("requestKind", requestKind.json());
    ResourceType req = a.type();
    r.set("requestResource", NODES.objectNode().put("group", req.group()).put("version", req.version())
        .put("resource", req.resource()));
    if (!a.subresource().isEmpty()) {
      r.put("requestSubResource", a.subresource());
    }
    if (a.name() != null && !a.name().isEmpty()) {
      r.put("name", a.name());
    }
    String namespace = namespaceOf(a);
    if (!namespace.isEmpty()) {
      r.put("namespace", namespace);
    }
    r.put("operation", a.operation().name());
    r.set("userInfo", userInfo(a.user()));
    r.set("object", object == null ? NODES.nullNode() : object);
    r.set("oldObject", oldObject == null ? NODES.nullNode() : oldObject);
    r.put("dryRun", a.dryRun());
    r.set("options", a.options() == null ? NODES.nullNode() : a.options());
    return r;
  }

  /** The namespace of the request: a Namespace object's own name, as upstream sets it. */
  static String namespaceOf(Attributes a) {
    if (a.type().group().isEmpty() && a.type().resource().equals("namespaces") && a.subresource().isEmpty()) {
      return a.name() == null ? "" : a.name();
    }
    return a.namespace() == null ? "" : a.namespace();
  }

  static ObjectNode userInfo(UserInfo u) {
    ObjectNode o = NODES.objectNode();
    o.put("username", u.name());
    if (u.uid() != null && !u.uid().isEmpty()) {
      o.put("uid", u.uid());
    }
    if (!u.groups().isEmpty()) {
      ArrayNode g = o.putArray("groups");
      u.groups().forEach(g::add);
    }
    if (u.extra() != null && !u.extra().isEmpty()) {
      ObjectNode extra = o.putObject("extra");
      for (Map.Entry<String, List<String>> e : u.extra().entrySet()) {
        ArrayNode values = extra.putArray(e.getKey());
        e.getValue().forEach(values::add);
      }
    }
    return o;
  }

  /** The whole review to send. */
  public static ObjectNode review(String version, ObjectNode request) {
    ObjectNode o = NODES.objectNode();
    o.put("kind", "AdmissionReview");
    o.put("apiVersion", GROUP + "/" + version);
    o.set("request", request);
    return o;
  }

  /** A checked response: allowed, the Status of a denial, the patch (mutating only), warnings, annotations. */
  public record Verdict(boolean allowed, JsonNode status, JsonNode patch, List<String> warnings,
      Map<String, String> auditAnnotations) {}

  /**
   * Upstream's VerifyAdmissionResponse: the response must be present, echo {@code uid}, carry the request's
   * apiVersion and kind, and pair {@code patch} with {@code patchType: JSONPatch} (mutating webhooks only).
   * Throws {@link IllegalArgumentException} with upstream's reason otherwise.
   */
  public static Verdict verify(JsonNode review, String version, String uid, boolean mutating) {
    JsonNode response = review.get("response");
    if (response == null || response.isNull()) {
      throw new IllegalArgumentException("webhook response was absent");
    }
    String got = response.path("uid").asText("");
    if (!got.equals(uid)) {
      throw new IllegalArgumentException("expected response.uid=\"" + uid + "\", got \"" + got + "\"");
    }
    String apiVersion = review.path("apiVersion").asText("");
    String kind = review.path("kind").asText("");
    if (!apiVersion.equals(GROUP + "/" + version) || !kind.equals("AdmissionReview")) {
      throw new IllegalArgumentException("expected webhook response of " + GROUP + "/" + version
          + ", Kind=AdmissionReview, got " + apiVersion + ", Kind=" + kind);
    }
    String patchType = response.path("patchType").asText("");
    String patch = response.path("patch").asText("");
    if (!mutating && (!patch.isEmpty() || !patchType.isEmpty())) {
      throw new IllegalArgumentException(patch.isEmpty() ? "validating webhook may not return response.patchType"
          : "validating webhook may not return response.patch");
    }
    if (!patch.isEmpty() && patchType.isEmpty()) {
      throw new IllegalArgumentException("webhook returned response.patch but not response.patchType");
    }
    if (!patchType.isEmpty() && !patchType.equals("JSONPatch")) {
      throw new IllegalArgumentException("webhook returned invalid response.patchType of \"" + patchType + "\"");
    }
    JsonNode patchDoc = null;
    if (!patch.isEmpty()) {
      byte[] raw;
      try {
        raw = java.util.Base64.getDecoder().decode(patch);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("illegal base64 data in response.patch");
      }
      try {
        patchDoc = dev.hostplane.apiserver.api.Codecs.readTree(raw, dev.hostplane.apiserver.api.MediaType.JSON);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("response.patch is not valid JSON");
      }
    }
    List<String> warnings = new java.util.ArrayList<>();
    response.path("warnings").forEach(w -> warnings.add(w.asText()));
    Map<String, String> annotations = new java.util.LinkedHashMap<>();
    response.path("auditAnnotations").fields().forEachRemaining(e -> annotations.put(e.getKey(),
        e.getValue().asText()));
    return new Verdict(response.path("allowed").asBoolean(false), response.get("status"), patchDoc,
        List.copyOf(warnings), annotations);
  }
}

package dev.hostplane.apiserver.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.MediaType;
import dev.hostplane.apiserver.api.protobuf.KubeProtobuf;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.Times;
import dev.hostplane.apiserver.authn.Authentication;
import dev.hostplane.apiserver.authn.ObjectLookup;
import dev.hostplane.apiserver.authn.ServiceAccountTokens;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.discovery.Discovery;
import dev.hostplane.apiserver.filter.RequestInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What authentication serves, never stored: the TokenRequest subresource
 * ({@code POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token}), {@code authentication.k8s.io/v1}
 * TokenReview, and the service account issuer discovery documents ({@code /.well-known/openid-configuration},
 * {@code /openid/v1/jwks}). Called on API worker threads; object lookups may block briefly.
 */
public final class AuthenticationHandler {
  /** The create-only resources served here, for discovery. */
  public static final List<Discovery.ExtraResource> RESOURCES = List.of(
      new Discovery.ExtraResource("authentication.k8s.io", "v1", "tokenreviews", "TokenReview", false,
          List.of("create")));
  static final String OPENID_CONFIGURATION = "/.well-known/openid-configuration";
  static final String JWKS = "/openid/v1/jwks";
  private static final String CACHE_CONTROL = "public, max-age=3600";

  private final Authentication authentication;
  private final ServiceAccountTokens tokens;
  private final ObjectLookup objects;
  private final java.util.function.Supplier<String> jwksUri;
  private final byte[] jwks;

  /**
   * @param jwksUri the {@code jwks_uri} of the discovery document ({@code --service-account-jwks-uri}, else
   *     {@code https://<advertised host:port>/openid/v1/jwks})
   */
  public AuthenticationHandler(Authentication authentication, ServiceAccountTokens tokens, ObjectLookup objects,
      java.util.function.Supplier<String> jwksUri) {
    this.authentication = authentication;
    this.tokens = tokens;
    this.objects = objects;
    this.jwksUri = jwksUri;
    // Upstream serves issuer discovery only for an https issuer URL.
    this.jwks = tokens.issuer().startsWith("https://") ? Codecs.writeJson(tokens.keys().jwks()) : null;
  }

  private byte[] openIdConfiguration() {
    ObjectNode doc = Codecs.mapper().createObjectNode();
    doc.put("issuer", tokens.issuer());
    doc.put("jwks_uri", jwksUri.get());
    doc.putArray("response_types_supported").add("id_token");
    doc.putArray("subject_types_supported").add("public");
    ArrayNode algs = doc.putArray("id_token_signing_alg_values_supported");
    tokens.keys().algorithms().forEach(algs::add);
    return Codecs.writeJson(doc);
  }

  /** True for the resource requests served here. */
  public boolean serves(RequestInfo info) {
    if (!info.resourceRequest()) {
      return false;
    }
    if (info.group().isEmpty() && info.version().equals("v1") && info.resource().equals("serviceaccounts")
        && info.subresource().equals("token")) {
      return true;
    }
    return info.group().equals("authentication.k8s.io") && info.version().equals("v1")
        && info.resource().equals("tokenreviews");
  }

  /** True for the non-resource paths served here. */
  public static boolean servesPath(String path) {
    return path.equals(OPENID_CONFIGURATION) || path.equals(JWKS);
  }

  public void serve(Request req) {
    RequestInfo info = req.info();
    if (info.resource().equals("tokenreviews")) {
      if (!info.verb().equals("create") || !info.name().isEmpty() || !info.subresource().isEmpty()) {
        throw methodNotAllowed();
      }
      if (!info.namespace().isEmpty()) {
        throw ApiException.badRequest("namespace is not allowed on this type");
      }
      tokenReview(req);
    } else {
      if (!info.verb().equals("create") || info.name().isEmpty()) {
        throw methodNotAllowed();
      }
      tokenRequest(req, info.namespace(), info.name());
    }
  }

  /** The discovery documents; 404 when the issuer is not an https URL, as upstream. */
  public void servePath(Request req) {
    if (!req.exchange().method().equals("GET") && !req.exchange().method().equals("HEAD")) {
      throw methodNotAllowed();
    }
    if (jwks == null) {
      throw ApiException.notFoundPath();
    }
    byte[] body = req.path().equals(JWKS) ? jwks : openIdConfiguration();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", req.path().equals(JWKS) ? "application/jwk-set+json" : "application/json");
    headers.put("Cache-Control", CACHE_CONTROL);
    req.exchange().respond(200, headers, body);
  }

  private void tokenReview(Request req) {
    ObjectNode review = ResourceHandler.decodeAny(req);
    checkKind(review, "TokenReview");
    String token = review.path("spec").path("token").asText("");
    if (token.isEmpty()) {
      throw ApiException.badRequest("token is required for TokenReview in authentication");
    }
    List<String> audiences = strings(review.path("spec").path("audiences"));
    Authentication.Review r = authentication.review(token, audiences);
    review.put("apiVersion", "authentication.k8s.io/v1");
    review.put("kind", "TokenReview");
    ObjectNode meta = review.has("metadata") && review.get("metadata").isObject()
        ? (ObjectNode) review.get("metadata") : review.putObject("metadata");
    meta.putNull("creationTimestamp");
    ObjectNode status = review.putObject("status");
    status.put("authenticated", r.authenticated());
    if (r.authenticated()) {
      status.set("user", user(r.user()));
      ArrayNode auds = status.putArray("audiences");
      r.audiences().forEach(auds::add);
    }
    if (!r.error().isEmpty()) {
      status.put("error", r.error());
    }
    write(req, review);
  }

  private void tokenRequest(Request req, String ns, String name) {
    ObjectNode body = ResourceHandler.decodeAny(req);
    checkKind(body, "TokenRequest");
    JsonNode spec = body.path("spec");
    long expiration = spec.path("expirationSeconds").isNumber() ? spec.path("expirationSeconds").asLong() : 3600;
    List<Status.Cause> causes = new ArrayList<>();
    if (expiration < ServiceAccountTokens.MIN_EXPIRATION_SECONDS) {
      causes.add(new Status.Cause("FieldValueInvalid", "Invalid value: " + expiration + ": may not specify a "
          + "duration less than 10 minutes", "spec.expirationSeconds"));
    } else if (expiration > ServiceAccountTokens.MAX_EXPIRATION_SECONDS) {
      causes.add(new Status.Cause("FieldValueInvalid", "Invalid value: " + expiration + ": may not specify a "
          + "duration larger than 2^32 seconds", "spec.expirationSeconds"));
    }
    String bodyName = body.path("metadata").path("name").asText("");
    if (!bodyName.isEmpty() && !bodyName.equals(name)) {
      causes.add(0, new Status.Cause("FieldValueInvalid", "Invalid value: \"" + bodyName + "\": must match the "
          + "service account name if specified", "metadata.name"));
    }
    String bodyNamespace = body.path("metadata").path("namespace").asText("");
    if (!bodyNamespace.isEmpty() && !bodyNamespace.equals(ns)) {
      causes.add(0, new Status.Cause("FieldValueInvalid", "Invalid value: \"" + bodyNamespace + "\": must match "
          + "the service account namespace if specified", "metadata.namespace"));
    }
    if (!causes.isEmpty()) {
      throw ApiException.invalid("authentication.k8s.io", "TokenRequest", name, causes);
    }
    ObjectNode sa = objects.find("serviceaccounts", ns, name);
    if (sa == null) {
      throw ApiException.notFound("", "serviceaccounts", name);
    }
    List<String> audiences = strings(spec.path("audiences"));
    if (audiences.isEmpty()) {
      audiences = tokens.apiAudiences();
    }
    ServiceAccountTokens.Ref pod = null;
    ServiceAccountTokens.Ref secret = null;
    ServiceAccountTokens.Ref node = null;
    JsonNode ref = spec.path("boundObjectRef");
    if (ref.isObject()) {
      String kind = ref.path("kind").asText("");
      String apiVersion = ref.path("apiVersion").asText("");
      String refName = ref.path("name").asText("");
      String refUid = ref.path("uid").asText("");
      String resource = switch (apiVersion.equals("v1") ? kind : "") {
        case "Pod" -> "pods";
        case "Secret" -> "secrets";
        case "Node" -> "nodes";
        default -> throw ApiException.badRequest("cannot bind token for object of type "
            + (apiVersion.contains("/") ? apiVersion : "/" + apiVersion) + ", Kind=" + kind);
      };
      ObjectNode target = objects.find(resource, kind.equals("Node") ? "" : ns, refName);
      if (target == null) {
        throw ApiException.notFound("", resource, refName);
      }
      String uid = target.path("metadata").path("uid").asText("");
      if (!refUid.isEmpty() && !refUid.equals(uid)) {
        throw ApiException.conflict("", kind, refName, "the UID in the bound object reference (" + refUid
            + ") does not match the UID in record. The object might have been deleted and then recreated");
      }
      switch (kind) {
        case "Pod" -> {
          String podSa = target.path("spec").path("serviceAccountName").asText("");
          if (!podSa.equals(name)) {
            throw ApiException.badRequest("cannot bind token for serviceaccount \"" + name + "\" to pod running "
                + "with different serviceaccount name.");
          }
          pod = new ServiceAccountTokens.Ref(refName, uid);
          String nodeName = target.path("spec").path("nodeName").asText("");
          if (!nodeName.isEmpty()) {
            ObjectNode n = objects.find("nodes", "", nodeName);
            if (n != null) {
              node = new ServiceAccountTokens.Ref(nodeName, n.path("metadata").path("uid").asText(""));
            }
          }
        }
        case "Secret" -> secret = new ServiceAccountTokens.Ref(refName, uid);
        default -> node = new ServiceAccountTokens.Ref(refName, uid);
      }
      ((ObjectNode) ref).put("uid", uid);
    }
    ServiceAccountTokens.Issued issued = tokens.issue(new ServiceAccountTokens.Grant(ns, name,
        sa.path("metadata").path("uid").asText(""), audiences, expiration, pod, secret, node));

    ObjectNode out = Codecs.mapper().createObjectNode();
    out.put("kind", "TokenRequest");
    out.put("apiVersion", "authentication.k8s.io/v1");
    ObjectNode meta = out.putObject("metadata");
    meta.put("name", name);
    meta.put("namespace", ns);
    meta.putNull("creationTimestamp"); // not stored, as upstream
    ObjectNode outSpec = out.putObject("spec");
    ArrayNode auds = outSpec.putArray("audiences");
    audiences.forEach(auds::add);
    outSpec.put("expirationSeconds", issued.expirationSeconds());
    if (ref.isObject()) {
      outSpec.set("boundObjectRef", ref);
    } else {
      outSpec.putNull("boundObjectRef");
    }
    ObjectNode status = out.putObject("status");
    status.put("token", issued.token());
    status.put("expirationTimestamp", Times.formatTime(issued.expiration()));
    write(req, out);
  }

  /** 201 with {@code body}, in Kubernetes protobuf when the client prefers it (kubelets do), else as negotiated. */
  private static void write(Request req, ObjectNode body) {
    String accept = req.exchange().header("Accept");
    if (accept != null) {
      for (MediaType m : MediaType.parseAccept(accept)) {
        String t = m.type() + "/" + m.subtype();
        if (t.equals(KubeProtobuf.MEDIA_TYPE) && m.parameter("as") == null) {
          Responses.write(req, 201, body, Responses.Format.PROTOBUF);
          return;
        }
        if (t.equals("application/json") || t.equals("application/yaml") || t.equals("*/*")
            || t.equals("application/*")) {
          break;
        }
      }
    }
    Responses.write(req, 201, body);
  }

  private static ObjectNode user(UserInfo u) {
    ObjectNode n = Codecs.mapper().createObjectNode();
    n.put("username", u.name());
    if (!u.uid().isEmpty()) {
      n.put("uid", u.uid());
    }
    ArrayNode groups = n.putArray("groups");
    u.groups().forEach(groups::add);
    if (!u.extra().isEmpty()) {
      ObjectNode extra = n.putObject("extra");
      u.extra().forEach((k, vs) -> {
        ArrayNode a = extra.putArray(k);
        vs.forEach(a::add);
      });
    }
    return n;
  }

  private static void checkKind(ObjectNode body, String kind) {
    String k = body.path("kind").asText("");
    if (!k.isEmpty() && !k.equals(kind)) {
      throw ApiException.badRequest("the kind of the provided object (" + k + ") does not match the kind of the "
          + "resource (" + kind + ")");
    }
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n.isArray()) {
      n.forEach(x -> out.add(x.asText()));
    }
    return out;
  }

  private static ApiException methodNotAllowed() {
    return ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
  }
}

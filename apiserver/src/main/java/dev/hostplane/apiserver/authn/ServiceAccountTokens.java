package dev.hostplane.apiserver.authn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.Times;
import dev.hostplane.apiserver.authn.internal.Jws;
import dev.hostplane.apiserver.authn.internal.VerifiedTokens;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Service account tokens, as upstream's: issues bound tokens (TokenRequest) signed with the signing key, and
 * authenticates bound and legacy (secret-based) tokens signed by any verification key.
 *
 * <p>A bound token carries {@code iss}, {@code sub} ({@code system:serviceaccount:<ns>:<name>}), {@code aud},
 * {@code exp}, {@code iat}, {@code nbf}, {@code jti} and the private {@code kubernetes.io} claim (namespace,
 * serviceaccount, and the pod, secret or node it is bound to). It is valid within its times (one minute of leeway,
 * as upstream), for the audiences it names, while its service account and bound object exist with the uids it
 * names (an object being deleted for more than a minute no longer counts). A legacy token (issuer
 * {@code kubernetes/serviceaccount}) is valid while its secret exists and holds exactly that token.
 *
 * <p>Signatures are verified once per token (a bounded cache keyed by the token's SHA-256); times and objects are
 * checked on every use. Time comes from the injected clock. Thread-safe.
 */
public final class ServiceAccountTokens implements TokenAuthenticator {
  public static final String LEGACY_ISSUER = "kubernetes/serviceaccount";
  public static final String DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";
  public static final String PREFIX = "system:serviceaccount:";
  public static final String ALL_SERVICE_ACCOUNTS = "system:serviceaccounts";
  public static final String EXTRA_POD_NAME = "authentication.kubernetes.io/pod-name";
  public static final String EXTRA_POD_UID = "authentication.kubernetes.io/pod-uid";
  public static final String EXTRA_NODE_NAME = "authentication.kubernetes.io/node-name";
  public static final String EXTRA_NODE_UID = "authentication.kubernetes.io/node-uid";
  public static final String EXTRA_CREDENTIAL_ID = "authentication.kubernetes.io/credential-id";
  /** Upstream's bounds on a requested token's lifetime. */
  public static final long MIN_EXPIRATION_SECONDS = 600;
  public static final long MAX_EXPIRATION_SECONDS = 1L << 32;
  private static final long LEEWAY_SECONDS = 60;
  /** The lifetime kubelets ask for pod tokens; with extension on, such tokens live a year but warn after it. */
  public static final long WARN_ONLY_EXPIRATION_SECONDS = 3607;
  public static final long EXTENDED_EXPIRATION_SECONDS = 365L * 24 * 60 * 60;
  private static final String K8S = "kubernetes.io";

  private final ServiceAccountKeys keys;
  private final List<String> issuers;
  private final List<String> apiAudiences;
  private final Duration maxExpiration;
  private final boolean extendExpiration;
  private final ObjectLookup objects;
  private final Clock clock;
  private final VerifiedTokens verified = new VerifiedTokens(4096);

  /**
   * @param issuers {@code --service-account-issuer}: the first issues, all are accepted
   * @param apiAudiences {@code --api-audiences}: a token request without audiences gets these
   * @param maxExpiration {@code --service-account-max-token-expiration}; zero for no cap
   */
  public ServiceAccountTokens(ServiceAccountKeys keys, List<String> issuers, List<String> apiAudiences,
      Duration maxExpiration, ObjectLookup objects, Clock clock) {
    this(keys, issuers, apiAudiences, maxExpiration, false, objects, clock);
  }

  /**
   * @param extendExpiration {@code --service-account-extend-token-expiration}: a pod-bound token for the API
   *     audiences requested for 3607 s (what kubelets ask) lives a year, with {@code warnafter} at 3607 s
   */
  public ServiceAccountTokens(ServiceAccountKeys keys, List<String> issuers, List<String> apiAudiences,
      Duration maxExpiration, boolean extendExpiration, ObjectLookup objects, Clock clock) {
    if (issuers.isEmpty()) {
      throw new IllegalArgumentException("at least one issuer is required");
    }
    this.keys = keys;
    this.issuers = List.copyOf(issuers);
    this.apiAudiences = List.copyOf(apiAudiences);
    this.maxExpiration = maxExpiration;
    this.extendExpiration = extendExpiration;
    this.objects = objects;
    this.clock = clock;
  }

  public String issuer() {
    return issuers.get(0);
  }

  public List<String> apiAudiences() {
    return apiAudiences;
  }

  public ServiceAccountKeys keys() {
    return keys;
  }

  /** A name and uid of an object a token is bound to. */
  public record Ref(String name, String uid) {}

  /** What a token is issued for; {@code pod}, {@code secret} and {@code node} may be null. */
  public record Grant(String namespace, String serviceAccount, String serviceAccountUid, List<String> audiences,
      long expirationSeconds, Ref pod, Ref secret, Ref node) {
    public Grant {
      audiences = List.copyOf(audiences);
    }
  }

  /**
   * An issued token, and when it expires as the TokenRequest reports it ({@code expirationSeconds} after issue;
   * an extended token lives longer but warns then).
   */
  public record Issued(String token, Instant expiration, long expirationSeconds) {}

  /**
   * The lifetime a request for {@code requested} seconds gets: capped by {@code --service-account-max-token-
   * expiration} when set.
   */
  public long effectiveExpiration(long requested) {
    long max = maxExpiration.getSeconds();
    return max > 0 && requested > max ? max : requested;
  }

  /** Signs a bound token for {@code grant} (already validated by the caller). */
  public Issued issue(Grant grant) {
    Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
    long lifetime = effectiveExpiration(grant.expirationSeconds());
    List<String> audiences = grant.audiences().isEmpty() ? apiAudiences : grant.audiences();
    Instant warnAfter = null;
    Instant exp = now.plusSeconds(lifetime);
    if (extendExpiration && grant.pod() != null && lifetime == WARN_ONLY_EXPIRATION_SECONDS
        && new java.util.HashSet<>(audiences).equals(new java.util.HashSet<>(apiAudiences))) {
      warnAfter = exp;
      exp = now.plusSeconds(Math.max(EXTENDED_EXPIRATION_SECONDS, maxExpiration.getSeconds()));
    }
    ObjectNode claims = Codecs.mapper().createObjectNode();
    var aud = claims.putArray("aud");
    audiences.forEach(aud::add);
    claims.put("exp", exp.getEpochSecond());
    claims.put("iat", now.getEpochSecond());
    claims.put("iss", issuer());
    claims.put("jti", UUID.randomUUID().toString());
    ObjectNode k = claims.putObject(K8S);
    k.put("namespace", grant.namespace());
    if (grant.node() != null) {
      ref(k.putObject("node"), grant.node());
    }
    if (grant.pod() != null) {
      ref(k.putObject("pod"), grant.pod());
    }
    if (grant.secret() != null) {
      ref(k.putObject("secret"), grant.secret());
    }
    ref(k.putObject("serviceaccount"), new Ref(grant.serviceAccount(), grant.serviceAccountUid()));
    if (warnAfter != null) {
      k.put("warnafter", warnAfter.getEpochSecond());
    }
    claims.put("nbf", now.getEpochSecond());
    claims.put("sub", PREFIX + grant.namespace() + ":" + grant.serviceAccount());
    return new Issued(Jws.sign(claims, keys.signingKey(), keys.signingKeyId()), now.plusSeconds(lifetime),
        lifetime);
  }

  /**
   * Signs a legacy secret-based token (what upstream's token controller stores in a
   * {@code kubernetes.io/service-account-token} Secret): no expiry, no audience.
   */
  public String issueLegacy(String namespace, String serviceAccount, String serviceAccountUid, String secretName) {
    ObjectNode claims = Codecs.mapper().createObjectNode();
    claims.put("iss", LEGACY_ISSUER);
    claims.put("kubernetes.io/serviceaccount/namespace", namespace);
    claims.put("kubernetes.io/serviceaccount/secret.name", secretName);
    claims.put("kubernetes.io/serviceaccount/service-account.name", serviceAccount);
    claims.put("kubernetes.io/serviceaccount/service-account.uid", serviceAccountUid);
    claims.put("sub", PREFIX + namespace + ":" + serviceAccount);
    return Jws.sign(claims, keys.signingKey(), keys.signingKeyId());
  }

  @Override
  public Optional<Result> authenticate(String token, List<String> audiences) {
    JsonNode claims = verified.get(token);
    if (claims == null) {
      Jws.Parsed parsed;
      try {
        parsed = Jws.parse(token);
      } catch (IllegalArgumentException e) {
        return Optional.empty(); // not a JWT: someone else's token
      }
      String iss = parsed.payload().path("iss").asText("");
      if (!iss.equals(LEGACY_ISSUER) && !issuers.contains(iss)) {
        return Optional.empty(); // not issued here
      }
      boolean ok = false;
      for (PublicKey key : keys.verificationKeys()) {
        if (Jws.verify(parsed, key)) {
          ok = true;
          break;
        }
      }
      if (!ok) {
        throw new AuthenticationException("error in cryptographic primitive");
      }
      claims = parsed.payload();
      verified.put(token, claims);
    }
    if (claims.path("iss").asText("").equals(LEGACY_ISSUER)) {
      return Optional.of(new Result(legacy(token, claims), audiences));
    }
    try {
      checkTimes(claims);
    } catch (AuthenticationException e) {
      verified.remove(token);
      throw e;
    }
    List<String> tokenAudiences = strings(claims.path("aud"));
    List<String> valid = Audiences.intersect(tokenAudiences, audiences);
    if (valid.isEmpty()) {
      throw new AuthenticationException("token audiences " + Audiences.quoted(tokenAudiences)
          + " is invalid for the target audiences " + Audiences.quoted(audiences));
    }
    return Optional.of(new Result(bound(claims), valid));
  }

  private void checkTimes(JsonNode claims) {
    long now = clock.instant().getEpochSecond();
    if (claims.has("nbf") && now + LEEWAY_SECONDS < claims.path("nbf").asLong()) {
      throw new AuthenticationException("service account token is not valid yet");
    }
    if (claims.has("exp") && now - LEEWAY_SECONDS > claims.path("exp").asLong()) {
      throw new AuthenticationException("service account token has expired");
    }
    if (claims.has("iat") && now + LEEWAY_SECONDS < claims.path("iat").asLong()) {
      throw new AuthenticationException("service account token is issued in the future");
    }
  }

  private UserInfo bound(JsonNode claims) {
    JsonNode k = claims.path(K8S);
    String ns = k.path("namespace").asText("");
    String saName = k.path("serviceaccount").path("name").asText("");
    String saUid = k.path("serviceaccount").path("uid").asText("");
    if (ns.isEmpty() || saName.isEmpty()) {
      throw new AuthenticationException("service account token claims could not be validated");
    }
    if (!claims.path("sub").asText("").equals(PREFIX + ns + ":" + saName)) {
      throw new AuthenticationException("sub claim is invalid");
    }
    Instant invalidIfDeletedBefore = clock.instant().minusSeconds(LEEWAY_SECONDS);
    ObjectNode sa = require("serviceaccounts", ns, saName);
    if (!uid(sa).equals(saUid)) {
      throw new AuthenticationException("service account UID (" + uid(sa) + ") does not match claim (" + saUid
          + ")");
    }
    Map<String, List<String>> extra = new LinkedHashMap<>();
    JsonNode secretRef = k.path("secret");
    if (secretRef.isObject()) {
      ObjectNode secret = require("secrets", ns, secretRef.path("name").asText(""));
      if (deletedBefore(secret, invalidIfDeletedBefore)) {
        throw new AuthenticationException("service account token has been invalidated");
      }
      if (!uid(secret).equals(secretRef.path("uid").asText(""))) {
        throw new AuthenticationException("secret UID (" + uid(secret) + ") does not match service account secret "
            + "ref claim (" + secretRef.path("uid").asText("") + ")");
      }
    }
    JsonNode podRef = k.path("pod");
    if (podRef.isObject()) {
      ObjectNode pod = require("pods", ns, podRef.path("name").asText(""));
      if (deletedBefore(pod, invalidIfDeletedBefore)) {
        throw new AuthenticationException("service account token has been invalidated");
      }
      if (!uid(pod).equals(podRef.path("uid").asText(""))) {
        throw new AuthenticationException("pod UID (" + uid(pod) + ") does not match service account pod ref claim ("
            + podRef.path("uid").asText("") + ")");
      }
      extra.put(EXTRA_POD_NAME, List.of(podRef.path("name").asText("")));
      extra.put(EXTRA_POD_UID, List.of(podRef.path("uid").asText("")));
    }
    JsonNode nodeRef = k.path("node");
    if (nodeRef.isObject()) {
      // A node claim embedded beside a pod is informational (upstream checks it only for node-bound tokens).
      if (!podRef.isObject()) {
        ObjectNode node = require("nodes", "", nodeRef.path("name").asText(""));
        if (!uid(node).equals(nodeRef.path("uid").asText(""))) {
          throw new AuthenticationException("node UID (" + uid(node) + ") does not match service account node ref "
              + "claim (" + nodeRef.path("uid").asText("") + ")");
        }
      }
      extra.put(EXTRA_NODE_NAME, List.of(nodeRef.path("name").asText("")));
      if (!nodeRef.path("uid").asText("").isEmpty()) {
        extra.put(EXTRA_NODE_UID, List.of(nodeRef.path("uid").asText("")));
      }
    }
    if (deletedBefore(sa, invalidIfDeletedBefore)) {
      throw new AuthenticationException("service account token has been invalidated");
    }
    String jti = claims.path("jti").asText("");
    if (!jti.isEmpty()) {
      extra.put(EXTRA_CREDENTIAL_ID, List.of("JTI=" + jti));
    }
    return user(ns, saName, saUid, extra);
  }

  private UserInfo legacy(String token, JsonNode claims) {
    String ns = claims.path("kubernetes.io/serviceaccount/namespace").asText("");
    String secretName = claims.path("kubernetes.io/serviceaccount/secret.name").asText("");
    String saName = claims.path("kubernetes.io/serviceaccount/service-account.name").asText("");
    String saUid = claims.path("kubernetes.io/serviceaccount/service-account.uid").asText("");
    if (ns.isEmpty()) {
      throw new AuthenticationException("namespace claim is required");
    }
    if (secretName.isEmpty()) {
      throw new AuthenticationException("secretName claim is required");
    }
    if (saName.isEmpty()) {
      throw new AuthenticationException("serviceAccountName claim is required");
    }
    if (saUid.isEmpty()) {
      throw new AuthenticationException("serviceAccountUID claim is required");
    }
    if (!claims.path("sub").asText("").equals(PREFIX + ns + ":" + saName)) {
      throw new AuthenticationException("sub claim is invalid");
    }
    ObjectNode secret = objects.find("secrets", ns, secretName);
    if (secret == null || secret.path("metadata").has("deletionTimestamp")) {
      throw new AuthenticationException("Token has been invalidated");
    }
    String stored = secret.path("data").path("token").asText("");
    byte[] storedToken;
    try {
      storedToken = Base64.getDecoder().decode(stored);
    } catch (IllegalArgumentException e) {
      storedToken = new byte[0];
    }
    if (!java.security.MessageDigest.isEqual(storedToken, token.getBytes(StandardCharsets.UTF_8))) {
      throw new AuthenticationException("Token does not match server's copy");
    }
    ObjectNode sa = require("serviceaccounts", ns, saName);
    if (sa.path("metadata").has("deletionTimestamp")) {
      throw new AuthenticationException("ServiceAccount " + ns + "/" + saName + " has been deleted");
    }
    if (!uid(sa).equals(saUid)) {
      throw new AuthenticationException("ServiceAccount UID (" + uid(sa) + ") does not match claim (" + saUid + ")");
    }
    return user(ns, saName, saUid, Map.of());
  }

  /** A service account's user: its name, uid, and groups {@code system:serviceaccounts(:<ns>)}. */
  public static UserInfo user(String namespace, String name, String uid, Map<String, List<String>> extra) {
    List<String> groups = new ArrayList<>(List.of(ALL_SERVICE_ACCOUNTS, ALL_SERVICE_ACCOUNTS + ":" + namespace,
        UserInfo.AUTHENTICATED));
    return new UserInfo(PREFIX + namespace + ":" + name, uid, groups, extra);
  }

  private ObjectNode require(String resource, String ns, String name) {
    ObjectNode o = objects.find(resource, ns, name);
    if (o == null) {
      throw new AuthenticationException(resource + " \"" + name + "\" not found");
    }
    return o;
  }

  private static boolean deletedBefore(ObjectNode o, Instant before) {
    String ts = o.path("metadata").path("deletionTimestamp").asText("");
    return !ts.isEmpty() && Times.parse(ts).isBefore(before);
  }

  private static String uid(ObjectNode o) {
    return o.path("metadata").path("uid").asText("");
  }

  private static void ref(ObjectNode target, Ref ref) {
    target.put("name", ref.name());
    target.put("uid", ref.uid());
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n.isTextual()) {
      out.add(n.asText());
    } else if (n.isArray()) {
      n.forEach(x -> out.add(x.asText()));
    }
    return out;
  }
}

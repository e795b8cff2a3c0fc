package dev.hostplane.apiserver.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.MediaType;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.authn.Authentication;
import dev.hostplane.apiserver.authn.Impersonation;
import dev.hostplane.apiserver.audit.AuditContext;
import dev.hostplane.apiserver.audit.AuditPolicy;
import dev.hostplane.apiserver.audit.Auditor;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.authz.Authorizer;
import dev.hostplane.apiserver.discovery.Discovery;
import dev.hostplane.apiserver.discovery.Version;
import dev.hostplane.apiserver.filter.RequestInfo;
import dev.hostplane.apiserver.proxy.ProxyHandler;
import dev.hostplane.apiserver.health.HealthChecks;
import dev.hostplane.apiserver.metrics.ApiMetrics;
import dev.hostplane.apiserver.openapi.OpenApiDocuments;
import dev.hostplane.apiserver.server.HttpExchange;
import dev.hostplane.apiserver.server.HttpHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's entry point for every HTTP exchange. {@link #serve} is the whole request chain, outermost
 * first: in-flight accounting (429 once shutdown began) -> audit ID -> request info -> probabilistic GOAWAY ->
 * metering -> request deadline -> authentication (401) -> audit (policy, RequestReceived) -> impersonation (403)
 * -> max in flight (429) -> authorization -> routing (health, version, discovery, OpenAPI, issuer discovery,
 * authentication and review resources, resources).
 *
 * <p>Threading: {@link #handle} runs on the event loop and only hands the exchange to the API executor.
 */
public final class ApiHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  static final String DISCOVERY_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
  static final String DISCOVERY_V2BETA1 =
      "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

  private final Executor executor;
  private final Authorizer authorizer;
  private final Discovery discovery;
  private final HealthChecks health;
  private final OpenApiDocuments openApi;
  private final ResourceHandler resources;
  private final ReviewHandler reviews;
  private final ApiMetrics metrics;
  private final InflightRequests inflight;
  private final GoawayChance goaway;
  private final RequestLimits limits;
  private final MaxInflightLimit maxInflight;
  private final Authentication authentication;
  private final Impersonation impersonation;
  private final AuthenticationHandler authn;
  private final Auditor auditor;
  private final ProxyHandler proxies;
  /** The user of an audit event for a request that failed authentication. */
  private static final UserInfo UNAUTHENTICATED = new UserInfo("", "", List.of(), Map.of());

  /**
   * @param authentication the authenticator chain
   * @param authn TokenRequest, TokenReview and the issuer discovery documents
   * @param inflight the in-flight accounting the shutdown sequence drains
   * @param goaway {@code --goaway-chance}
   * @param limits the in-flight limits and the request timeout
   * @param auditor the audit policy and log, or null when auditing is off
   * @param proxies logs, exec, attach, port-forward and the proxy subresources (to kubelets, pods, services)
   */
  public ApiHandler(Executor executor, Authentication authentication, Authorizer authorizer,
      AuthenticationHandler authn, Discovery discovery, HealthChecks health, OpenApiDocuments openApi,
      ResourceHandler resources, ApiMetrics metrics, InflightRequests inflight, GoawayChance goaway,
      RequestLimits limits, Auditor auditor, ProxyHandler proxies) {
    this.proxies = proxies;
    this.authentication = authentication;
    this.impersonation = new Impersonation(authorizer);
    this.authn = authn;
    this.auditor = auditor;
    this.inflight = inflight;
    this.goaway = goaway;
    this.limits = limits;
    this.maxInflight = new MaxInflightLimit(limits, metrics);
    this.metrics = metrics;
    this.reviews = new ReviewHandler(authorizer, req -> ResourceHandler.decodeAny(req));
    this.executor = executor;
    this.authorizer = authorizer;
    this.discovery = discovery;
    this.health = health;
    this.openApi = openApi;
    this.resources = resources;
  }

  @Override
  public void handle(HttpExchange exchange) {
    try {
      // Thread hop: from the event loop to an API worker.
      executor.execute(() -> serve(exchange));
    } catch (RejectedExecutionException e) {
      exchange.respond(503, Map.of("Content-Type", "application/json", "Retry-After", "1"),
          dev.hostplane.apiserver.api.Codecs.writeJson(
              Status.of(503, "ServiceUnavailable", "the server is shutting down").toJson()));
    }
  }

  /** The request chain, outermost first. Never throws: every failure becomes a Status response. */
  void serve(HttpExchange raw) {
    ServingExchange admitted = inflight.admit(raw);
    if (admitted == null) {
      return; // refused: the server is shutting down
    }
    Instant received = Instant.now();
    MeteredExchange metered = new MeteredExchange(admitted);
    AuditingExchange audited = new AuditingExchange(metered, auditId(raw));
    GuardedExchange exchange = new GuardedExchange(audited); // a 504 at the deadline is audited too
    Request req = null;
    try {
      req = Request.of(exchange);
      if (goaway.decide(raw.protocol(), longRunning(req.info()))) {
        admitted.goAwayAfterResponse();
      }
      metered.begin(metrics.begin(req.info()));
      if (!longRunning(req.info())) {
        Duration timeout = requestTimeout(req);
        exchange.deadline(timeout);
        req.deadline(received.plus(timeout));
      }
      UserInfo authenticated;
      try {
        authenticated = authentication.authenticate(exchange.peerCertificates(), exchange.header("Authorization"),
            req.path());
      } catch (ApiException e) {
        // Upstream audits failed authentication too: no user, the 401 as the response status.
        audit(req, audited, received, UNAUTHENTICATED, null);
        throw e;
      }
      req.user(authenticated, authenticated); // known even when impersonation is refused
      UserInfo effective;
      ApiException refused = null;
      try {
        effective = impersonation.apply(authenticated,
            Impersonation.headers(exchange::headers, exchange::headerNames));
      } catch (ApiException e) {
        effective = authenticated;
        refused = e;
      }
      audit(req, audited, received, authenticated, effective == authenticated ? null : effective);
      if (refused != null) {
        throw refused;
      }
      req.user(authenticated, effective);
      exchange.releaseOnAnswer(maxInflight.acquire(req.info(), effective));
      authorize(req);
      route(req);
    } catch (Throwable t) {
      AuditContext audit = req == null ? null : req.audit();
      if (audit != null && !(Responses.unwrap(t) instanceof ApiException)) {
        audit.panic(Responses.unwrap(t));
      }
      if (req == null) {
        Status s = Responses.statusOf(t, null);
        exchange.respond(s.code(), Map.of("Content-Type", "application/json"),
            dev.hostplane.apiserver.api.Codecs.writeJson(s.toJson()));
      } else {
        Responses.writeError(req, t);
      }
    }
  }

  /**
   * {@code --request-timeout}, or the request's shorter {@code ?timeout=} (a Go duration, as upstream's request
   * deadline filter reads it; one that does not parse is 400).
   */
  private Duration requestTimeout(Request req) {
    String t = req.param("timeout");
    if (t == null || t.isEmpty()) {
      return limits.requestTimeout();
    }
    Duration asked;
    try {
      asked = dev.hostplane.apiserver.config.Flags.parseDuration(t);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid timeout specified in the request URL: \"" + t + "\"");
    }
    if (asked.isNegative() || asked.isZero() || asked.compareTo(limits.requestTimeout()) > 0) {
      return limits.requestTimeout();
    }
    return asked;
  }

  /** The client's {@code Audit-ID} header when it sent one, else a new random UUID. */
  private static String auditId(HttpExchange raw) {
    String given = raw.header("Audit-ID");
    return given != null && !given.isBlank() ? given : UUID.randomUUID().toString();
  }

  /**
   * Evaluates the audit policy for the authenticated request and emits RequestReceived: the policy matches the
   * authenticated {@code user}; {@code impersonated} is the user it acts as (null: none).
   */
  private void audit(Request req, AuditingExchange exchange, Instant received, UserInfo user,
      UserInfo impersonated) {
    if (auditor == null) {
      return;
    }
    RequestInfo info = req.info();
    AuditContext.Subject subject = new AuditContext.Subject(exchange.auditId(), exchange.uri(), info,
        exchange.method(), user, impersonated, sourceIps(exchange), exchange.header("User-Agent"));
    AuditPolicy.Attributes attributes = new AuditPolicy.Attributes(user.name(), user.groups(),
        info.resourceRequest() ? info.verb() : exchange.method().toLowerCase(java.util.Locale.ROOT),
        info.resourceRequest(), info.group(), info.resource(), info.subresource(), info.namespace(), info.name(),
        info.path());
    AuditContext ctx = auditor.begin(subject, attributes, received);
    if (ctx == null) {
      return;
    }
    ctx.requestObject(() -> AuditBodies.decode(exchange));
    req.audit(ctx);
    exchange.begin(ctx);
    if (!ctx.requestReceived() && auditor.strict()) {
      throw ApiException.internal("the audit event of this request could not be recorded");
    }
  }

  /** Upstream's source IPs: the X-Forwarded-For chain, then X-Real-Ip, then the peer, without repeats. */
  static List<String> sourceIps(HttpExchange exchange) {
    java.util.LinkedHashSet<String> ips = new java.util.LinkedHashSet<>();
    String xff = exchange.header("X-Forwarded-For");
    if (xff != null) {
      for (String ip : xff.split(",")) {
        if (!ip.isBlank()) {
          ips.add(ip.trim());
        }
      }
    }
    String real = exchange.header("X-Real-Ip");
    if (real != null && !real.isBlank()) {
      ips.add(real.trim());
    }
    if (exchange.remoteAddress() != null && exchange.remoteAddress().getAddress() != null) {
      ips.add(exchange.remoteAddress().getAddress().getHostAddress());
    }
    return List.copyOf(ips);
  }

  /** Upstream's long-running requests: watches, proxies and the streaming subresources. */
  static boolean longRunning(RequestInfo info) {
    return info.verb().equals("watch") || info.verb().equals("proxy") || switch (info.subresource()) {
      case "attach", "exec", "proxy", "log", "portforward" -> true;
      default -> false;
    };
  }

  private void authorize(Request req) {
    RequestInfo info = req.info();
    boolean allowed = authorizer.authorize(req.user(), info) == Authorizer.Decision.ALLOW;
    if (req.audit() != null) {
      req.audit().annotate("authorization.k8s.io/decision", allowed ? "allow" : "forbid");
    }
    if (allowed) {
      return;
    }
    String user = req.user().name();
    String message;
    if (!info.resourceRequest()) {
      message = "forbidden: User \"" + user + "\" cannot " + info.verb() + " path \"" + info.path() + "\"";
    } else {
      String what = info.name().isEmpty() ? info.resourceWithSubresource()
          : info.resourceWithSubresource() + " \"" + info.name() + "\"";
      String where = info.namespace().isEmpty() ? " at the cluster scope"
          : " in the namespace \"" + info.namespace() + "\"";
      message = what + " is forbidden: User \"" + user + "\" cannot " + info.verb() + " resource \""
          + info.resourceWithSubresource() + "\" in API group \"" + info.group() + "\"" + where;
    }
    Status.Details details = info.resourceRequest()
        ? new Status.Details(info.name().isEmpty() ? null : info.name(), info.group(), info.resource(), null,
            null, null)
        : Status.Details.NONE;
    throw new ApiException(new Status(403, "Forbidden", message, details));
  }

  private void route(Request req) {
    RequestInfo info = req.info();
    if (info.resourceRequest()) {
      if (ProxyHandler.serves(info)) {
        var connectOptions = ProxyHandler.connectOptions(info, req.exchange().uri());
        if (connectOptions == null) {
          proxies.serve(req.exchange(), info); // pods/log: a read, no admission
          return;
        }
        // CONNECT admission (webhooks included) before anything is dialled; back on the API executor after it.
        resources.admitConnect(req, connectOptions).whenCompleteAsync((ok, err) -> {
          try {
            if (err != null) {
              throw err;
            }
            proxies.serve(req.exchange(), info);
          } catch (Throwable t) {
            Responses.writeError(req, t);
          }
        }, executor);
      } else if (reviews.serves(info)) {
        reviews.serve(req);
      } else if (authn.serves(info)) {
        authn.serve(req);
      } else {
        resources.serve(req);
      }
      return;
    }
    if (AuthenticationHandler.servesPath(info.path())) {
      authn.servePath(req);
      return;
    }
    List<String> parts = info.parts();
    String first = parts.isEmpty() ? "" : parts.get(0);
    if (!req.exchange().method().equals("GET") && !req.exchange().method().equals("HEAD")) {
      throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
    }
    switch (first) {
      case "healthz", "livez", "readyz" -> health(req, first, parts);
      case "version" -> Responses.write(req, 200, Version.info(), Responses.Format.JSON);
      case "api" -> discoveryCore(req, parts);
      case "apis" -> discoveryGroups(req, parts);
      case "openapi" -> openApi(req, parts);
      case "metrics" -> {
        if (parts.size() != 1) {
          throw ApiException.notFoundPath();
        }
        req.exchange().respond(200, Map.of("Content-Type", "text/plain; version=0.0.4; charset=utf-8"),
            utf8(metrics.scrape()));
      }
      default -> throw ApiException.notFoundPath();
    }
  }

  private void health(Request req, String endpoint, List<String> parts) {
    if (parts.size() > 2) {
      throw ApiException.notFoundPath();
    }
    Set<String> excluded = new HashSet<>(req.params("exclude"));
    HealthChecks.Answer a = health.evaluate(endpoint, parts.size() == 2 ? parts.get(1) : null,
        req.has("verbose"), excluded);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "text/plain; charset=utf-8");
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put("Cache-Control", "no-cache, private");
    req.exchange().respond(a.code(), headers, a.bytes());
  }

  private void discoveryCore(Request req, List<String> parts) {
    if (parts.size() == 1) {
      String aggregated = aggregatedType(req);
      if (aggregated != null) {
        writeDiscovery(req, discovery.aggregated(true, apiVersionOf(aggregated)), aggregated);
      } else {
        Responses.write(req, 200, discovery.apiVersions(), Responses.Format.JSON);
      }
      return;
    }
    if (parts.size() == 2) {
      Responses.write(req, 200, discovery.apiResourceList("", parts.get(1))
          .orElseThrow(ApiException::notFoundPath), Responses.Format.JSON);
      return;
    }
    throw ApiException.notFoundPath();
  }

  private void discoveryGroups(Request req, List<String> parts) {
    switch (parts.size()) {
      case 1 -> {
        String aggregated = aggregatedType(req);
        if (aggregated != null) {
          writeDiscovery(req, discovery.aggregated(false, apiVersionOf(aggregated)), aggregated);
        } else {
          Responses.write(req, 200, discovery.apiGroupList(), Responses.Format.JSON);
        }
      }
      case 2 -> Responses.write(req, 200, discovery.apiGroup(parts.get(1))
          .orElseThrow(ApiException::notFoundPath), Responses.Format.JSON);
      case 3 -> Responses.write(req, 200, discovery.apiResourceList(parts.get(1), parts.get(2))
          .orElseThrow(ApiException::notFoundPath), Responses.Format.JSON);
      default -> throw ApiException.notFoundPath();
    }
  }

  /** The aggregated discovery media type the client prefers, or null for the legacy documents. */
  private static String aggregatedType(Request req) {
    String accept = req.exchange().header("Accept");
    if (accept == null) {
      return null;
    }
    for (MediaType m : MediaType.parseAccept(accept)) {
      if ("APIGroupDiscoveryList".equals(m.parameter("as")) && "apidiscovery.k8s.io".equals(m.parameter("g"))) {
        if ("v2".equals(m.parameter("v"))) {
          return DISCOVERY_V2;
        }
        if ("v2beta1".equals(m.parameter("v"))) {
          return DISCOVERY_V2BETA1;
        }
      }
      String t = m.type() + "/" + m.subtype();
      if (m.parameter("as") == null && (t.equals("application/json") || t.equals("*/*"))) {
        return null;
      }
    }
    return null;
  }

  private static String apiVersionOf(String mediaType) {
    return mediaType.equals(DISCOVERY_V2) ? "apidiscovery.k8s.io/v2" : "apidiscovery.k8s.io/v2beta1";
  }

  private static void writeDiscovery(Request req, ObjectNode doc, String contentType) {
    byte[] body = dev.hostplane.apiserver.api.Codecs.writeJson(doc);
    String etag = "\"" + Integer.toHexString(java.util.Arrays.hashCode(body)) + "\"";
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", contentType);
    headers.put("ETag", etag);
    headers.put("Cache-Control", "no-cache, private");
    headers.put("Vary", "Accept");
    if (etag.equals(req.exchange().header("If-None-Match"))) {
      req.exchange().respond(304, headers, new byte[0]);
      return;
    }
    req.exchange().respond(200, headers, body);
  }

  /**
   * {@code /openapi/v2} (gnostic protobuf when the Accept header asks for protobuf, else JSON), {@code /openapi/v3}
   * (the index) and {@code /openapi/v3/<group-version>}, as upstream's kube-openapi handlers serve them: ETags
   * with 304 on If-None-Match; a v3 document requested with its current {@code ?hash=} is immutable, with a stale
   * hash it redirects (301) to the current one.
   */
  private void openApi(Request req, List<String> parts) {
    String accept = req.exchange().header("Accept");
    if (parts.size() == 2 && parts.get(1).equals("v2")) {
      boolean protobuf = accept != null && accept.contains("protobuf");
      if (!protobuf && accept != null && !accept.isBlank() && !accept.contains("json") && !accept.contains("*/*")) {
        throw ApiException.notAcceptable("only application/json and "
            + "application/com.github.proto-openapi.spec.v2@v1.0+protobuf are served for /openapi/v2");
      }
      OpenApiDocuments.Document d = protobuf ? openApi.v2Protobuf() : openApi.v2Json();
      writeOpenApi(req, d, protobuf ? OpenApiDocuments.V2_PROTOBUF : "application/json", "no-cache, private");
      return;
    }
    if (parts.size() == 2 && parts.get(1).equals("v3")) {
      req.exchange().respond(200, Map.of("Content-Type", "application/json", "Cache-Control",
          "no-cache, private"), openApi.v3Index());
      return;
    }
    if (parts.size() > 2 && parts.get(1).equals("v3")) {
      String key = String.join("/", parts.subList(2, parts.size()));
      OpenApiDocuments.Document d = openApi.v3(key).orElse(null);
      if (d == null) {
        LOG.debug("no OpenAPI v3 document for {}", key);
        throw ApiException.notFoundPath();
      }
      if (accept != null && !accept.isBlank() && !accept.contains("json") && !accept.contains("*/*")
          && !accept.contains("application/*")) {
        throw ApiException.notAcceptable("only application/json is served for /openapi/v3");
      }
      String hash = req.param("hash");
      if (hash != null && !hash.isEmpty() && !hash.equals(d.hash())) {
        req.exchange().respond(301, Map.of("Location", "/openapi/v3/" + key + "?hash=" + d.hash(),
            "Cache-Control", "no-cache, private"), new byte[0]);
        return;
      }
      writeOpenApi(req, d, "application/json", hash == null || hash.isEmpty() ? "no-cache, private"
          : "public, immutable");
      return;
    }
    LOG.debug("no OpenAPI document at {}", req.path());
    throw ApiException.notFoundPath();
  }

  private static void writeOpenApi(Request req, OpenApiDocuments.Document d, String contentType, String cache) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", contentType);
    headers.put("ETag", d.etag());
    headers.put("Cache-Control", cache);
    headers.put("Vary", "Accept");
    if (cache.startsWith("public")) {
      headers.put("Expires", java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
          java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusYears(1)));
    }
    if (d.etag().equals(req.exchange().header("If-None-Match"))) {
      req.exchange().respond(304, headers, new byte[0]);
      return;
    }
    req.exchange().respond(200, headers, d.bytes());
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

package dev.hostplane.webhook.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.admission.Attributes;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.MediaType;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.patch.JsonPatch;
import dev.hostplane.apiserver.registry.ResourceCatalog;
import dev.hostplane.apiserver.registry.ResourceType;
import dev.hostplane.apiserver.registry.VersionConverter;
import dev.hostplane.konnectivity.Dialer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's webhook dispatchers. Mutating: webhooks one after another in order (configurations by name, then
 * list order), each patch applied before the next call; once more, for {@code reinvocationPolicy: IfNeeded}
 * webhooks, when a later webhook changed the object. Validating: every matching webhook at once, the first refusal
 * wins. A webhook that cannot be called refuses the request under {@code failurePolicy: Fail} (500 InternalError,
 * {@code failed calling webhook "<name>": ...}) and is skipped under {@code Ignore} (counted as failing open).
 *
 * <p>Threading: called on any thread; never blocks. Results are handed from the network loops to
 * {@code executor} before any decoding or patching.
 */
public final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final String ADMISSIONREGISTRATION = "admissionregistration.k8s.io";
  /** Configuration objects never sent to webhooks (so a broken webhook cannot lock its own removal out). */
  private static final Set<String> EXEMPT = Set.of("mutatingwebhookconfigurations",
      "validatingwebhookconfigurations", "validatingadmissionpolicies", "validatingadmissionpolicybindings",
      "mutatingadmissionpolicies", "mutatingadmissionpolicybindings");

  private final Sources sources;
  private final WebhookClient client;
  private final WebhookMetrics metrics;
  private final Executor executor;
  private final ResourceCatalog catalog;
  private final Dialer cluster;
  private final Dialer controlplane;
  private final WebhookCredentials credentials;

  public Dispatcher(Sources sources, WebhookClient client, WebhookMetrics metrics, Executor executor,
      ResourceCatalog catalog, Dialer cluster, Dialer controlplane, WebhookCredentials credentials) {
    this.sources = sources;
    this.client = client;
    this.metrics = metrics;
    this.executor = executor;
    this.catalog = catalog;
    this.cluster = cluster;
    this.controlplane = controlplane;
    this.credentials = credentials;
  }

  /** A webhook's call failing (upstream's ErrCallingWebhook): failurePolicy decides. */
  static final class CallFailure extends RuntimeException {
    final int code;

    CallFailure(String webhook, String reason, int code) {
      super("failed calling webhook \"" + webhook + "\": " + reason, null, false, false);
      this.code = code;
    }
  }

  /** What one matching webhook is sent: the version it matched, the objects in it, the review request. */
  private record Match(Webhook hook, ResourceType view, ObjectNode request, String uid) {}

  static boolean exempt(Attributes a) {
    return a.type().group().equals(ADMISSIONREGISTRATION) && EXEMPT.contains(a.type().resource());
  }

  // ------------------------------------------------------------------------------------------- mutating

  public CompletionStage<Void> mutate(Attributes a) {
    List<Webhook> hooks = sources.mutating();
    if (hooks.isEmpty() || exempt(a)) {
      return CompletableFuture.completedFuture(null);
    }
    MutationState state = new MutationState(hooks.size());
    return mutateFrom(a, hooks, 0, 0, state, null).thenCompose(v -> {
      List<Integer> again = new ArrayList<>();
      for (int i = 0; i < hooks.size(); i++) {
        if (hooks.get(i).reinvokeIfNeeded() && state.calledAt[i] >= 0 && state.calledAt[i] < state.changes) {
          again.add(i);
        }
      }
      return again.isEmpty() ? CompletableFuture.<Void>completedFuture(null)
          : mutateFrom(a, hooks, 0, 1, state, again);
    });
  }

  /** How often the object changed, and after which change each webhook was last called (-1: not called). */
  private static final class MutationState {
    volatile int changes;
    final int[] calledAt;

    MutationState(int n) {
      calledAt = new int[n];
      java.util.Arrays.fill(calledAt, -1);
    }
  }

  private CompletionStage<Void> mutateFrom(Attributes a, List<Webhook> hooks, int i, int round, MutationState state,
      List<Integer> only) {
    int n = only == null ? hooks.size() : only.size();
    if (i >= n) {
      return CompletableFuture.completedFuture(null);
    }
    int index = only == null ? i : only.get(i);
    Webhook hook = hooks.get(index);
    return match(hook, a).thenCompose(m -> {
      if (m == null) {
        return CompletableFuture.<Void>completedFuture(null);
      }
      return invoke(m, a, index, round).thenAccept(verdict -> {
        if (verdict != null && verdict.patch() != null && applyPatch(m, a, verdict.patch(), round, index)) {
          state.changes++;
        }
        state.calledAt[index] = state.changes;
      });
    }).thenCompose(v -> mutateFrom(a, hooks, i + 1, round, state, only));
  }

  /** Applies a webhook's patch to the object in the version it saw, then back; true when the object changed. */
  private boolean applyPatch(Match m, Attributes a, JsonNode patchDoc, int round, int index) {
    ObjectNode object = a.object();
    if (object == null) {
      return false; // DELETE and CONNECT have nothing to change
    }
    JsonPatch patch;
    try {
      patch = JsonPatch.of(patchDoc);
    } catch (ApiException e) {
      throw ApiException.internal(e.status().message());
    }
    ObjectNode sent = m.request().get("object") instanceof ObjectNode o ? o : object;
    JsonPatch.Result r = patch.tryApply(sent);
    if (!r.succeeded() || !r.document().isObject()) {
      throw ApiException.internal(r.error() == null ? "the patch of webhook \"" + m.hook().name()
          + "\" did not give an object" : r.error());
    }
    ObjectNode patched = (ObjectNode) r.document();
    if (patched.equals(sent)) {
      return false;
    }
    String apiVersion = object.path("apiVersion").asText(null);
    String kind = object.path("kind").asText(null);
    ObjectNode back = m.view().converter() == VersionConverter.IDENTITY || a.subresource().equals("scale") ? patched
        : m.view().converter().toStorage(patched);
    if (apiVersion != null) {
      back.put("apiVersion", apiVersion);
    }
    if (kind != null) {
      back.put("kind", kind);
    }
    if (back.equals(object)) {
      return false;
    }
    object.removeAll();
    object.setAll(back);
    a.context().addAuditAnnotation("mutation.webhook.admission.k8s.io/round_" + round + "_index_" + index,
        "{\"configuration\":\"" + m.hook().configuration() + "\",\"webhook\":\"" + m.hook().name()
            + "\",\"mutated\":true}");
    return true;
  }

  // ----------------------------------------------------------------------------------------- validating

  public CompletionStage<Void> validate(Attributes a) {
    List<Webhook> hooks = sources.validating();
    if (hooks.isEmpty() || exempt(a)) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    AtomicInteger left = new AtomicInteger(hooks.size());
    for (int i = 0; i < hooks.size(); i++) {
      int index = i;
      Webhook hook = hooks.get(i);
      match(hook, a).thenCompose(m -> m == null ? CompletableFuture.completedFuture(null)
              : invoke(m, a, index, 0))
          .whenComplete((v, err) -> {
            if (err != null) {
              result.completeExceptionally(unwrap(err)); // the first refusal wins
            } else if (left.decrementAndGet() == 0) {
              result.complete(null);
            }
          });
    }
    return result;
  }

  // ----------------------------------------------------------------------------------------- matching

  /**
   * Whether {@code hook} is called for this request: rules (the request's version, else with matchPolicy
   * Equivalent another version of the same resource), object selector (object or old object), namespace selector
   * (the namespace's labels; a Namespace's own), then matchConditions. Completes with null for no.
   */
  private CompletionStage<Match> match(Webhook hook, Attributes a) {
    ResourceType view = matchRules(hook, a);
    if (view == null || !objectSelected(hook, a)) {
      return CompletableFuture.completedFuture(null);
    }
    return namespaceLabels(hook, a).thenApply(labels -> {
      if (labels != null && !hook.namespaceSelector().matches(labels)) {
        return null;
      }
      String uid = UUID.randomUUID().toString();
      ObjectNode request = buildRequest(uid, a, view);
      if (hook.conditions() != null) {
        MatchConditions.Result r = hook.conditions().evaluate(obj(request.get("object")),
            obj(request.get("oldObject")), request);
        if (r.error() != null) {
          if (hook.failOpen()) {
            return null;
          }
          CallFailure f = new CallFailure(hook.name(), "failed to evaluate match conditions: " + r.error(), 500);
          metrics.rejection(hook.name(), hook.mutating(), a.operation().name(),
              WebhookMetrics.ErrorType.CALLING_WEBHOOK, f.code);
          throw internalError(f);
        }
        if (!r.matches()) {
          return null;
        }
      }
      if (a.dryRun() && !hook.sideEffects().equals("None") && !hook.sideEffects().equals("NoneOnDryRun")) {
        throw ApiException.badRequest("admission webhook \"" + hook.name() + "\" does not support dry run");
      }
      return new Match(hook, view, request, uid);
    });
  }

  private static ObjectNode obj(JsonNode n) {
    return n instanceof ObjectNode o ? o : null;
  }

  private ResourceType matchRules(Webhook hook, Attributes a) {
    String op = a.operation().name();
    ResourceType t = a.type();
    boolean namespaced = t.namespaced();
    if (RuleMatcher.matches(hook.rules(), op, t.group(), t.version(), t.resource(), a.subresource(), namespaced)) {
      return t;
    }
    if (hook.exactMatch()) {
      return null;
    }
    for (ResourceType other : catalog.byStorage(t.storageResource())) {
      if (other == t || (!a.subresource().isEmpty() && other.subresource(a.subresource()).isEmpty()
          && !a.subresource().equals("status"))) {
        continue;
      }
      if (RuleMatcher.matches(hook.rules(), op, other.group(), other.version(), other.resource(), a.subresource(),
          namespaced)) {
        return other;
      }
    }
    return null;
  }

  private static boolean objectSelected(Webhook hook, Attributes a) {
    if (hook.objectSelector().isEmpty()) {
      return true;
    }
    return labelsMatch(hook, a.object()) || labelsMatch(hook, a.oldObject());
  }

  private static boolean labelsMatch(Webhook hook, ObjectNode o) {
    return o != null && hook.objectSelector().matches(o.path("metadata").path("labels"));
  }

  /** The labels the namespace selector is checked against; null when it does not apply (cluster scope). */
  private CompletionStage<JsonNode> namespaceLabels(Webhook hook, Attributes a) {
    if (hook.namespaceSelector().isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    ResourceType t = a.type();
    if (t.group().isEmpty() && t.resource().equals("namespaces")) {
      ObjectNode self = a.object() != null && a.operation() != Attributes.Operation.CONNECT ? a.object()
          : a.oldObject();
      return CompletableFuture.completedFuture(self == null ? missing() : self.path("metadata").path("labels"));
    }
    String ns = a.namespace();
    if (!t.namespaced() || ns == null || ns.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return sources.namespace(ns).thenApply(namespace -> namespace.path("metadata").path("labels"));
  }

  private static JsonNode missing() {
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  private ObjectNode buildRequest(String uid, Attributes a, ResourceType view) {
    Reviews.Gvk requestKind;
    Reviews.Gvk kind;
    ObjectNode object;
    ObjectNode oldObject;
    if (a.operation() == Attributes.Operation.CONNECT) {
      ObjectNode options = a.object();
      String apiVersion = options == null ? "v1" : options.path("apiVersion").asText("v1");
      int slash = apiVersion.indexOf('/');
      kind = new Reviews.Gvk(slash < 0 ? "" : apiVersion.substring(0, slash), apiVersion.substring(slash + 1),
          options == null ? "" : options.path("kind").asText(""));
      requestKind = kind;
      object = options;
      oldObject = null;
    } else {
      kind = kindOf(view, a.subresource());
      requestKind = kindOf(a.type(), a.subresource());
      boolean scale = a.subresource().equals("scale"); // a Scale, the same in every version of the parent
      object = scale ? a.object() : inVersion(a.object(), view);
      oldObject = scale ? a.oldObject() : inVersion(a.oldObject(), view);
    }
    return Reviews.request(uid, a, view, kind, requestKind, object, oldObject);
  }

  private static Reviews.Gvk kindOf(ResourceType t, String subresource) {
    if (!subresource.isEmpty() && !subresource.equals("status")) {
      var sub = t.subresource(subresource);
      if (sub.isPresent() && sub.get().kind() != null && !sub.get().kind().isEmpty()) {
        return new Reviews.Gvk(sub.get().group() == null ? t.group() : sub.get().group(),
            sub.get().version() == null ? t.version() : sub.get().version(), sub.get().kind());
      }
    }
    return new Reviews.Gvk(t.group(), t.version(), t.kind());
  }

  /** A stored-version object as {@code view}'s version sees it (a copy when converted; else the same node). */
  private static ObjectNode inVersion(ObjectNode stored, ResourceType view) {
    if (stored == null) {
      return null;
    }
    if (view.converter() == VersionConverter.IDENTITY) {
      return stored;
    }
    ObjectNode o = view.converter().fromStorage(stored.deepCopy());
    o.put("apiVersion", view.apiVersion());
    o.put("kind", view.kind());
    return o;
  }

  // ------------------------------------------------------------------------------------------- calling

  /**
   * Calls one webhook and applies what its answer means for the request: a verdict when it allowed it (null when
   * it failed open), a failed stage when it refused it or could not be called under Fail.
   */
  private CompletionStage<Reviews.Verdict> invoke(Match m, Attributes a, int index, int round) {
    Webhook hook = m.hook();
    String op = a.operation().name();
    long start = System.nanoTime();
    return call(m, a).handle((verdict, err) -> {
      Duration latency = Duration.ofNanos(System.nanoTime() - start);
      if (err == null) {
        for (String w : verdict.warnings()) {
          a.context().addWarning(w);
        }
        for (Map.Entry<String, String> e : verdict.auditAnnotations().entrySet()) {
          a.context().addAuditAnnotation(hook.name() + "/" + e.getKey(), e.getValue());
        }
        if (verdict.allowed()) {
          metrics.observe(hook.name(), hook.mutating(), op, false, 200, latency);
          return verdict;
        }
        ApiException denial = denial(hook.name(), verdict.status());
        metrics.observe(hook.name(), hook.mutating(), op, true, denial.status().code(), latency);
        metrics.rejection(hook.name(), hook.mutating(), op, WebhookMetrics.ErrorType.NONE, denial.status().code());
        throw denial;
      }
      Throwable e = unwrap(err);
      if (e instanceof CallFailure f) {
        if (hook.failOpen()) {
          metrics.observe(hook.name(), hook.mutating(), op, false, f.code, latency);
          metrics.failOpen(hook.name(), hook.mutating());
          a.context().addAuditAnnotation("failed-open." + (hook.mutating() ? "mutation" : "validating")
              + ".webhook.admission.k8s.io/round_" + round + "_index_" + index, hook.name());
          LOG.warn("Failed calling webhook, failing open {}: {}", hook.name(), f.getMessage());
          return null;
        }
        metrics.observe(hook.name(), hook.mutating(), op, true, f.code, latency);
        metrics.rejection(hook.name(), hook.mutating(), op, WebhookMetrics.ErrorType.CALLING_WEBHOOK, f.code);
        LOG.warn("Failed calling webhook, failing closed {}: {}", hook.name(), f.getMessage());
        throw internalError(f);
      }
      metrics.observe(hook.name(), hook.mutating(), op, true, 0, latency);
      metrics.rejection(hook.name(), hook.mutating(), op, WebhookMetrics.ErrorType.INTERNAL, 0);
      throw e instanceof RuntimeException re ? re : new CompletionException(e);
    });
  }

  /** Upstream's NewInternalError around a call failure: 500, the failure as message and cause. */
  private static ApiException internalError(CallFailure f) {
    return new ApiException(new Status(500, "InternalError", "Internal error occurred: " + f.getMessage(),
        new Status.Details(null, null, null, null, List.of(new Status.Cause(null, f.getMessage(), null)), null)));
  }

  /** Upstream's ToStatusErr: the webhook's Status with the message prefixed, at least 400. */
  static ApiException denial(String name, JsonNode status) {
    String prefix = "admission webhook \"" + name + "\" denied the request";
    int code = status == null ? 0 : status.path("code").asInt(0);
    if (code < 400) {
      code = 400;
    }
    String message = status == null ? "" : status.path("message").asText("");
    String reason = status == null ? "" : status.path("reason").asText("");
    String full = !message.isEmpty() ? prefix + ": " + message
        : !reason.isEmpty() ? prefix + ": " + reason : prefix + " without explanation";
    Status.Details details = null;
    JsonNode d = status == null ? null : status.get("details");
    if (d != null && d.isObject()) {
      List<Status.Cause> causes = new ArrayList<>();
      d.path("causes").forEach(c -> causes.add(new Status.Cause(c.path("reason").asText(null),
          c.path("message").asText(null), c.path("field").asText(null))));
      details = new Status.Details(d.path("name").asText(null), d.path("group").asText(null),
          d.path("kind").asText(null), d.path("uid").asText(null), causes,
          d.hasNonNull("retryAfterSeconds") ? d.get("retryAfterSeconds").asInt() : null);
    }
    return new ApiException(new Status(code, reason, full, details));
  }

  /** One HTTP exchange with the webhook; fails with a {@link CallFailure} when it cannot be had or understood. */
  private CompletionStage<Reviews.Verdict> call(Match m, Attributes a) {
    Webhook hook = m.hook();
    Webhook.ClientConfig cc = hook.client();
    Duration timeout = Duration.ofSeconds(hook.timeoutSeconds());
    Instant deadline = a.context().deadline();
    if (deadline != null) {
      Duration left = Duration.between(Instant.now(), deadline);
      if (left.compareTo(timeout) < 0) {
        timeout = left;
      }
    }
    String url;
    WebhookClient.Target target;
    String hostHeader;
    String pathAndQuery;
    try {
      if (cc.isService()) {
        String path = cc.path() == null || cc.path().isEmpty() ? "/" : cc.path();
        pathAndQuery = path + "?timeout=" + goDuration(timeout);
        hostHeader = cc.serviceHost() + (cc.port() == 443 ? "" : ":" + cc.port());
        url = "https://" + cc.serviceHost() + ":" + cc.port() + pathAndQuery;
        Sources.Endpoint ep = sources.resolve(cc.serviceNamespace(), cc.serviceName(), cc.port());
        target = new WebhookClient.Target(cluster, ep.host(), ep.port(), cc.serviceHost(), cc.caBundle(),
            credentials.forHost(hook.mutating(), cc.serviceHost(), cc.port()));
      } else {
        URI u = URI.create(cc.url());
        int port = u.getPort() < 0 ? 443 : u.getPort();
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        pathAndQuery = path + "?timeout=" + goDuration(timeout);
        String host = u.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        hostHeader = u.getRawAuthority();
        url = "https://" + u.getRawAuthority() + pathAndQuery;
        target = new WebhookClient.Target(controlplane, host, port, host, cc.caBundle(),
            credentials.forHost(hook.mutating(), host, port));
      }
    } catch (WebhookClient.CallException e) {
      return CompletableFuture.failedFuture(new CallFailure(hook.name(), "failed to call webhook: "
          + e.getMessage(), 503));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new CallFailure(hook.name(), "failed to call webhook: "
          + e.getMessage(), 503));
    }
    if (timeout.isNegative() || timeout.isZero()) {
      return CompletableFuture.failedFuture(new CallFailure(hook.name(), "failed to call webhook: Post \"" + url
          + "\": context deadline exceeded", 503));
    }
    byte[] body = Codecs.writeJson(Reviews.review(hook.reviewVersion(), m.request()));
    String shownUrl = url;
    return client.post(target, hostHeader, pathAndQuery, body, timeout)
        // Thread hop: off the connection's event loop before decoding and patching.
        .handleAsync((response, err) -> {
          if (err != null) {
            Throwable e = unwrap(err);
            String reason = e instanceof WebhookClient.CallException ce ? ce.getMessage() : String.valueOf(e);
            throw new CallFailure(hook.name(), "failed to call webhook: Post \"" + shownUrl + "\": " + reason, 503);
          }
          if (response.status() != 200) {
            String text = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8).trim();
            if (text.length() > 256) {
              text = text.substring(0, 256);
            }
            throw new CallFailure(hook.name(), "failed to call webhook: an error on the server (\"" + text
                + "\") has prevented the request from succeeding", response.status());
          }
          JsonNode review;
          try {
            review = Codecs.readTree(response.body(), MediaType.JSON);
          } catch (RuntimeException e) {
            throw new CallFailure(hook.name(), "failed to call webhook: " + decodeError(e), 503);
          }
          if (!review.isObject()) {
            throw new CallFailure(hook.name(), "failed to call webhook: json: cannot unmarshal "
                + review.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                + " into Go value of type v1.AdmissionReview", 503);
          }
          try {
            return Reviews.verify(review, hook.reviewVersion(), m.uid(), hook.mutating());
          } catch (IllegalArgumentException e) {
            throw new CallFailure(hook.name(), "received invalid webhook response: " + e.getMessage(), 503);
          }
        }, executor);
  }

  private static String decodeError(RuntimeException e) {
    if (e instanceof ApiException ae) {
      return ae.status().message();
    }
    return e.getMessage();
  }

  /** A Go duration string: {@code 10s}, {@code 9.5s}, {@code 250ms}. */
  static String goDuration(Duration d) {
    long millis = d.toMillis();
    if (millis < 1000) {
      return Math.max(millis, 1) + "ms";
    }
    if (millis % 1000 == 0) {
      return (millis / 1000) + "s";
    }
    return java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + "s";
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}

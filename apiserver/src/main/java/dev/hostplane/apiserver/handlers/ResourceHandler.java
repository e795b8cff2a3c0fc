package dev.hostplane.apiserver.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.FieldSelector;
import dev.hostplane.apiserver.api.LabelSelector;
import dev.hostplane.apiserver.api.MediaType;
import dev.hostplane.apiserver.api.protobuf.KubeProtobuf;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.filter.RequestInfo;
import dev.hostplane.apiserver.patch.JsonPatch;
import dev.hostplane.apiserver.patch.MergePatch;
import dev.hostplane.apiserver.patch.StrategicMergePatch;
import dev.hostplane.apiserver.apply.FieldManager;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Options;
import dev.hostplane.apiserver.registry.ResourceCatalog;
import dev.hostplane.apiserver.registry.ResourceType;
import dev.hostplane.apiserver.printers.TableOptions;
import dev.hostplane.apiserver.registry.WatchSession;
import dev.hostplane.apiserver.registry.subresources.PodBinding;
import dev.hostplane.apiserver.registry.subresources.PodEviction;
import dev.hostplane.apiserver.registry.subresources.ScaleSubresource;
import dev.hostplane.apiserver.validation.FieldValidator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * Serves resource requests: maps the verb and subresource of a {@link RequestInfo} onto the resource's
 * {@link GenericStore}, decoding bodies and query options on the way in and encoding results on the way out.
 *
 * <p>Threading: called on an API worker thread; store futures complete on storage threads, where the response is
 * encoded and handed to the exchange (which queues the write onto the event loop).
 */
public final class ResourceHandler {
  static final String APPLY_PATCH = "application/apply-patch+yaml";
  static final String ACCEPTED_BODIES = "application/json, application/yaml, application/vnd.kubernetes.protobuf";
  private static final Set<String> PATCH_TYPES = Set.of("application/json-patch+json",
      "application/merge-patch+json", "application/strategic-merge-patch+json", APPLY_PATCH);

  private final ResourceCatalog catalog;
  private final Function<ResourceType, GenericStore> stores;
  private final ScheduledExecutorService timer;
  private final WatchSession.Timing timing;
  private final WatchRegistry watches;
  private final Views views;

  public ResourceHandler(ResourceCatalog catalog, Function<ResourceType, GenericStore> stores,
      ScheduledExecutorService timer, WatchSession.Timing timing, WatchRegistry watches, Views views) {
    this.views = views;
    this.catalog = catalog;
    this.stores = stores;
    this.timer = timer;
    this.timing = timing;
    this.watches = watches;
  }

  /** How many segments a resource path has: prefix, group, version, watch, namespace, resource, name, subresource. */
  static int pathLength(RequestInfo info) {
    List<String> parts = info.parts();
    int versionAt = info.apiPrefix().equals("apis") ? 2 : 1;
    boolean watchPrefix = parts.size() > versionAt + 1 && parts.get(versionAt + 1).equals("watch");
    boolean namespaced = !info.namespace().isEmpty() && !info.resource().equals("namespaces");
    return versionAt + 1 + (watchPrefix ? 1 : 0) + (namespaced ? 2 : 0) + 1 + (info.name().isEmpty() ? 0 : 1)
        + (info.subresource().isEmpty() ? 0 : 1);
  }

  /**
   * Runs admission for a CONNECT request (exec, attach, port-forward, the proxy subresources) of {@code info}'s
   * object, with {@code connectOptions} (e.g. a PodExecOptions) as the object. Fails with the refusal.
   */
  public java.util.concurrent.CompletionStage<Void> admitConnect(Request req,
      com.fasterxml.jackson.databind.node.ObjectNode connectOptions) {
    RequestInfo info = req.info();
    ResourceType type = catalog.find(info.group(), info.version(), info.resource())
        .orElseThrow(ApiException::notFoundPath);
    return stores.apply(type).admitConnect(type.namespaced() ? info.namespace() : "", info.name(),
        info.subresource(), connectOptions, req.user(), req.admissionContext());
  }

  public void serve(Request req) {
    RequestInfo info = req.info();
    ResourceType type = catalog.find(info.group(), info.version(), info.resource())
        .orElseThrow(ApiException::notFoundPath);
    checkScope(type, info);
    String sub = info.subresource();
    if (info.parts().size() > pathLength(info)) {
      throw ApiException.notFoundPath(); // something after the subresource: only the proxy subresources take a path
    }
    if (!sub.isEmpty()) {
      ResourceType.Subresource s = type.subresource(sub).orElseThrow(ApiException::notFoundPath);
      if (!s.verbs().contains(info.verb())) {
        throw methodNotAllowed();
      }
    }
    boolean named = !info.name().isEmpty();
    boolean needsName = switch (info.verb()) {
      case "get", "update", "patch", "delete" -> true;
      case "create" -> !sub.isEmpty();
      default -> false;
    };
    if (needsName != named && !info.verb().equals("watch") && !info.verb().equals("list")) {
      throw methodNotAllowed();
    }
    GenericStore store = stores.apply(type);
    String ns = type.namespaced() ? info.namespace() : "";
    String name = info.name();
    if (sub.equals("scale")) {
      scale(req, store, ns, name);
      return;
    }
    if (type.group().isEmpty() && type.resource().equals("pods")
        && (sub.equals("binding") || sub.equals("eviction"))) {
      podSubresource(req, store, ns, name, sub);
      return;
    }
    switch (info.verb()) {
      case "get" -> read(req, type, false, store.get(ns, name, readOptions(req, false)));
      case "list" -> list(req, type, store, emptyToNull(ns));
      case "watch" -> watch(req, store, emptyToNull(ns));
      case "create" -> {
        requireNamespaceForCreate(type, info);
        ObjectNode obj = decodeBody(req, type);
        checkBodyNamespace(type, obj, ns);
        reply(req, 201, store.create(ns, obj, writeOptions(req)), type);
      }
      case "update" -> {
        ObjectNode obj = decodeBody(req, type);
        checkBodyNamespace(type, obj, ns);
        String bodyName = ObjectMeta.name(obj);
        if (bodyName != null && !bodyName.isEmpty() && !bodyName.equals(name)) {
          throw ApiException.badRequest(
              "the name of the object (" + bodyName + ") does not match the name on the URL (" + name + ")");
        }
        Responses.Format format = Responses.negotiate(req, type);
        store.update(ns, name, sub, obj, writeOptions(req)).whenComplete((result, err) -> {
          if (err != null) {
            Responses.writeError(req, err);
          } else {
            Responses.write(req, result.created() ? 201 : 200, result.object(), format);
          }
        });
      }
      case "patch" -> patch(req, store, ns, name, sub);
      case "delete" -> delete(req, store, ns, name);
      case "deletecollection" -> {
        if (type.namespaced() && ns.isEmpty()) {
          // Upstream serves deletecollection only within a namespace for namespaced types.
          throw methodNotAllowed();
        }
        reply(req, 200, store.deleteCollection(emptyToNull(ns), readOptions(req, true),
            deleteOptions(req)), type);
      }
      default -> throw methodNotAllowed();
    }
  }

  private static ApiException methodNotAllowed() {
    return ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
  }

  private static void checkScope(ResourceType type, RequestInfo info) {
    boolean hasNs = !info.namespace().isEmpty() && !info.resource().equals("namespaces");
    if (!type.namespaced() && hasNs) {
      throw ApiException.notFoundPath();
    }
    if (type.namespaced() && !hasNs && !(info.verb().equals("list") || info.verb().equals("watch"))) {
      throw ApiException.notFoundPath();
    }
  }

  private static void requireNamespaceForCreate(ResourceType type, RequestInfo info) {
    if (!info.name().isEmpty()) {
      throw methodNotAllowed();
    }
  }

  // ------------------------------------------------------------------------------------------- subresources

  private void scale(Request req, GenericStore store, String ns, String name) {
    Responses.Format format = Responses.negotiate(req);
    CompletionStage<ObjectNode> result = switch (req.info().verb()) {
      case "get" -> ScaleSubresource.get(store, ns, name);
      case "update" -> {
        ObjectNode body = decodeAny(req);
        yield ScaleSubresource.update(store, ns, name, writeOptions(req), current -> body);
      }
      case "patch" -> {
        java.util.function.UnaryOperator<ObjectNode> patch = patchFunction(req, store, name);
        yield ScaleSubresource.update(store, ns, name, writeOptions(req), patch);
      }
      default -> throw methodNotAllowed();
    };
    result.whenComplete((obj, err) -> {
      if (err != null) {
        Responses.writeError(req, err);
      } else {
        Responses.write(req, 200, obj, format);
      }
    });
  }

  private void podSubresource(Request req, GenericStore pods, String ns, String name, String sub) {
    Responses.Format format = Responses.negotiate(req);
    // kubectl 1.32+ drain posts the Eviction as Kubernetes protobuf (typed client), older versions as JSON.
    ObjectNode body = decodeAny(req);
    CompletionStage<ObjectNode> result = sub.equals("binding")
        ? PodBinding.bind(pods, ns, name, body)
        : PodEviction.evict(pods, stores.apply(catalog.find("policy", "v1", "poddisruptionbudgets").orElseThrow()),
            ns, name, body, deleteOptionsFromQuery(req));
    result.whenComplete((obj, err) -> {
      if (err != null) {
        Responses.writeError(req, err);
      } else {
        Responses.write(req, 201, obj, format);
      }
    });
  }

  private static byte[] requireBody(Request req) {
    byte[] body = req.exchange().body();
    if (body.length == 0) {
      throw ApiException.badRequest("the body of the request was empty");
    }
    return body;
  }

  private static MediaType bodyType(Request req) {
    String contentType = req.exchange().header("Content-Type");
    MediaType mt = contentType == null || contentType.isBlank() ? MediaType.JSON
        : MediaType.parse(contentType).orElseThrow(
            () -> ApiException.unsupportedMediaType("application/json, application/yaml"));
    String t = mt.type() + "/" + mt.subtype();
    if (t.equals("application/yaml")) {
      return MediaType.YAML;
    }
    if (!t.equals("application/json") && !t.equals("*/*")) {
      throw ApiException.unsupportedMediaType("application/json, application/yaml");
    }
    return MediaType.JSON;
  }

  private static void checkBodyNamespace(ResourceType type, ObjectNode obj, String ns) {
    if (!type.namespaced()) {
      return;
    }
    String bodyNs = ObjectMeta.namespace(obj);
    if (bodyNs != null && !bodyNs.isEmpty() && !bodyNs.equals(ns)) {
      throw ApiException.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request");
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /**
   * A list: plain JSON lists without selectors are assembled from the stored bytes (no decode, no re-encode);
   * everything else goes through the object path.
   */
  private void list(Request req, ResourceType type, GenericStore store, String ns) {
    Options.Read options = readOptions(req, true);
    Responses.Negotiated n = Responses.negotiate(req, true, type);
    if (n.view() != Responses.View.OBJECT || n.format() != Responses.Format.JSON || !store.canListRaw(options)) {
      read(req, type, true, store.list(ns, options));
      return;
    }
    store.listRaw(ns, options).whenComplete((raw, err) -> {
      if (err != null) {
        Responses.writeError(req, err);
        return;
      }
      byte[] head = ("{\"kind\":\"" + type.listKind() + "\",\"apiVersion\":\"" + type.apiVersion()
          + "\",\"metadata\":").getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] meta = trimNewline(Codecs.writeJson(raw.listMeta()));
      int size = head.length + meta.length + 12 + 2;
      for (byte[] item : raw.items()) {
        size += item.length + 1;
      }
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(size);
      out.writeBytes(head);
      out.writeBytes(meta);
      out.writeBytes(",\"items\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      boolean first = true;
      for (byte[] item : raw.items()) {
        if (!first) {
          out.write(',');
        }
        first = false;
        out.writeBytes(trimNewline(item));
      }
      out.writeBytes("]}\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      req.exchange().respond(200, Map.of("Content-Type", "application/json", "Cache-Control",
          "no-cache, private"), out.toByteArray());
    });
  }

  private static byte[] trimNewline(byte[] b) {
    return b.length > 0 && b[b.length - 1] == '\n' ? java.util.Arrays.copyOf(b, b.length - 1) : b;
  }

  /** Answers a get or list in the view the client negotiated (object, Table, PartialObjectMetadata). */
  private CompletionStage<ObjectNode> read(Request req, ResourceType type, boolean list,
      CompletionStage<ObjectNode> result) {
    Responses.Negotiated n = Responses.negotiate(req, true, type);
    TableOptions.IncludeObject include = TableOptions.IncludeObject.parse(req.param("includeObject"));
    return result.whenComplete((obj, err) -> {
      if (err != null) {
        Responses.writeError(req, err);
        return;
      }
      try {
        Responses.write(req, 200, views.render(n, type, obj, list, include), n, list);
      } catch (RuntimeException e) {
        Responses.writeError(req, e);
      }
    });
  }

  private static CompletionStage<ObjectNode> reply(Request req, int code, CompletionStage<ObjectNode> result,
      ResourceType type) {
    // Negotiate before any work, so a hopeless Accept header costs nothing.
    Responses.Format format = Responses.negotiate(req, type);
    return result.whenComplete((obj, err) -> {
      if (err != null) {
        Responses.writeError(req, err);
      } else {
        Responses.write(req, code, obj, format);
      }
    });
  }

  // ------------------------------------------------------------------------------------------- decoding

  /** Decodes a body of any supported content type, without kind checks. */
  static ObjectNode decodeAny(Request req) {
    if (isProtobuf(req)) {
      return KubeProtobuf.decode(requireBody(req));
    }
    return Codecs.readObject(requireBody(req), bodyType(req));
  }

  private static boolean isProtobuf(Request req) {
    String contentType = req.exchange().header("Content-Type");
    return contentType != null && MediaType.parse(contentType).map(m -> (m.type() + "/" + m.subtype())
        .equals(KubeProtobuf.MEDIA_TYPE)).orElse(false);
  }

  /** Decodes a create/update body and checks that its kind and apiVersion agree with the URL. */
  static ObjectNode decodeBody(Request req, ResourceType type) {
    String contentType = req.exchange().header("Content-Type");
    MediaType mt = contentType == null || contentType.isBlank() ? MediaType.JSON
        : MediaType.parse(contentType).orElseThrow(
            () -> ApiException.unsupportedMediaType(ACCEPTED_BODIES));
    String t = mt.type() + "/" + mt.subtype();
    byte[] body = req.exchange().body();
    if (body.length == 0) {
      throw ApiException.badRequest("the body of the request was empty");
    }
    if (t.equals(KubeProtobuf.MEDIA_TYPE)) {
      ObjectNode obj = KubeProtobuf.decode(body);
      checkKind(type, obj);
      validateFields(req, type, obj, List.of());
      return obj;
    }
    if (!t.equals("application/json") && !t.equals("application/yaml") && !t.equals("*/*")) {
      throw ApiException.unsupportedMediaType(ACCEPTED_BODIES);
    }
    Codecs.Decoded decoded = Codecs.readObjectStrict(body, t.equals("application/yaml") ? MediaType.YAML
        : MediaType.JSON);
    ObjectNode obj = decoded.object();
    checkKind(type, obj);
    validateFields(req, type, obj, decoded.strictErrors());
    return obj;
  }

  /**
   * Server-side field validation ({@code fieldValidation}, default Warn): unknown and duplicate fields fail the
   * request (Strict) or become warnings (Warn) and are dropped; type mismatches always fail. See
   * {@link FieldValidator}.
   */
  static void validateFields(Request req, ResourceType type, ObjectNode obj, List<String> duplicates) {
    FieldValidator.Mode mode = FieldValidator.Mode.parse(req.param("fieldValidation"));
    FieldValidator.forKind(type.gvk()).validate(obj, duplicates, mode).forEach(req::addWarning);
  }

  static void checkKind(ResourceType type, ObjectNode obj) {
    String kind = obj.path("kind").asText("");
    String apiVersion = obj.path("apiVersion").asText("");
    if (!kind.isEmpty() && !kind.equals(type.kind())) {
      throw ApiException.badRequest("the kind of the provided object (" + kind
          + ") does not match the kind of the resource (" + type.kind() + ")");
    }
    if (!apiVersion.isEmpty() && !apiVersion.equals(type.apiVersion())) {
      throw ApiException.badRequest("the API version in the data (" + apiVersion
          + ") does not match the expected API version (" + type.apiVersion() + ")");
    }
    if (obj.has("metadata") && !obj.get("metadata").isObject()) {
      throw ApiException.badRequest("metadata: must be an object, got " + obj.get("metadata").getNodeType()
          .name().toLowerCase(java.util.Locale.ROOT));
    }
  }

  static Options.Write writeOptions(Request req) {
    return new Options.Write(dryRun(req),
        FieldManager.managerName(fieldManager(req), req.exchange().header("User-Agent")), req.user(), false,
        req.admissionContext());
  }

  private static boolean dryRun(Request req) {
    List<String> values = req.params("dryRun");
    for (String v : values) {
      if (!v.equals("All")) {
        throw ApiException.invalid("meta.k8s.io", "CreateOptions", "", List.of(new Status.Cause(
            "FieldValueNotSupported", "Unsupported value: \"" + v + "\": supported values: \"All\"", "dryRun")));
      }
    }
    return !values.isEmpty();
  }

  private static String fieldManager(Request req) {
    String fm = req.param("fieldManager");
    if (fm != null && fm.length() > 128) {
      throw ApiException.invalid("meta.k8s.io", "CreateOptions", "", List.of(new Status.Cause(
          "FieldValueTooLong", "Too long: may not be more than 128 bytes", "fieldManager")));
    }
    String fv = req.param("fieldValidation");
    if (fv != null && !fv.isEmpty() && !Set.of("Strict", "Warn", "Ignore").contains(fv)) {
      throw ApiException.badRequest("fieldValidation: Unsupported value: \"" + fv
          + "\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
    }
    return fm;
  }

  static Options.Read readOptions(Request req, boolean collection) {
    String ls = req.param("labelSelector");
    String fs = req.param("fieldSelector");
    Long limit = req.longParam("limit");
    Long timeout = req.longParam("timeoutSeconds");
    Boolean bookmarks = req.boolParam("allowWatchBookmarks");
    return new Options.Read(
        ls == null || ls.isEmpty() ? LabelSelector.EVERYTHING : LabelSelector.parse(ls),
        fs == null || fs.isEmpty() ? FieldSelector.EVERYTHING : FieldSelector.parse(fs),
        limit == null || limit < 0 ? 0 : limit,
        req.param("continue"),
        req.param("resourceVersion"),
        req.param("resourceVersionMatch"),
        bookmarks != null && bookmarks,
        req.boolParam("sendInitialEvents"),
        timeout);
  }

  // ------------------------------------------------------------------------------------------- patch

  /** The patch in the request body as a function on the target object; 415/400 for unusable patches. */
  private static java.util.function.UnaryOperator<ObjectNode> patchFunction(Request req, GenericStore store,
      String name) {
    String t = patchType(req);
    if (!PATCH_TYPES.contains(t) || t.equals(APPLY_PATCH)) {
      throw ApiException.unsupportedMediaType("application/json-patch+json, application/merge-patch+json, "
          + "application/strategic-merge-patch+json, application/apply-patch+yaml");
    }
    byte[] body = requireBody(req);
    if (t.equals("application/json-patch+json")) {
      JsonPatch jp = JsonPatch.parse(body);
      return current -> asObject(jp.apply(current));
    }
    JsonNode patch = Codecs.readTree(body, MediaType.JSON);
    if (t.equals("application/strategic-merge-patch+json")) {
      dev.hostplane.apiserver.patch.PatchSchema schema = store.patchSchema();
      return current -> StrategicMergePatch.apply(current, patch, schema);
    }
    if (!patch.isObject()) {
      throw ApiException.badRequest("the merge patch must be a JSON object");
    }
    return current -> asObject(MergePatch.apply(current, patch));
  }

  private void patch(Request req, GenericStore store, String ns, String name, String sub) {
    Responses.Format format = Responses.negotiate(req, store.type());
    if (patchType(req).equals(APPLY_PATCH)) {
      apply(req, store, ns, name, sub, format);
      return;
    }
    if (req.has("force")) {
      throw ApiException.invalid("meta.k8s.io", "PatchOptions", "", List.of(new Status.Cause(
          "FieldValueForbidden", "Forbidden: may not be specified for non-apply patch", "force")));
    }
    java.util.function.UnaryOperator<ObjectNode> patch = patchFunction(req, store, name);
    store.updateWith(ns, name, sub, writeOptions(req), false, current -> {
      if (current == null) {
        throw ApiException.notFound(store.type().group(), store.type().resource(), name);
      }
      ObjectNode patched = patch.apply(current);
      checkKind(store.type(), patched);
      validateFields(req, store.type(), patched, List.of());
      return patched;
    }).whenComplete((written, err) -> {
      if (err != null) {
        Responses.writeError(req, err);
      } else {
        Responses.write(req, 200, written.object(), format);
      }
    });
  }

  /**
   * Server-side apply ({@code application/apply-patch+yaml}): merges the applied configuration into the live
   * object (or creates it), recording the manager's field ownership; conflicts are 409 unless {@code force}.
   */
  private void apply(Request req, GenericStore store, String ns, String name, String sub,
      Responses.Format format) {
    String manager = req.param("fieldManager");
    if (manager == null || manager.isEmpty()) {
      throw ApiException.invalid("meta.k8s.io", "PatchOptions", "", List.of(new Status.Cause(
          "FieldValueRequired", "Required value: is required for apply patch", "fieldManager")));
    }
    FieldManager fm = store.fieldManager();
    if (fm == null) {
      throw ApiException.unsupportedMediaType("application/json-patch+json, application/merge-patch+json");
    }
    Boolean forceParam = req.boolParam("force");
    boolean force = forceParam != null && forceParam;
    Codecs.Decoded decoded = Codecs.readObjectStrict(requireBody(req), MediaType.YAML);
    ObjectNode config = decoded.object();
    validateFields(req, store.type(), config, decoded.strictErrors());
    Options.Write base = writeOptions(req);
    Options.Write options = new Options.Write(base.dryRun(), manager, base.user(), true, base.context());
    store.updateWith(ns, name, sub, options, sub.isEmpty(), current -> {
      ObjectNode merged = fm.apply(current, config, manager, sub, force, store.type().apiVersion(),
          store.clock().instant());
      FieldManager.checkName(merged, name);
      if (store.type().namespaced()) {
        String bodyNs = ObjectMeta.namespace(merged);
        if (bodyNs != null && !bodyNs.isEmpty() && !bodyNs.equals(ns)) {
          throw ApiException.badRequest(
              "the namespace of the provided object does not match the namespace sent on the request");
        }
      }
      return merged;
    }).whenComplete((written, err) -> {
      if (err != null) {
        Responses.writeError(req, err);
      } else {
        Responses.write(req, written.created() ? 201 : 200, written.object(), format);
      }
    });
  }

  private static String patchType(Request req) {
    String contentType = req.exchange().header("Content-Type");
    return contentType == null ? "" : MediaType.parse(contentType).map(m -> m.type() + "/" + m.subtype())
        .orElse("");
  }

  private static ObjectNode asObject(JsonNode n) {
    if (n instanceof ObjectNode o) {
      return o;
    }
    throw ApiException.badRequest("the patch produced a value that is not an object");
  }

  // ------------------------------------------------------------------------------------------- delete

  private CompletionStage<?> delete(Request req, GenericStore store, String ns, String name) {
    Options.Delete options = deleteOptions(req);
    Responses.Format format = Responses.negotiate(req, store.type());
    return store.delete(ns, name, options).whenComplete((d, err) -> {
      if (err != null) {
        Responses.writeError(req, err);
        return;
      }
      if (d.pending()) {
        Responses.write(req, 202, d.object(), format);
      } else if (store.type().strategy().returnsDeletedObject()) {
        Responses.write(req, 200, d.object(), format);
      } else {
        Responses.write(req, 200, Status.success(new Status.Details(name, store.type().group(),
            store.type().resource(), ObjectMeta.uid(d.object()), null, null)), format);
      }
    });
  }

  /** DeleteOptions from the query alone (the body is something else, e.g. an Eviction). */
  static Options.Delete deleteOptionsFromQuery(Request req) {
    return deleteOptions(req, new byte[0]);
  }

  /** DeleteOptions from the body (when present) or the query. */
  static Options.Delete deleteOptions(Request req) {
    return deleteOptions(req, req.exchange().body());
  }

  private static Options.Delete deleteOptions(Request req, byte[] body) {
    Long grace = req.longParam("gracePeriodSeconds");
    String policy = req.param("propagationPolicy");
    Boolean orphan = req.boolParam("orphanDependents");
    boolean dryRun = dryRun(req);
    String uid = null;
    String rv = null;
    if (body.length > 0) {
      // Typed clients (kubectl 1.32+, e.g. drain without eviction) send DeleteOptions as Kubernetes protobuf.
      ObjectNode o = isProtobuf(req) ? KubeProtobuf.decode(body) : Codecs.readObject(body, MediaType.JSON);
      String kind = o.path("kind").asText("");
      if (!kind.isEmpty() && !kind.equals("DeleteOptions")) {
        throw ApiException.badRequest("the body of a delete must be a DeleteOptions, got " + kind);
      }
      if (o.hasNonNull("gracePeriodSeconds")) {
        if (!o.get("gracePeriodSeconds").canConvertToLong()) {
          throw ApiException.badRequest("gracePeriodSeconds: must be an integer");
        }
        grace = o.get("gracePeriodSeconds").asLong();
      }
      if (o.hasNonNull("propagationPolicy")) {
        policy = o.get("propagationPolicy").asText();
      }
      if (o.hasNonNull("orphanDependents")) {
        orphan = o.get("orphanDependents").asBoolean();
      }
      JsonNode pre = o.path("preconditions");
      if (pre.hasNonNull("uid")) {
        uid = pre.get("uid").asText();
      }
      if (pre.hasNonNull("resourceVersion")) {
        rv = pre.get("resourceVersion").asText();
      }
      for (JsonNode d : o.path("dryRun")) {
        if (!d.asText().equals("All")) {
          throw ApiException.badRequest("dryRun: Unsupported value: \"" + d.asText()
              + "\": supported values: \"All\"");
        }
        dryRun = true;
      }
    }
    if (policy != null && !Set.of("Orphan", "Background", "Foreground").contains(policy)) {
      throw ApiException.invalid("meta.k8s.io", "DeleteOptions", "", List.of(new Status.Cause(
          "FieldValueNotSupported", "Unsupported value: \"" + policy
              + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"", "propagationPolicy")));
    }
    if (orphan != null && policy != null) {
      throw ApiException.invalid("meta.k8s.io", "DeleteOptions", "", List.of(new Status.Cause(
          "FieldValueInvalid", "Invalid value: \"" + policy
              + "\": orphanDependents and deletionPropagation cannot be both set", "propagationPolicy")));
    }
    if (orphan != null) {
      policy = orphan ? "Orphan" : "Background";
    }
    if (grace != null && grace < 0) {
      grace = 1L; // upstream treats negative grace periods as 1 second
    }
    return new Options.Delete(dryRun, grace, uid, rv, policy, req.user(), req.admissionContext());
  }

  // ------------------------------------------------------------------------------------------- watch

  private void watch(Request req, GenericStore store, String ns) {
    Options.Read options = readOptions(req, true);
    Responses.Negotiated n = Responses.negotiate(req, true, store.type());
    TableOptions.IncludeObject include = TableOptions.IncludeObject.parse(req.param("includeObject"));
    WatchResponder responder = new WatchResponder(req, n.contentType(false),
        views.watchEvents(n, store.type(), include));
    WatchSession session = new WatchSession(store, ns, options, responder, timer, timing);
    responder.open();
    watches.add(session);
    req.exchange().onClose(() -> {
      watches.remove(session);
      session.stop();
    });
    session.start();
  }

  /** Keeps track of running watches so that shutdown can end them with a final bookmark. */
  public interface WatchRegistry {
    void add(WatchSession session);

    void remove(WatchSession session);

    WatchRegistry NONE = new WatchRegistry() {
      @Override
      public void add(WatchSession session) {}

      @Override
      public void remove(WatchSession session) {}
    };
  }

  static Map<String, String> jsonHeaders() {
    return Map.of("Content-Type", "application/json", "Cache-Control", "no-cache, private");
  }
}

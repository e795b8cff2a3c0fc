package dev.hostplane.apiserver.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.api.internal.GoFormat;
import dev.hostplane.apiserver.apply.ManagedFields.Entry;
import dev.hostplane.apiserver.apply.ManagedFields.Identity;
import dev.hostplane.apiserver.apply.internal.ConflictException;
import dev.hostplane.apiserver.apply.internal.InvalidObjectException;
import dev.hostplane.apiserver.apply.internal.LastApplied;
import dev.hostplane.apiserver.apply.internal.ListItems;
import dev.hostplane.apiserver.apply.internal.ManagerCap;
import dev.hostplane.apiserver.apply.internal.ResetFields;
import dev.hostplane.apiserver.apply.internal.Updater;
import dev.hostplane.apiserver.patch.PatchSchema;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-side apply and field management for one resource type, as upstream's {@code FieldManager} (its default
 * stack: version check, last-applied bridge for {@code kubectl}, cap of update entries, manager identities,
 * timestamps, stripping of identity metadata, structured merge). Immutable and thread-safe; every method returns a
 * new object and leaves its arguments untouched.
 *
 * <p>Where the write path calls it (upstream's order):
 * <ul>
 *   <li>{@link #update} on every create, update (PUT) and non-apply patch, with the object the client asked for
 *       after defaulting and before mutating admission: upstream tracks the decoded, defaulted object in the
 *       handler, so what admission and the strategy change later is owned by nobody. On create {@code live} is
 *       null. It never fails: an object it cannot make sense of gets no {@code managedFields}, as upstream.
 *   <li>{@link #apply} for {@code application/apply-patch+yaml}: it is the patch function, run on the current
 *       object (null when absent: the apply creates it) inside the update retry loop, before defaulting, mutating
 *       admission, the strategy and validation. Then {@link #checkName} with the URL's name, as upstream checks
 *       every patch result.
 * </ul>
 * Objects are in one API version ({@code apiVersion} of the request); paths are not converted between versions.
 */
public final class FieldManager {
  private static final Logger log = LoggerFactory.getLogger(FieldManager.class);

  /** Upstream's {@code DefaultMaxUpdateManagers}. */
  public static final int MAX_UPDATE_MANAGERS = 10;
  /** Upstream's field manager name limit. */
  public static final int MAX_MANAGER_LENGTH = 128;
  /** Defaults of list-map key fields in built-in types ({@code protocol} of container and service ports). */
  public static final Map<String, JsonNode> BUILTIN_LIST_KEY_DEFAULTS = Map.of("protocol", TextNode.valueOf("TCP"));

  /** Identity metadata nobody owns (upstream's strip set). */
  private static final FieldSet STRIPPED = FieldSet.of(
      FieldPath.fields("apiVersion"), FieldPath.fields("kind"), FieldPath.fields("metadata"),
      FieldPath.fields("metadata", "name"), FieldPath.fields("metadata", "namespace"),
      FieldPath.fields("metadata", "creationTimestamp"), FieldPath.fields("metadata", "selfLink"),
      FieldPath.fields("metadata", "uid"), FieldPath.fields("metadata", "clusterName"),
      FieldPath.fields("metadata", "generation"), FieldPath.fields("metadata", "managedFields"),
      FieldPath.fields("metadata", "resourceVersion"));
  /** Upstream's manager name for the update-tracking step itself; never a valid client manager name. */
  private static final String CURRENT_OPERATION = "\u0000current-operation";

  private final PatchSchema root;
  private final String kind;
  private final boolean hasStatus;
  private final Updater updater;

  /** For a type whose list-map keys default as built-in types' do. */
  public FieldManager(PatchSchema root, String kind, boolean hasStatus) {
    this(root, kind, hasStatus, BUILTIN_LIST_KEY_DEFAULTS);
  }

  /**
   * @param root the schema of the type's objects
   * @param kind the kind applied configurations must name
   * @param hasStatus whether the type has a {@code status} subresource: then the main resource's writes own no
   *     status fields and the subresource's own nothing else
   * @param listKeyDefaults the value a list-map key field takes when an item omits it
   */
  public FieldManager(PatchSchema root, String kind, boolean hasStatus, Map<String, JsonNode> listKeyDefaults) {
    this.root = Objects.requireNonNull(root);
    this.kind = Objects.requireNonNull(kind);
    this.hasStatus = hasStatus;
    this.updater = new Updater(root, new ListItems(listKeyDefaults));
  }

  // --------------------------------------------------------------------------------------------- update

  /**
   * Records a non-apply write: {@code updated} with {@code metadata.managedFields} where what changed from
   * {@code live} is owned by {@code manager} (operation Update, at {@code apiVersion}, for {@code subresource}) and
   * taken from everybody else. The entry's time becomes {@code now} when it gained fields.
   *
   * <p>The managed fields start from {@code updated}'s own when the client sent valid, non-empty ones (clients may
   * edit them; an empty list, or a list of one empty entry, resets them), else from {@code live}'s; a subresource
   * write always starts from {@code live}'s.
   *
   * @param live the stored object, or null on create
   * @param manager from {@link #managerName}; "" becomes {@code unknown}
   */
  public ObjectNode update(ObjectNode live, ObjectNode updated, String manager, String subresource,
      String apiVersion, Instant now) {
    Objects.requireNonNull(updated);
    ObjectNode result = updated.deepCopy();
    try {
      Map<Identity, Entry> managers = new LinkedHashMap<>(startingManagers(live, updated, subresource).entries());
      UnaryOperator<FieldSet> reset = ResetFields.forWrite(hasStatus, subresource);
      Identity current = Identity.update(CURRENT_OPERATION, apiVersion, subresource);
      updater.update(withoutManagedFields(live), withoutManagedFields(updated), apiVersion, managers, current,
          reset);
      Entry done = managers.remove(current);
      FieldSet gained = done == null ? FieldSet.EMPTY : done.fields().difference(STRIPPED);
      if (!gained.isEmpty()) {
        Identity id = Identity.update(manager.isEmpty() ? "unknown" : manager, apiVersion, subresource);
        Entry prev = managers.get(id);
        FieldSet fields = prev == null ? gained : gained.union(prev.fields());
        managers.put(id, new Entry(id, apiVersion, now, fields));
      }
      ManagerCap.cap(managers, MAX_UPDATE_MANAGERS);
      boolean sentManaged = updated.path("metadata").has("managedFields");
      ManagedFields.of(managers.values()).writeTo(result);
      return sentManaged ? result : placeManagedFields(result, live);
    } catch (InvalidObjectException | IllegalArgumentException e) {
      // Upstream's UpdateNoErrors: never fail the write; drop what cannot be tracked.
      log.warn("failed to update managedFields of {} {}: {}", kind, nameOf(updated), e.getMessage());
      ObjectNode meta = result.get("metadata") instanceof ObjectNode m ? m : null;
      if (meta != null) {
        meta.remove("managedFields");
      }
      return result;
    }
  }

  private static ManagedFields startingManagers(ObjectNode live, ObjectNode updated, String subresource) {
    if (subresource.isEmpty()) {
      JsonNode sent = updated.path("metadata").get("managedFields");
      if (ManagedFields.isReset(sent)) {
        return ManagedFields.EMPTY;
      }
      try {
        ManagedFields m = ManagedFields.decode(sent);
        if (!m.isEmpty()) {
          return m;
        }
      } catch (IllegalArgumentException e) {
        // fall back to the stored entries: clients that do not understand managedFields cannot break them
      }
    }
    try {
      return ManagedFields.read(live);
    } catch (IllegalArgumentException e) {
      return ManagedFields.EMPTY;
    }
  }

  // ---------------------------------------------------------------------------------------------- apply

  /** {@link #apply(ObjectNode, ObjectNode, String, String, boolean, String, Instant)} on the main resource. */
  public ObjectNode apply(ObjectNode live, ObjectNode config, String manager, boolean force, String apiVersion,
      Instant now) {
    return apply(live, config, manager, "", force, apiVersion, now);
  }

  /**
   * Applies {@code config} for {@code manager}: the merged object, whose {@code managedFields} give
   * {@code manager} (operation Apply) exactly the fields {@code config} sets (less the fields the write cannot
   * change: {@code status} on the main resource, all but {@code status} on the status subresource). Fields the
   * manager applied before and no longer sets are removed unless another manager owns them. Fields another manager
   * owns whose value would change are conflicts; {@code force} takes them over instead. When nothing changes the
   * result equals {@code live} (timestamps included).
   *
   * @param live the stored object, or null when absent (the result creates it)
   * @param config the applied configuration, decoded from YAML or JSON
   * @throws ApiException 400 when {@code config}'s apiVersion and kind are not this endpoint's
   *     ({@code invalid object type: apps/v1, Kind=Deployment}) or it carries {@code metadata.managedFields};
   *     409 on conflicts; 500 when {@code config} or {@code live} does not fit the schema (a list-map item without
   *     its key, a duplicate item), worded as upstream's
   */
  public ObjectNode apply(ObjectNode live, ObjectNode config, String manager, String subresource, boolean force,
      String apiVersion, Instant now) {
    Objects.requireNonNull(config);
    String configVersion = config.path("apiVersion").asText("");
    String configKind = config.path("kind").asText("");
    if (!configVersion.equals(apiVersion) || !configKind.equals(kind)) {
      throw ApiException.badRequest("invalid object type: " + gvk(configVersion, configKind));
    }
    ManagedFields managed;
    try {
      managed = ManagedFields.read(live);
    } catch (IllegalArgumentException e) {
      throw plainError("failed to decode managed fields: " + e.getMessage());
    }
    String name = manager.isEmpty() ? "unknown" : manager;
    ObjectNode result;
    try {
      result = applyOnce(live, config, managed, name, subresource, force, apiVersion, now);
    } catch (ConflictException conflicts) {
      if (!name.equals("kubectl")) {
        throw conflicts.toApiException();
      }
      FieldSet allowed = LastApplied.allowedConflicts(live, apiVersion, root, updater);
      if (allowed == null) {
        throw conflicts.toApiException();
      }
      ConflictException left = conflicts.without(allowed);
      if (left != null) {
        throw left.toApiException();
      }
      result = applyOnce(live, config, managed, name, subresource, true, apiVersion, now);
    }
    if (name.equals("kubectl") && LastApplied.has(live)) {
      LastApplied.record(result, config);
    }
    return result;
  }

  private ObjectNode applyOnce(ObjectNode live, ObjectNode config, ManagedFields managed, String name,
      String subresource, boolean force, String apiVersion, Instant now) {
    JsonNode sentManaged = config.path("metadata").get("managedFields");
    if (sentManaged != null && !sentManaged.isNull()) {
      throw ApiException.badRequest("metadata.managedFields must be nil");
    }
    FieldSet configFields;
    try {
      configFields = updater.fieldSets().of(config, root, true);
    } catch (InvalidObjectException e) {
      throw plainError("failed to create typed patch object (" + gvknn(config) + "): " + e.getMessage());
    }
    ObjectNode liveObj = live == null ? JsonNodeFactory.instance.objectNode() : withoutManagedFields(live);
    try {
      updater.fieldSets().of(liveObj, root, false);
    } catch (InvalidObjectException e) {
      throw plainError("failed to create typed live object (" + gvknn(liveObj) + "): " + e.getMessage());
    }
    Map<Identity, Entry> managers = new LinkedHashMap<>(managed.entries());
    Identity id = Identity.apply(name, subresource);
    Updater.Applied applied;
    try {
      applied = updater.apply(liveObj, config, configFields, apiVersion, managers, id, force,
          ResetFields.forWrite(hasStatus, subresource));
    } catch (InvalidObjectException e) {
      throw plainError("failed to merge config: " + e.getMessage());
    }
    Entry mine = managers.get(id);
    if (mine != null) {
      FieldSet kept = mine.fields().difference(STRIPPED);
      if (kept.isEmpty()) {
        managers.remove(id);
      } else {
        managers.put(id, applied.object() == null ? mine.withFields(kept) : mine.withFields(kept).withTime(now));
      }
    }
    ManagedFields next = ManagedFields.of(managers.values());
    if (applied.object() == null) {
      return next.writeTo(live == null ? liveObj : live.deepCopy());
    }
    return placeManagedFields(next.writeTo(applied.object()), live);
  }

  // ---------------------------------------------------------------------------------------------- helpers

  /**
   * The field manager of a request, as upstream's handlers choose it: the {@code fieldManager} parameter when
   * given, else the User-Agent up to its first {@code /} ({@code kubectl.1.33/v1.33.1 (linux/amd64)} gives
   * {@code kubectl.1.33}), without unprintable characters, cut to {@value #MAX_MANAGER_LENGTH} bytes.
   */
  public static String managerName(String fieldManagerParam, String userAgent) {
    if (fieldManagerParam != null && !fieldManagerParam.isEmpty()) {
      return fieldManagerParam;
    }
    if (userAgent == null) {
      return "";
    }
    int slash = userAgent.indexOf('/');
    String prefix = slash < 0 ? userAgent : userAgent.substring(0, slash);
    StringBuilder out = new StringBuilder();
    int bytes = 0;
    for (int i = 0; i < prefix.length(); ) {
      int cp = prefix.codePointAt(i);
      i += Character.charCount(cp);
      if (!GoFormat.isPrint(cp)) {
        continue;
      }
      int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + len > MAX_MANAGER_LENGTH) {
        break;
      }
      bytes += len;
      out.appendCodePoint(cp);
    }
    return out.toString();
  }

  /**
   * Upstream's check of a patch result against the URL: 400 {@code the name of the object (web based on URL) was
   * undeterminable: name must be provided} when {@code obj} has no name (an apply that creates needs one), 400
   * {@code the name of the object (a) does not match the name on the URL (b)} when it differs.
   */
  public static void checkName(ObjectNode obj, String urlName) {
    String name = obj.path("metadata").path("name").asText("");
    if (name.isEmpty()) {
      throw ApiException.badRequest("the name of the object (" + urlName
          + " based on URL) was undeterminable: name must be provided");
    }
    if (!name.equals(urlName)) {
      throw ApiException.badRequest("the name of the object (" + name + ") does not match the name on the URL ("
          + urlName + ")");
    }
  }

  /** A copy without {@code metadata.managedFields}; null stays null. */
  private static ObjectNode withoutManagedFields(ObjectNode obj) {
    if (obj == null) {
      return null;
    }
    ObjectNode copy = obj.deepCopy();
    if (copy.get("metadata") instanceof ObjectNode m) {
      m.remove("managedFields");
    }
    return copy;
  }

  /**
   * Moves {@code metadata.managedFields} of {@code result} to where {@code live} had it, so that an object whose
   * content did not change also keeps its key order (and so its stored bytes).
   */
  private static ObjectNode placeManagedFields(ObjectNode result, ObjectNode live) {
    if (live == null || !(live.get("metadata") instanceof ObjectNode liveMeta) || !liveMeta.has("managedFields")
        || !(result.get("metadata") instanceof ObjectNode meta) || !meta.has("managedFields")) {
      return result;
    }
    String after = null;
    boolean seen = false;
    for (Iterator<String> it = liveMeta.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (seen) {
        after = k;
        break;
      }
      seen = k.equals("managedFields");
    }
    JsonNode managed = meta.remove("managedFields");
    ObjectNode reordered = JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals(after)) {
        reordered.set("managedFields", managed);
      }
      reordered.set(e.getKey(), e.getValue());
    }
    if (!reordered.has("managedFields")) {
      reordered.set("managedFields", managed);
    }
    meta.removeAll();
    meta.setAll(reordered);
    return result;
  }

  /** Go's {@code GroupVersionKind.String()}: {@code apps/v1, Kind=Deployment}, {@code /v1, Kind=ConfigMap}. */
  private static String gvk(String apiVersion, String kind) {
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
    return group + "/" + version + ", Kind=" + kind;
  }

  /** Upstream's {@code objectGVKNN}: {@code default/web; apps/v1, Kind=Deployment}. */
  private static String gvknn(JsonNode obj) {
    JsonNode meta = obj.path("metadata");
    return meta.path("namespace").asText("") + "/" + meta.path("name").asText("") + "; "
        + gvk(obj.path("apiVersion").asText(""), obj.path("kind").asText(""));
  }

  private static String nameOf(JsonNode obj) {
    return obj.path("metadata").path("namespace").asText("") + "/" + obj.path("metadata").path("name").asText("");
  }

  /** A failure upstream returns as a plain error: 500 with no reason and the bare message. */
  private static ApiException plainError(String message) {
    return new ApiException(Status.of(500, "", message));
  }
}

package dev.hostplane.apiserver.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.admission.Admission;
import dev.hostplane.apiserver.admission.Attributes;
import dev.hostplane.apiserver.admission.Attributes.Operation;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.apply.FieldManager;
import dev.hostplane.apiserver.registry.internal.ContinueToken;
import dev.hostplane.apiserver.registry.internal.StoredCodec;
import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.ListResult;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.StoredObject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The storage-backed implementation of every verb for one {@link ResourceType}, assembled from the type's
 * {@link Strategy}, the admission chain and the storage SPI, as upstream's generic registry Store. This class fixes
 * the order of a write in one place ({@link #create} and {@link #updateWith}): mutating admission, strategy
 * (defaults, prepare, then for {@link HoldsAllocations} types the claims in shared storage, validate), validating
 * admission, storage. Allocations a write took and did not keep are given back before it answers.
 *
 * <p>Threading: every method returns at once; continuations run on storage threads. Objects passed in are owned by
 * the store from then on; objects returned belong to the caller.
 */
public final class GenericStore {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

  private final ResourceType type;
  private final Storage storage;
  private final StoredCodec codec;
  private final Admission admission;
  private final Clock clock;
  private final String prefix;
  private final FieldManager fieldManager;
  private final dev.hostplane.apiserver.patch.PatchSchema patchSchema;

  public GenericStore(ResourceType type, Storage storage, Admission admission, Clock clock, String storagePrefix) {
    this(type, storage, admission, clock, storagePrefix, null, dev.hostplane.apiserver.patch.PatchSchema.UNKNOWN);
  }

  /**
   * @param fieldManager tracks managedFields of writes and performs server-side apply; null for types without a
   *     schema (no tracking)
   * @param patchSchema the merge schema of this type's version, for strategic merge patch; UNKNOWN when none
   */
  public GenericStore(ResourceType type, Storage storage, Admission admission, Clock clock, String storagePrefix,
      FieldManager fieldManager, dev.hostplane.apiserver.patch.PatchSchema patchSchema) {
    this.fieldManager = fieldManager;
    this.patchSchema = patchSchema;
    this.type = type;
    this.storage = storage;
    this.codec = new StoredCodec(type);
    this.admission = admission;
    this.clock = clock;
    String p = storagePrefix.endsWith("/") ? storagePrefix : storagePrefix + "/";
    this.prefix = p + type.storageResource() + "/";
  }

  public ResourceType type() {
    return type;
  }

  public Storage storage() {
    return storage;
  }

  /** The field manager of this type (server-side apply), or null when the type has no schema. */
  public FieldManager fieldManager() {
    return fieldManager;
  }

  /** The merge schema of this type's version (strategic merge patch). */
  public dev.hostplane.apiserver.patch.PatchSchema patchSchema() {
    return patchSchema;
  }

  public Clock clock() {
    return clock;
  }

  /** The key of one object. */
  public String key(String namespace, String name) {
    return type.namespaced() ? prefix + namespace + "/" + name : prefix + name;
  }

  /** The key prefix of a list: one namespace, or all when {@code namespace} is null or the type is cluster-wide. */
  public String listPrefix(String namespace) {
    return type.namespaced() && namespace != null && !namespace.isEmpty() ? prefix + namespace + "/" : prefix;
  }

  /** Decodes a stored object into this type's version, with resourceVersion set. */
  public ObjectNode decode(StoredObject stored) {
    return codec.decode(stored);
  }

  /** A stored version decoded once for every watch of this type, with its wire encodings shared as well. */
  public record SharedObject(StoredObject stored, ObjectNode object, dev.hostplane.apiserver.api.EncodedForms forms) {}

  private volatile SharedObject lastShared;

  /**
   * {@link #decode}, shared: watches of this type receive the same stored event one after another (from the watch
   * cache, one event at a time), so the last decoded event is reused by all of them, and so are its encodings. The
   * object is shared and must not be mutated.
   */
  public SharedObject decodeShared(StoredObject stored) {
    SharedObject d = lastShared;
    if (d != null && d.stored() == stored) {
      return d;
    }
    d = new SharedObject(stored, codec.decode(stored), new dev.hostplane.apiserver.api.EncodedForms());
    lastShared = d;
    return d;
  }

  // ---------------------------------------------------------------------------------------------- reads

  public CompletionStage<ObjectNode> get(String namespace, String name, Options.Read options) {
    long minRv;
    try {
      minRv = ResourceVersions.parseMinimum(options.resourceVersion());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    boolean cacheable = options.resourceVersion() != null && !options.resourceVersion().isEmpty();
    return ResourceVersions.awaitRevision(storage, minRv)
        .thenCompose(v -> cacheable ? storage.getNotOlderThan(key(namespace, name), minRv)
            : storage.get(key(namespace, name)))
        .handle((stored, err) -> {
          if (err != null) {
            throw translate(err, name);
          }
          return codec.decode(stored);
        });
  }

  /** A list (one namespace, or all when {@code namespace} is null) honouring selectors, paging and RV rules. */
  public CompletionStage<ObjectNode> list(String namespace, Options.Read options) {
    ListPlan plan;
    Function<ObjectNode, Boolean> filter;
    try {
      plan = ListPlan.of(options, listPrefix(namespace));
      filter = Selection.filter(type, options);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    boolean filtered = !Selection.isEverything(options);
    long minRv = plan.minimumRevision();
    return ResourceVersions.awaitRevision(storage, minRv)
        .thenCompose(v -> collect(plan, plan.revision(), plan.startKey(), options.limit(), filter,
            filtered, new ArrayList<>()))
        .handle((page, err) -> {
          if (err != null) {
            throw translateList(err, plan);
          }
          ObjectNode list = NODES.objectNode();
          list.put("kind", type.listKind());
          list.put("apiVersion", type.apiVersion());
          ObjectNode meta = list.putObject("metadata");
          meta.put("resourceVersion", Long.toString(page.revision));
          if (page.nextKey != null) {
            meta.put("continue", ContinueToken.encode(page.revision, page.nextKey, plan.prefix()));
            if (!filtered && page.remaining > 0) {
              meta.put("remainingItemCount", page.remaining);
            }
          }
          ArrayNode items = list.putArray("items");
          page.items.forEach(items::add);
          return list;
        });
  }

  private record Page(List<ObjectNode> items, long revision, String nextKey, long remaining) {}

  /** A list as encoded JSON: the list envelope's metadata and each item's bytes (resourceVersion set). */
  public record RawList(ObjectNode listMeta, List<byte[]> items) {}

  /**
   * True when {@link #listRaw} can answer {@code options}: no selectors, and this type's version is the storage
   * version (stored bytes are served as they are).
   */
  public boolean canListRaw(Options.Read options) {
    return Selection.isEverything(options) && type.converter() == VersionConverter.IDENTITY;
  }

  /**
   * A list served from the stored bytes without decoding them: the fast path for large unfiltered lists. Same
   * resourceVersion, paging and continue semantics as {@link #list}. Only valid when {@link #canListRaw}.
   */
  public CompletionStage<RawList> listRaw(String namespace, Options.Read options) {
    ListPlan plan;
    try {
      plan = ListPlan.of(options, listPrefix(namespace));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return ResourceVersions.awaitRevision(storage, plan.minimumRevision())
        .thenCompose(v -> read(plan, plan.revision(), plan.startKey(), options.limit()))
        .handle((result, err) -> {
          if (err != null) {
            throw translateList(err, plan);
          }
          List<byte[]> items = new ArrayList<>(result.items().size());
          for (StoredObject so : result.items()) {
            byte[] b = StoredCodec.withResourceVersion(so);
            items.add(b != null ? b : dev.hostplane.apiserver.api.Codecs.writeJson(codec.decode(so)));
          }
          ObjectNode meta = NODES.objectNode();
          meta.put("resourceVersion", Long.toString(result.revision()));
          if (result.more() && !result.items().isEmpty()) {
            String last = result.items().get(result.items().size() - 1).key();
            meta.put("continue", ContinueToken.encode(result.revision(), last + "\u0000", plan.prefix()));
            if (result.remaining() > 0) {
              meta.put("remainingItemCount", result.remaining());
            }
          }
          return new RawList(meta, items);
        });
  }

  /**
   * Reads pages at one revision until {@code limit} matching items are found or the keys run out. The continue key
   * is the key after the last one examined, so that a continued list resumes exactly there.
   */
  private CompletionStage<Page> collect(ListPlan plan, long revision, String startKey, long limit,
      Function<ObjectNode, Boolean> filter, boolean filtered, List<ObjectNode> acc) {
    long want = limit <= 0 ? 0 : Math.max(limit - acc.size(), filtered ? Math.min(limit * 2, 1000) : 0);
    long pageSize = limit <= 0 ? 0 : Math.max(want, limit - acc.size());
    return read(plan, revision, startKey, pageSize).thenCompose(result -> {
      String lastKey = null;
      int examined = 0;
      for (StoredObject so : result.items()) {
        examined++;
        lastKey = so.key();
        ObjectNode obj = codec.decode(so);
        if (filter.apply(obj)) {
          acc.add(obj);
          if (limit > 0 && acc.size() >= limit) {
            break;
          }
        }
      }
      boolean moreInPage = examined < result.items().size();
      boolean more = moreInPage || result.more();
      if (limit > 0 && acc.size() >= limit && more) {
        long remaining = result.remaining() + (result.items().size() - examined);
        return CompletableFuture.completedFuture(
            new Page(acc, result.revision(), lastKey + "\u0000", remaining));
      }
      if (result.more() && lastKey != null) {
        return collect(plan, result.revision(), lastKey + "\u0000", limit, filter, filtered, acc);
      }
      return CompletableFuture.completedFuture(new Page(acc, result.revision(), null, 0));
    });
  }

  /**
   * One page of a list: the first page of a list that accepts any recent state ("0", NotOlderThan) may come from
   * the watch cache; later pages and exact reads continue at the first page's revision.
   */
  private CompletionStage<ListResult> read(ListPlan plan, long revision, String startKey, long pageSize) {
    if (plan.cacheable() && revision == 0 && startKey == null) {
      return storage.listNotOlderThan(plan.prefix(), plan.minimumRevision(), pageSize);
    }
    return storage.list(plan.prefix(), new ListOptions(revision, pageSize, startKey));
  }

  // --------------------------------------------------------------------------------------------- connect

  /**
   * Admission of a CONNECT request ({@code pods/exec}, {@code pods/attach}, {@code pods/portforward}, proxies):
   * mutating then validating admission with the connect options (for example a {@code v1 PodExecOptions}, with
   * {@code kind} and {@code apiVersion}) as the object. Completes once admitted; fails with the refusal's Status.
   * The streaming handlers call it before they open the stream.
   */
  public CompletionStage<Void> admitConnect(String namespace, String name, String subresource,
      ObjectNode connectOptions, dev.hostplane.apiserver.authn.UserInfo user,
      dev.hostplane.apiserver.admission.AdmissionContext context) {
    Attributes attrs = new Attributes(Operation.CONNECT, type, namespace, name, subresource, connectOptions, null,
        false, user, connectOptions, context);
    return admission.admit(attrs).thenCompose(v -> admission.validate(attrs));
  }

  // ---------------------------------------------------------------------------------------------- create

  /**
   * Creates {@code obj} (already decoded, kind checked) in {@code namespace}. Order: generateName -> defaults ->
   * mutating admission -> prepareForCreate -> validation -> validating admission -> storage.
   */
  public CompletionStage<ObjectNode> create(String namespace, ObjectNode obj, Options.Write options) {
    try {
      ObjectNode meta = ObjectMeta.meta(obj);
      if (type.namespaced()) {
        meta.put("namespace", namespace);
      } else {
        meta.remove("namespace");
      }
      String name = ObjectMeta.name(obj);
      String generateName = ObjectMeta.text(obj, "generateName");
      if ((name == null || name.isEmpty()) && generateName != null && !generateName.isEmpty()) {
        meta.put("name", generateName(generateName));
      }
      ObjectNode storageObj = track(null, toStorage(obj), "", options);
      Attributes attrs = new Attributes(Operation.CREATE, type, namespace, ObjectMeta.name(storageObj), "",
          storageObj, null, options.dryRun(), options.user(), operationOptions("CreateOptions", options),
          options.context());
      AtomicReference<ObjectNode[]> held = new AtomicReference<>();
      CompletionStage<ObjectNode> result = admission.admit(attrs)
          .thenCompose(v -> prepareHolding(storageObj, null, () -> prepareForCreate(storageObj), held,
              options.dryRun(), 1))
          .thenCompose(v -> {
            List<Status.Cause> causes = new ArrayList<>(MetaValidation.validate(type, storageObj));
            causes.addAll(type.strategy().validate(storageObj));
            if (!causes.isEmpty()) {
              throw ApiException.invalid(type.group(), type.kind(), ObjectMeta.name(storageObj), causes);
            }
            return admission.validate(attrs);
          }).thenCompose(v -> {
            String objName = ObjectMeta.name(storageObj);
            if (options.dryRun()) {
              // Nothing is written; answer as if it had been, but only if the name is free.
              return storage.get(key(namespace, objName)).handle((existing, err) -> {
                if (err == null) {
                  throw ApiException.alreadyExists(type.group(), type.resource(), objName);
                }
                if (!(unwrap(err) instanceof StorageException se
                    && se.code() == StorageException.Code.KEY_NOT_FOUND)) {
                  throw translate(err, objName);
                }
                return fromStorage(storageObj.deepCopy());
              });
            }
            return storage.create(key(namespace, objName), codec.encode(storageObj))
                .handle((stored, err) -> {
                  if (err != null) {
                    throw translate(err, objName);
                  }
                  return codec.decode(stored);
                });
          });
      // Allocations taken in prepareForCreate go back unless the object was really stored.
      return releasing(result, (stored, err) -> {
        ObjectNode[] h = held.getAndSet(null);
        return h != null && (err != null || options.dryRun()) ? release(h) : DONE;
      });
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** How often a write re-prepares after losing a claim to another apiserver (each loss teaches it one value). */
  static final int MAX_CLAIM_ATTEMPTS = 16;

  /**
   * Runs {@code prepare} and, for types that hold allocations, claims what it took in shared storage (not on a dry
   * run). A claim lost to another apiserver has been given back by the holder; the object is reset to what it was
   * before {@code prepare} and prepared again, which picks other values or reports a requested one as allocated.
   * {@code held} is set to {@code {obj, old}} while {@code obj} holds what prepare took, null otherwise.
   */
  private CompletionStage<Void> prepareHolding(ObjectNode obj, ObjectNode old, Runnable prepare,
      AtomicReference<ObjectNode[]> held, boolean dryRun, int attempt) {
    if (!(type.strategy() instanceof HoldsAllocations holder)) {
      prepare.run();
      return DONE;
    }
    ObjectNode before = obj.deepCopy();
    prepare.run();
    held.set(new ObjectNode[] {obj, old});
    if (dryRun) {
      return DONE;
    }
    return holder.claim(obj, old).handle((v, err) -> {
      if (err == null) {
        return DONE;
      }
      if (unwrap(err) instanceof AllocationConflict conflict) {
        held.set(null);
        if (attempt >= MAX_CLAIM_ATTEMPTS) {
          throw ApiException.internal("failed to allocate: " + conflict.getMessage());
        }
        obj.removeAll();
        obj.setAll(before);
        return prepareHolding(obj, old, prepare, held, dryRun, attempt + 1);
      }
      throw err instanceof CompletionException ce ? ce : new CompletionException(err);
    }).thenCompose(x -> x);
  }

  /** Gives back what a prepared attempt {@code {obj, old}} took (everything, when old is null). */
  private CompletionStage<Void> release(ObjectNode[] attempt) {
    HoldsAllocations holder = (HoldsAllocations) type.strategy();
    return attempt[1] == null ? holder.release(attempt[0]) : holder.releaseUnshared(attempt[0], attempt[1]);
  }

  /**
   * Completes like {@code stage}, but only after the give-back {@code release} returns for its outcome has finished
   * (a failed give-back is the holder's to log; it does not change the outcome).
   */
  private static <T> CompletionStage<T> releasing(CompletionStage<T> stage,
      java.util.function.BiFunction<T, Throwable, CompletionStage<Void>> release) {
    return stage.handle((value, err) -> {
      CompletionStage<Void> r;
      try {
        r = release.apply(value, err);
      } catch (RuntimeException e) {
        r = DONE;
      }
      return r.handle((x, e) -> null).thenCompose(x -> err == null
          ? CompletableFuture.completedFuture(value) : CompletableFuture.<T>failedFuture(err));
    }).thenCompose(f -> f);
  }

  /**
   * Defaults {@code next}, then records field ownership of the change from {@code old} (null on create) in
   * managedFields, as upstream does before admission and the strategy. A server-side apply has already recorded
   * its ownership, so only defaults apply then.
   */
  private ObjectNode track(ObjectNode old, ObjectNode next, String subresource, Options.Write options) {
    type.strategy().applyDefaults(next);
    if (fieldManager == null || options.applyPatch()) {
      return next;
    }
    String manager = options.fieldManager() == null || options.fieldManager().isEmpty() ? "unknown"
        : options.fieldManager();
    ObjectNode tracked = fieldManager.update(old, next, manager, subresource, type.apiVersion(), clock.instant());
    if (tracked != next) {
      next.removeAll();
      next.setAll(tracked);
    }
    return next;
  }

  private void prepareForCreate(ObjectNode obj) {
    ObjectNode meta = ObjectMeta.meta(obj);
    meta.put("uid", UUID.randomUUID().toString());
    meta.put("creationTimestamp", now());
    meta.remove("resourceVersion");
    meta.remove("deletionTimestamp");
    meta.remove("deletionGracePeriodSeconds");
    meta.remove("selfLink");
    if (type.strategy().tracksGeneration()) {
      meta.put("generation", 1);
    } else {
      meta.remove("generation");
    }
    type.strategy().prepareForCreate(obj);
  }

  // ---------------------------------------------------------------------------------------------- update

  /** A function from the current object (this type's version) to the desired one; null when absent. */
  @FunctionalInterface
  public interface Transform {
    ObjectNode apply(ObjectNode current);
  }

  /**
   * How admission sees a subresource write that is stored as its parent (the {@code scale} subresource): admission
   * gets {@link #view} of the new and old parent, and what mutating admission leaves in the view is written back
   * with {@link #applyBack}. Plugins and webhooks matching the parent resource alone are not involved.
   */
  public interface AdmissionView {
    ObjectNode view(ObjectNode parent);

    void applyBack(ObjectNode view, ObjectNode parent);
  }

  /**
   * PUT: replaces the object (or the {@code status} subresource) with {@code obj}. A resourceVersion in the body
   * is a precondition (409 when stale).
   */
  public CompletionStage<Written> update(String namespace, String name, String subresource, ObjectNode obj,
      Options.Write options) {
    ObjectMeta.meta(obj);
    if (type.namespaced()) {
      ObjectMeta.meta(obj).put("namespace", namespace);
    }
    return updateWith(namespace, name, subresource, options, type.strategy().allowCreateOnUpdate(),
        current -> obj.deepCopy());
  }

  /**
   * The one update path (PUT and every PATCH type): reads the current object, applies {@code transform}, checks
   * preconditions, runs defaults -> mutating admission -> prepareForUpdate -> validation -> validating admission,
   * and compare-and-swaps the result, retrying on concurrent writes. Objects whose deletion is pending and whose
   * last finalizer goes are deleted.
   */
  public CompletionStage<Written> updateWith(String namespace, String name, String subresource,
      Options.Write options, boolean allowCreate, Transform transform) {
    return updateWith(namespace, name, subresource, options, allowCreate, transform, null);
  }

  /**
   * Like {@link #updateWith(String, String, String, Options.Write, boolean, Transform)}, for a subresource stored as
   * its parent whose admission sees {@code view} (null: the parent itself).
   */
  public CompletionStage<Written> updateWith(String namespace, String name, String subresource,
      Options.Write options, boolean allowCreate, Transform transform, AdmissionView view) {
    String key = key(namespace, name);
    boolean mayCreate = allowCreate && subresource.isEmpty();
    java.util.concurrent.atomic.AtomicBoolean created = new java.util.concurrent.atomic.AtomicBoolean();
    // The last attempt's (next, old) while it holds allocations: a retried or failed attempt gives back what it
    // alone took, and the next attempt starts only once that is done.
    AtomicReference<ObjectNode[]> attempt = new AtomicReference<>();
    Storage.Mutation mutation = current -> {
      ObjectNode[] previous = attempt.getAndSet(null);
      return (previous != null ? release(previous) : DONE).thenCompose(r -> {
        created.set(current == null);
        if (current == null) {
          return createOnUpdate(namespace, name, transform.apply(null), options, attempt);
        }
        return nextVersion(namespace, name, subresource, options, transform, current, attempt, view);
      });
    };
    // Afterwards: a failed write gives back what its last attempt took; a done one what the old object held and
    // the new one does not.
    java.util.function.BiFunction<Object, Throwable, CompletionStage<Void>> giveBack = (stored, err) -> {
      ObjectNode[] last = attempt.getAndSet(null);
      if (last == null) {
        return DONE;
      }
      if (err != null || options.dryRun()) {
        return release(last);
      }
      return last[1] == null ? DONE : ((HoldsAllocations) type.strategy()).releaseUnshared(last[1], last[0]);
    };
    if (options.dryRun()) {
      return releasing(dryRunUpdate(key, name, mayCreate, mutation), giveBack::apply);
    }
    return releasing(storage.guaranteedUpdate(key, mayCreate, mutation), giveBack::apply)
        .handle((stored, err) -> {
          if (err != null) {
            throw translate(err, name);
          }
          return stored;
        })
        .thenCompose(stored -> finishUpdate(key, name, stored, created.get()));
  }

  /**
   * One attempt of {@link #updateWith} on the stored {@code current}: transform, preconditions, defaults -> mutating
   * admission -> prepareForUpdate (and claims) -> validation -> validating admission; the bytes to write.
   */
  private CompletionStage<byte[]> nextVersion(String namespace, String name, String subresource,
      Options.Write options, Transform transform, StoredObject current, AtomicReference<ObjectNode[]> attempt,
      AdmissionView view) {
    ObjectNode oldExternal = codec.decode(current);
    ObjectNode desired = transform.apply(oldExternal.deepCopy());
    checkIdentity(desired, namespace, name);
    String requestedRv = ObjectMeta.resourceVersion(desired);
    if (requestedRv != null && !requestedRv.isEmpty()
        && !requestedRv.equals(Long.toString(current.modRevision()))) {
      throw ApiException.conflict(type.group(), type.resource(), name,
          "the object has been modified; please apply your changes to the latest version and try again");
    }
    String requestedUid = ObjectMeta.uid(desired);
    String currentUid = ObjectMeta.uid(oldExternal);
    if (requestedUid != null && !requestedUid.isEmpty() && !requestedUid.equals(currentUid)) {
      throw ApiException.conflict(type.group(), type.resource(), name,
          "Precondition failed: UID in precondition: " + requestedUid + ", UID in object meta: " + currentUid);
    }
    ObjectNode old = codec.decodeStorage(current);
    ObjectNode next = track(old, toStorage(desired), subresource, options);
    java.util.function.Supplier<Attributes> attributes = () -> new Attributes(Operation.UPDATE, type, namespace, name,
        subresource, view == null ? next : view.view(next), view == null ? old : view.view(old), options.dryRun(),
        options.user(), operationOptions("UpdateOptions", options), options.context());
    Attributes attrs = attributes.get();
    // A viewed subresource changes the parent like a write of the parent (spec included), not like status.
    String prepareAs = view == null ? subresource : "";
    return admission.admit(attrs)
        .thenRun(() -> {
          if (view != null) {
            view.applyBack(attrs.object(), next);
          }
        })
        .thenCompose(v -> prepareHolding(next, old, () -> prepareForUpdate(next, old, prepareAs), attempt,
            options.dryRun(), 1))
        .thenCompose(v -> {
          List<Status.Cause> causes = new ArrayList<>(MetaValidation.validate(type, next));
          causes.addAll(MetaValidation.validateUpdate(next, old));
          causes.addAll(type.strategy().validateUpdate(next, old));
          if (!causes.isEmpty()) {
            throw ApiException.invalid(type.group(), type.kind(), name, causes);
          }
          return admission.validate(view == null ? attrs : attributes.get());
        }).thenApply(v -> codec.encode(next));
  }

  private CompletionStage<Written> dryRunUpdate(String key, String name, boolean mayCreate,
      Storage.Mutation mutation) {
    {
      return storage.get(key).handle((cur, err) -> {
        if (err != null) {
          StorageException se = unwrap(err) instanceof StorageException s ? s : null;
          if (se != null && se.code() == StorageException.Code.KEY_NOT_FOUND && mayCreate) {
            return null;
          }
          throw translate(err, name);
        }
        return cur;
      }).thenCompose(cur -> mutation.apply(cur).thenApply(bytes -> {
        long rv = cur == null ? 0 : cur.modRevision();
        return new Written(codec.decode(new StoredObject(key, bytes, cur == null ? 0 : cur.createRevision(), rv)),
            cur == null);
      }));
    }
  }

  private CompletionStage<Written> finishUpdate(String key, String name, StoredObject stored, boolean created) {
    {
      {
          ObjectNode storedObj = codec.decodeStorage(stored);
          boolean held = type.strategy() instanceof DeletionGate gate && gate.holdsDeletion(storedObj);
          if (ObjectMeta.isDeleting(storedObj) && !ObjectMeta.hasFinalizers(storedObj) && !held) {
            // The last finalizer went: finish the deletion (only if nobody wrote in between).
            return storage.delete(key, cur -> {
              if (cur.modRevision() != stored.modRevision()) {
                throw ApiException.conflict(type.group(), type.resource(), name, "object changed during deletion");
              }
            }).handle((deleted, err) -> {
              if (err != null && !(unwrap(err) instanceof StorageException se
                  && se.code() == StorageException.Code.KEY_NOT_FOUND)) {
                throw translate(err, name);
              }
              return deleted;
            }).thenCompose(deleted -> releaseAllocations(storedObj)
                .thenApply(r -> new Written(codec.decode(stored), false)));
          }
          return CompletableFuture.completedFuture(new Written(codec.decode(stored), created));
      }
    }
  }

  private CompletionStage<Void> releaseAllocations(ObjectNode storageObj) {
    return type.strategy() instanceof HoldsAllocations holder ? holder.release(storageObj) : DONE;
  }

  /** The result of an update: the object as stored, and whether this write created it. */
  public record Written(ObjectNode object, boolean created) {}

  private CompletionStage<byte[]> createOnUpdate(String namespace, String name, ObjectNode obj,
      Options.Write options, AtomicReference<ObjectNode[]> attempt) {
    checkIdentity(obj, namespace, name);
    ObjectMeta.meta(obj).remove("resourceVersion");
    ObjectNode storageObj = track(null, toStorage(obj), "", options);
    Attributes attrs = new Attributes(Operation.CREATE, type, namespace, name, "", storageObj, null,
        options.dryRun(), options.user(), operationOptions("CreateOptions", options), options.context());
    return admission.admit(attrs)
        .thenCompose(v -> prepareHolding(storageObj, null, () -> prepareForCreate(storageObj), attempt,
            options.dryRun(), 1))
        .thenCompose(v -> {
          List<Status.Cause> causes = new ArrayList<>(MetaValidation.validate(type, storageObj));
          causes.addAll(type.strategy().validate(storageObj));
          if (!causes.isEmpty()) {
            throw ApiException.invalid(type.group(), type.kind(), name, causes);
          }
          return admission.validate(attrs);
        }).thenApply(v -> codec.encode(storageObj));
  }

  private void checkIdentity(ObjectNode obj, String namespace, String name) {
    if (obj == null) {
      throw ApiException.badRequest("the body of the request was empty");
    }
    String bodyName = ObjectMeta.name(obj);
    if (bodyName == null || bodyName.isEmpty()) {
      ObjectMeta.meta(obj).put("name", name);
    } else if (!bodyName.equals(name)) {
      throw ApiException.badRequest(
          "the name of the object (" + bodyName + ") does not match the name on the URL (" + name + ")");
    }
    if (type.namespaced()) {
      String ns = ObjectMeta.namespace(obj);
      if (ns != null && !ns.isEmpty() && !ns.equals(namespace)) {
        throw ApiException.badRequest(
            "the namespace of the provided object does not match the namespace sent on the request");
      }
      ObjectMeta.meta(obj).put("namespace", namespace);
    }
  }

  /**
   * Keeps what a client may not change: identity and lifecycle metadata always; status on the main resource and
   * everything but status on the status subresource (for types with one); bumps generation on spec changes.
   */
  private void prepareForUpdate(ObjectNode next, ObjectNode old, String subresource) {
    ObjectNode meta = ObjectMeta.meta(next);
    ObjectNode oldMeta = ObjectMeta.meta(old);
    if (!subresource.isEmpty()) {
      // A subresource write changes only its part: status (status, approval) or spec.finalizers (finalize).
      boolean finalize = subresource.equals("finalize");
      JsonNode part = finalize ? next.path("spec").get("finalizers") : next.get("status");
      next.removeAll();
      next.setAll(old.deepCopy());
      JsonNode managed = ObjectMeta.meta(next).get("managedFields");
      ObjectNode target = finalize ? ObjectMeta.child(next, "spec") : next;
      String field = finalize ? "finalizers" : "status";
      if (part != null) {
        target.set(field, part.deepCopy());
      } else {
        target.remove(field);
      }
      ObjectMeta.meta(next).remove("resourceVersion");
      if (managed != null) {
        ObjectMeta.meta(next).set("managedFields", managed); // ownership recorded for this subresource write
      }
      return;
    }
    for (String f : List.of("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
        "generation")) {
      JsonNode v = oldMeta.get(f);
      if (v == null) {
        meta.remove(f);
      } else {
        meta.set(f, v.deepCopy());
      }
    }
    meta.remove("resourceVersion");
    meta.remove("selfLink");
    if (type.hasStatus()) {
      JsonNode oldStatus = old.get("status");
      if (oldStatus == null) {
        next.remove("status");
      } else {
        next.set("status", oldStatus.deepCopy());
      }
    }
    type.strategy().prepareForUpdate(next, old);
    if (type.strategy().tracksGeneration() && specChanged(next, old)) {
      long gen = oldMeta.path("generation").asLong(1);
      meta.put("generation", gen + 1);
    }
  }

  private static boolean specChanged(ObjectNode next, ObjectNode old) {
    ObjectNode a = next.deepCopy();
    ObjectNode b = old.deepCopy();
    for (ObjectNode o : List.of(a, b)) {
      o.remove("metadata");
      o.remove("status");
      o.remove("apiVersion");
      o.remove("kind");
    }
    return !a.equals(b);
  }

  /**
   * Writes {@code transform(current)} with compare-and-swap retries but without strategy or admission: for
   * subresources that enforce their own rules (pod binding). The transform must keep identity fields.
   */
  public CompletionStage<ObjectNode> updateDirect(String namespace, String name, Transform transform) {
    return storage.guaranteedUpdate(key(namespace, name), false, current -> {
      ObjectNode next = toStorage(transform.apply(codec.decode(current)));
      return CompletableFuture.completedFuture(codec.encode(next));
    }).handle((stored, err) -> {
      if (err != null) {
        throw translate(err, name);
      }
      return codec.decode(stored);
    });
  }

  // ---------------------------------------------------------------------------------------------- delete

  /** The outcome of a delete: the object as it stands (deletion pending) or as it was (gone). */
  public record Deletion(ObjectNode object, boolean pending) {}

  /**
   * DELETE: checks preconditions; objects with finalizers (including those the propagation policy adds) and pods
   * that are running on a node get a deletionTimestamp and stay; others go at once.
   */
  public CompletionStage<Deletion> delete(String namespace, String name, Options.Delete options) {
    String key = key(namespace, name);
    return storage.get(key).handle((stored, err) -> {
      if (err != null) {
        throw translate(err, name);
      }
      return stored;
    }).thenCompose(stored -> deleteStored(namespace, name, stored, options));
  }

  private CompletionStage<Deletion> deleteStored(String namespace, String name, StoredObject stored,
      Options.Delete options) {
    String key = key(namespace, name);
    ObjectNode current = codec.decodeStorage(stored);
    checkDeletePreconditions(current, stored, options, name);
    Attributes attrs = new Attributes(Operation.DELETE, type, namespace, name, "", null, current,
        options.dryRun(), options.user(), deleteOptions(options), options.context());
    // Mutating admission sees deletes too (webhooks may observe them), with nothing to change.
    return admission.admit(attrs).thenCompose(v -> admission.validate(attrs)).thenCompose(v -> {
      ObjectNode graceful = gracefulDeletion(current, options);
      if (graceful != null) {
        if (options.dryRun()) {
          return CompletableFuture.completedFuture(new Deletion(codec.fromStorage(graceful, stored), true));
        }
        byte[] bytes = codec.encode(graceful);
        return storage.guaranteedUpdate(key, false, cur -> {
          if (cur.modRevision() != stored.modRevision()) {
            ObjectNode again = codec.decodeStorage(cur);
            checkDeletePreconditions(again, cur, options, name);
            ObjectNode g = gracefulDeletion(again, options);
            return CompletableFuture.completedFuture(g == null ? cur.value() : codec.encode(g));
          }
          return CompletableFuture.completedFuture(bytes);
        }).handle((updated, err) -> {
          if (err != null) {
            throw translate(err, name);
          }
          return new Deletion(codec.decode(updated), true);
        });
      }
      if (options.dryRun()) {
        return CompletableFuture.completedFuture(new Deletion(codec.decode(stored), false));
      }
      return storage.delete(key, cur -> {
        ObjectNode again = cur.modRevision() == stored.modRevision() ? current : codec.decodeStorage(cur);
        checkDeletePreconditions(again, cur, options, name);
        if (cur.modRevision() != stored.modRevision() && gracefulDeletion(again, options) != null) {
          throw ApiException.conflict(type.group(), type.resource(), name,
              "the object has been modified; please apply your changes to the latest version and try again");
        }
      }).handle((deleted, err) -> {
        if (err != null) {
          throw translate(err, name);
        }
        return deleted;
      }).thenCompose(deleted -> releaseAllocations(codec.decodeStorage(deleted))
          .thenApply(r -> new Deletion(codec.decode(deleted), false)));
    });
  }

  private void checkDeletePreconditions(ObjectNode current, StoredObject stored, Options.Delete options,
      String name) {
    if (options.preconditionUid() != null && !options.preconditionUid().equals(ObjectMeta.uid(current))) {
      throw ApiException.conflict(type.group(), type.resource(), name,
          "Precondition failed: UID in precondition: " + options.preconditionUid()
              + ", UID in object meta: " + ObjectMeta.uid(current));
    }
    if (options.preconditionResourceVersion() != null
        && !options.preconditionResourceVersion().equals(Long.toString(stored.modRevision()))) {
      throw ApiException.conflict(type.group(), type.resource(), name,
          "Precondition failed: ResourceVersion in precondition: " + options.preconditionResourceVersion()
              + ", ResourceVersion in object meta: " + stored.modRevision());
    }
  }

  /**
   * The object with its deletion marked, when it must stay for now (finalizers, propagation finalizers, or a
   * graceful pod deletion); null when it can go at once.
   */
  private ObjectNode gracefulDeletion(ObjectNode current, Options.Delete options) {
    ObjectNode next = current.deepCopy();
    String policy = options.propagationPolicy();
    if ("Orphan".equals(policy)) {
      ObjectMeta.addFinalizer(next, "orphan");
    } else if ("Foreground".equals(policy)) {
      ObjectMeta.addFinalizer(next, "foregroundDeletion");
    }
    Long grace = type.strategy() instanceof GracefulDeletion gd
        ? gd.gracePeriod(next, options.gracePeriodSeconds())
        : null;
    boolean held = type.strategy() instanceof DeletionGate gate && gate.holdsDeletion(next);
    boolean finalizers = ObjectMeta.hasFinalizers(next);
    if (!finalizers && !held && (grace == null || grace == 0)) {
      return null;
    }
    if (type.strategy() instanceof DeletionGate gate) {
      gate.markDeleting(next);
    }
    ObjectNode meta = ObjectMeta.meta(next);
    if (!ObjectMeta.isDeleting(next)) {
      Instant at = clock.instant().truncatedTo(ChronoUnit.SECONDS).plusSeconds(grace == null ? 0 : grace);
      meta.put("deletionTimestamp", at.toString());
      meta.put("deletionGracePeriodSeconds", grace == null ? 0 : grace);
    } else if (grace != null && grace < meta.path("deletionGracePeriodSeconds").asLong(Long.MAX_VALUE)) {
      // A shorter grace period may replace a longer one, as upstream allows.
      meta.put("deletionGracePeriodSeconds", grace);
      meta.put("deletionTimestamp",
          clock.instant().truncatedTo(ChronoUnit.SECONDS).plusSeconds(grace).toString());
    }
    if (next.equals(current)) {
      return current;
    }
    return next;
  }

  /** How many deletes of one deletecollection run at once (upstream runs --delete-collection-workers, 1). */
  static final int DELETE_COLLECTION_CONCURRENCY = 16;

  /**
   * DELETE on the collection: deletes every object the selectors match (only the first {@code limit} when the
   * selection has one); returns the list of them. Deletes run a bounded number at a time, so a large collection
   * neither floods storage nor holds every pending delete in memory at once.
   */
  public CompletionStage<ObjectNode> deleteCollection(String namespace, Options.Read selection,
      Options.Delete options) {
    return list(namespace, new Options.Read(selection.labelSelector(), selection.fieldSelector(), selection.limit(),
        null, null, null, false, null, null)).thenCompose(list -> {
          List<ObjectNode> items = new ArrayList<>();
          list.withArray("items").forEach(i -> items.add((ObjectNode) i));
          ArrayNode deleted = NODES.arrayNode();
          return deleteBatches(items, 0, options, deleted).thenApply(v -> {
            list.set("items", deleted);
            return list;
          });
        });
  }

  private CompletionStage<Void> deleteBatches(List<ObjectNode> items, int from, Options.Delete options,
      ArrayNode deleted) {
    if (from >= items.size()) {
      return CompletableFuture.completedFuture(null);
    }
    int to = Math.min(items.size(), from + DELETE_COLLECTION_CONCURRENCY);
    List<CompletableFuture<ObjectNode>> batch = new ArrayList<>();
    for (ObjectNode item : items.subList(from, to)) {
      batch.add(delete(ObjectMeta.namespace(item), ObjectMeta.name(item), options).handle((d, err) -> {
        if (err == null) {
          return d.object();
        }
        if (unwrap(err) instanceof ApiException ae && ae.code() == 404) {
          return null; // gone meanwhile
        }
        throw err instanceof CompletionException ce ? ce : new CompletionException(err);
      }).toCompletableFuture());
    }
    return CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).thenCompose(v -> {
      batch.stream().map(CompletableFuture::join).filter(Objects::nonNull).forEach(deleted::add);
      return deleteBatches(items, to, options, deleted);
    });
  }

  // ---------------------------------------------------------------------------------------------- helpers

  /** The meta.k8s.io/v1 CreateOptions or UpdateOptions of a write, as admission reports them. */
  private static ObjectNode operationOptions(String kind, Options.Write options) {
    ObjectNode o = NODES.objectNode().put("kind", kind).put("apiVersion", "meta.k8s.io/v1");
    if (options.dryRun()) {
      o.putArray("dryRun").add("All");
    }
    if (options.fieldManager() != null) {
      o.put("fieldManager", options.fieldManager());
    }
    return o;
  }

  /** The meta.k8s.io/v1 DeleteOptions of a delete, as admission reports them. */
  private static ObjectNode deleteOptions(Options.Delete options) {
    ObjectNode o = NODES.objectNode().put("kind", "DeleteOptions").put("apiVersion", "meta.k8s.io/v1");
    if (options.gracePeriodSeconds() != null) {
      o.put("gracePeriodSeconds", options.gracePeriodSeconds());
    }
    if (options.preconditionUid() != null || options.preconditionResourceVersion() != null) {
      ObjectNode pre = o.putObject("preconditions");
      if (options.preconditionUid() != null) {
        pre.put("uid", options.preconditionUid());
      }
      if (options.preconditionResourceVersion() != null) {
        pre.put("resourceVersion", options.preconditionResourceVersion());
      }
    }
    if (options.propagationPolicy() != null) {
      o.put("propagationPolicy", options.propagationPolicy());
    }
    if (options.dryRun()) {
      o.putArray("dryRun").add("All");
    }
    return o;
  }

  private ObjectNode toStorage(ObjectNode external) {
    return codec.toStorage(external);
  }

  private ObjectNode fromStorage(ObjectNode storageObj) {
    return codec.fromStorage(storageObj, null);
  }

  private String now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static String generateName(String base) {
    String b = base.length() > 58 ? base.substring(0, 58) : base;
    StringBuilder sb = new StringBuilder(b);
    for (int i = 0; i < 5; i++) {
      sb.append(NAME_CHARS.charAt(RANDOM.nextInt(NAME_CHARS.length())));
    }
    return sb.toString();
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Maps a storage failure to the API error upstream gives for it; API errors pass through. */
  RuntimeException translate(Throwable err, String name) {
    Throwable t = unwrap(err);
    if (t instanceof ApiException ae) {
      return ae;
    }
    if (t instanceof StorageException se) {
      return switch (se.code()) {
        case KEY_NOT_FOUND -> ApiException.notFound(type.group(), type.resource(), name);
        case KEY_EXISTS -> ApiException.alreadyExists(type.group(), type.resource(), name);
        case COMPACTED -> ApiException.gone("too old resource version: " + se.revision());
        case FUTURE_REVISION -> ResourceVersions.tooLarge(se.revision());
        case TIMEOUT -> ApiException.timeout("request did not complete within the allowed duration");
        // Retry-After: the storage may be back in a moment (etcd restarting, a leader election).
        case UNAVAILABLE -> new ApiException(Status.of(503, "ServiceUnavailable",
            "storage is unavailable: " + se.getMessage()).withRetryAfter(1));
        case CORRUPT -> ApiException.unavailable("storage is unavailable: " + se.getMessage());
        case INTERNAL -> ApiException.internal(se.getMessage());
      };
    }
    if (t instanceof RuntimeException re) {
      return re;
    }
    return new CompletionException(t);
  }

  private RuntimeException translateList(Throwable err, ListPlan plan) {
    Throwable t = unwrap(err);
    if (t instanceof StorageException se && se.code() == StorageException.Code.COMPACTED) {
      if (plan.continuing()) {
        return ApiException.expired("The provided continue parameter is too old to display a consistent list "
            + "result. You can start a new list without the continue parameter, or use the continue token in "
            + "this response to retrieve the remainder of the results. Continuing with the provided token "
            + "results in an inconsistent list - objects that were created, modified, or deleted between the "
            + "time the first chunk was returned and now may show up in the list.");
      }
      return ApiException.expired("too old resource version: " + plan.revision() + " (" + se.revision() + ")");
    }
    return translate(err, "");
  }
}

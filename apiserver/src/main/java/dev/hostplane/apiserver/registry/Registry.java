package dev.hostplane.apiserver.registry;

import dev.hostplane.apiserver.admission.Admission;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.apply.FieldManager;
import dev.hostplane.apiserver.patch.PatchSchema;
import dev.hostplane.apiserver.storage.Storage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Every served resource's {@link GenericStore}, built once over one storage backend. Thread-safe. */
public final class Registry {
  private final ResourceCatalog catalog;
  private final Storage storage;
  // Identity: ResourceType is a record whose hashCode walks all its components, and stores are looked up per request.
  private final Map<ResourceType, GenericStore> stores = new java.util.IdentityHashMap<>();

  public Registry(ResourceCatalog catalog, Storage storage, Admission admission, Clock clock, String prefix) {
    this(catalog, storage, admission, clock, prefix, gvk -> null);
  }

  /**
   * @param schemas the merge schema of a kind (storage version), or null when it has none; types with a schema get
   *     managedFields tracking
   */
  public Registry(ResourceCatalog catalog, Storage storage, Admission admission, Clock clock, String prefix,
      java.util.function.Function<GroupVersionKind, PatchSchema> schemas) {
    this.catalog = catalog;
    this.storage = storage;
    for (ResourceType t : catalog.all()) {
      ResourceType storageType = catalog.byStorage(t.storageResource()).get(0);
      PatchSchema storageSchema = schemas.apply(storageType.gvk());
      PatchSchema ownSchema = schemas.apply(t.gvk());
      FieldManager fm = storageSchema == null ? null
          : new FieldManager(storageSchema, storageType.kind(), t.hasStatus());
      stores.put(t, new GenericStore(t, storage, admission, clock, prefix, fm,
          ownSchema == null ? PatchSchema.UNKNOWN : ownSchema));
    }
  }

  public ResourceCatalog catalog() {
    return catalog;
  }

  public Storage storage() {
    return storage;
  }

  public GenericStore store(ResourceType type) {
    GenericStore s = stores.get(type);
    if (s == null) {
      throw new IllegalArgumentException("not served: " + type.gvr());
    }
    return s;
  }

  /** The store of a served group/version/resource; 404 when not served. */
  public GenericStore store(String group, String version, String resource) {
    return store(catalog.find(group, version, resource).orElseThrow(ApiException::notFoundPath));
  }

  /** One store per namespaced storage location (the first-registered, preferred version of each). */
  public List<GenericStore> namespacedStores() {
    Set<String> seen = new LinkedHashSet<>();
    List<GenericStore> out = new ArrayList<>();
    for (ResourceType t : catalog.all()) {
      if (t.namespaced() && seen.add(t.storageResource())) {
        out.add(stores.get(t));
      }
    }
    return out;
  }
}

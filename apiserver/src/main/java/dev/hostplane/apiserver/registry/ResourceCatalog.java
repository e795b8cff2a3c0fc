package dev.hostplane.apiserver.registry;

import dev.hostplane.apiserver.registry.ResourceType.Subresource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every served resource, by group/version/resource, in registration order (which is discovery's order). Immutable
 * once built; lookups are lock-free.
 */
public final class ResourceCatalog {
  private final List<ResourceType> types;
  private final Map<String, ResourceType> byGvr = new LinkedHashMap<>();
  private final Map<String, List<String>> versionsByGroup = new LinkedHashMap<>();

  private ResourceCatalog(List<ResourceType> types) {
    this.types = List.copyOf(types);
    for (ResourceType t : types) {
      byGvr.put(key(t.group(), t.version(), t.resource()), t);
      List<String> versions = versionsByGroup.computeIfAbsent(t.group(), g -> new ArrayList<>());
      if (!versions.contains(t.version())) {
        versions.add(t.version());
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<ResourceType> all() {
    return types;
  }

  public Optional<ResourceType> find(String group, String version, String resource) {
    return Optional.ofNullable(byGvr.get(key(group, version, resource)));
  }

  /** Groups in registration order; the core group is "". */
  public List<String> groups() {
    return List.copyOf(versionsByGroup.keySet());
  }

  /** Versions of a group, preferred first; empty when the group is not served. */
  public List<String> versions(String group) {
    return Collections.unmodifiableList(versionsByGroup.getOrDefault(group, List.of()));
  }

  public List<ResourceType> resources(String group, String version) {
    return types.stream().filter(t -> t.group().equals(group) && t.version().equals(version)).toList();
  }

  /** Every served version of the resource stored under {@code storageResource}. */
  public List<ResourceType> byStorage(String storageResource) {
    return types.stream().filter(t -> t.storageResource().equals(storageResource)).toList();
  }

  private static String key(String group, String version, String resource) {
    return group + "/" + version + "/" + resource;
  }

  /** Collects resource types; {@link #add} returns a small builder for one type. */
  public static final class Builder {
    private final List<ResourceType> types = new ArrayList<>();

    public TypeBuilder add(String group, String version, String kind, String resource, boolean namespaced) {
      return new TypeBuilder(this, group, version, kind, resource, namespaced);
    }

    public ResourceCatalog build() {
      return new ResourceCatalog(types);
    }
  }

  /** One resource type being described; {@link #done()} registers it. */
  public static final class TypeBuilder {
    private final Builder owner;
    private final String group;
    private final String version;
    private final String kind;
    private final String resource;
    private final boolean namespaced;
    private List<String> shortNames = List.of();
    private List<String> categories = List.of();
    private final List<Subresource> subresources = new ArrayList<>();
    private Strategy strategy = Strategy.DEFAULT;
    private String storageResource;
    private VersionConverter converter = VersionConverter.IDENTITY;

    private TypeBuilder(Builder owner, String group, String version, String kind, String resource,
        boolean namespaced) {
      this.owner = owner;
      this.group = group;
      this.version = version;
      this.kind = kind;
      this.resource = resource;
      this.namespaced = namespaced;
      this.storageResource = group.isEmpty() ? resource : group + "/" + resource;
    }

    public TypeBuilder shortNames(String... names) {
      this.shortNames = List.of(names);
      return this;
    }

    public TypeBuilder categories(String... names) {
      this.categories = List.of(names);
      return this;
    }

    /** The {@code status} subresource (get, patch, update), answering with this kind. */
    public TypeBuilder status() {
      subresources.add(new Subresource("status", group, version, kind, List.of("get", "patch", "update")));
      return this;
    }

    public TypeBuilder subresource(String name, String subGroup, String subVersion, String subKind,
        String... verbs) {
      subresources.add(new Subresource(name, subGroup, subVersion, subKind, List.of(verbs)));
      return this;
    }

    public TypeBuilder strategy(Strategy s) {
      this.strategy = s;
      return this;
    }

    /** Shares storage with another resource (another version of it, or upstream's shared storage). */
    public TypeBuilder storedAs(String storage, VersionConverter c) {
      this.storageResource = storage;
      this.converter = c;
      return this;
    }

    public Builder done() {
      String singular = kind.toLowerCase(java.util.Locale.ROOT);
      owner.types.add(new ResourceType(new GroupVersionResource(group, version, resource), kind, singular,
          namespaced, shortNames, categories, subresources, strategy, storageResource, converter));
      return owner;
    }
  }
}

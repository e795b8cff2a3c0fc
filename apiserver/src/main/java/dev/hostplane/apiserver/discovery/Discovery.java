package dev.hostplane.apiserver.discovery;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.registry.ResourceCatalog;
import dev.hostplane.apiserver.registry.ResourceType;
import java.util.List;
import java.util.Optional;

/**
 * The discovery documents, legacy and aggregated (apidiscovery.k8s.io v2 and v2beta1), derived once from the
 * catalogue (plus any extra resources served outside storage). Immutable and thread-safe.
 */
public final class Discovery {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** A resource served outside the generic store (access reviews, for instance): listed but not stored. */
  public record ExtraResource(String group, String version, String resource, String kind, boolean namespaced,
      List<String> verbs) {}

  private final ResourceCatalog catalog;
  private final List<ExtraResource> extras;
  private final java.util.function.Supplier<String> serverAddress;

  /**
   * @param serverAddress {@code host:port} clients should use, listed in serverAddressByClientCIDRs
   */
  public Discovery(ResourceCatalog catalog, List<ExtraResource> extras,
      java.util.function.Supplier<String> serverAddress) {
    this.catalog = catalog;
    this.extras = List.copyOf(extras);
    this.serverAddress = serverAddress;
  }

  /** {@code /api}: APIVersions. */
  public ObjectNode apiVersions() {
    ObjectNode n = NODES.objectNode();
    n.put("kind", "APIVersions");
    n.putArray("versions").add("v1");
    ArrayNode cidrs = n.putArray("serverAddressByClientCIDRs");
    ObjectNode c = cidrs.addObject();
    c.put("clientCIDR", "0.0.0.0/0");
    c.put("serverAddress", serverAddress.get());
    return n;
  }

  /** {@code /apis}: APIGroupList of every non-core group. */
  public ObjectNode apiGroupList() {
    ObjectNode n = NODES.objectNode();
    n.put("kind", "APIGroupList");
    n.put("apiVersion", "v1");
    ArrayNode groups = n.putArray("groups");
    for (String g : groups()) {
      if (!g.isEmpty()) {
        groups.add(apiGroupBody(g));
      }
    }
    return n;
  }

  /** {@code /apis/<group>}: APIGroup, or empty when the group is not served. */
  public Optional<ObjectNode> apiGroup(String group) {
    if (group.isEmpty() || !groups().contains(group)) {
      return Optional.empty();
    }
    ObjectNode n = apiGroupBody(group);
    n.put("kind", "APIGroup");
    n.put("apiVersion", "v1");
    return Optional.of(n);
  }

  private ObjectNode apiGroupBody(String group) {
    ObjectNode g = NODES.objectNode();
    g.put("name", group);
    ArrayNode versions = g.putArray("versions");
    List<String> vs = versions(group);
    for (String v : vs) {
      ObjectNode gv = versions.addObject();
      gv.put("groupVersion", group + "/" + v);
      gv.put("version", v);
    }
    ObjectNode preferred = g.putObject("preferredVersion");
    preferred.put("groupVersion", group + "/" + vs.get(0));
    preferred.put("version", vs.get(0));
    return g;
  }

  /** {@code /api/v1} or {@code /apis/<g>/<v>}: APIResourceList, or empty when not served. */
  public Optional<ObjectNode> apiResourceList(String group, String version) {
    if (!versions(group).contains(version)) {
      return Optional.empty();
    }
    ObjectNode n = NODES.objectNode();
    n.put("kind", "APIResourceList");
    n.put("apiVersion", "v1");
    n.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
    ArrayNode resources = n.putArray("resources");
    for (ResourceType t : catalog.resources(group, version)) {
      ObjectNode r = resources.addObject();
      r.put("name", t.resource());
      r.put("singularName", t.singular());
      r.put("namespaced", t.namespaced());
      r.put("kind", t.kind());
      strings(r.putArray("verbs"), ResourceType.ALL_VERBS);
      if (!t.shortNames().isEmpty()) {
        strings(r.putArray("shortNames"), t.shortNames());
      }
      if (!t.categories().isEmpty()) {
        strings(r.putArray("categories"), t.categories());
      }
      for (ResourceType.Subresource s : t.subresources()) {
        ObjectNode sr = resources.addObject();
        sr.put("name", t.resource() + "/" + s.name());
        sr.put("singularName", "");
        sr.put("namespaced", t.namespaced());
        // Like upstream (a storage that names its GroupVersionKind), a subresource served in another group or
        // version carries both: kubectl drain looks for pods/eviction with a non-empty group AND version, and
        // deletes the pods instead of evicting them when either is missing.
        if (!s.group().equals(group) || !s.version().equals(version)) {
          sr.put("group", s.group());
          sr.put("version", s.version());
        }
        sr.put("kind", s.kind());
        strings(sr.putArray("verbs"), s.verbs());
      }
    }
    for (ExtraResource e : extras) {
      if (e.group().equals(group) && e.version().equals(version)) {
        ObjectNode r = resources.addObject();
        r.put("name", e.resource());
        r.put("singularName", e.kind().toLowerCase(java.util.Locale.ROOT));
        r.put("namespaced", e.namespaced());
        r.put("kind", e.kind());
        strings(r.putArray("verbs"), e.verbs());
      }
    }
    return Optional.of(n);
  }

  /**
   * The aggregated document for {@code /api} (core only) or {@code /apis} (every other group).
   *
   * @param apiVersion {@code apidiscovery.k8s.io/v2} or {@code apidiscovery.k8s.io/v2beta1}
   */
  public ObjectNode aggregated(boolean core, String apiVersion) {
    ObjectNode n = NODES.objectNode();
    n.put("kind", "APIGroupDiscoveryList");
    n.put("apiVersion", apiVersion);
    n.putObject("metadata");
    ArrayNode items = n.putArray("items");
    for (String g : groups()) {
      if (g.isEmpty() != core) {
        continue;
      }
      ObjectNode item = items.addObject();
      item.putObject("metadata").put("name", g);
      ArrayNode versions = item.putArray("versions");
      for (String v : versions(g)) {
        ObjectNode ver = versions.addObject();
        ver.put("version", v);
        ArrayNode resources = ver.putArray("resources");
        for (ResourceType t : catalog.resources(g, v)) {
          ObjectNode r = resources.addObject();
          r.put("resource", t.resource());
          ObjectNode rk = r.putObject("responseKind");
          rk.put("group", g);
          rk.put("version", v);
          rk.put("kind", t.kind());
          r.put("scope", t.namespaced() ? "Namespaced" : "Cluster");
          r.put("singularResource", t.singular());
          strings(r.putArray("verbs"), ResourceType.ALL_VERBS);
          if (!t.shortNames().isEmpty()) {
            strings(r.putArray("shortNames"), t.shortNames());
          }
          if (!t.categories().isEmpty()) {
            strings(r.putArray("categories"), t.categories());
          }
          if (!t.subresources().isEmpty()) {
            ArrayNode subs = r.putArray("subresources");
            for (ResourceType.Subresource s : t.subresources()) {
              ObjectNode sr = subs.addObject();
              sr.put("subresource", s.name());
              ObjectNode sk = sr.putObject("responseKind");
              sk.put("group", s.group());
              sk.put("version", s.version());
              sk.put("kind", s.kind());
              strings(sr.putArray("verbs"), s.verbs());
            }
          }
        }
        for (ExtraResource e : extras) {
          if (e.group().equals(g) && e.version().equals(v)) {
            ObjectNode r = resources.addObject();
            r.put("resource", e.resource());
            ObjectNode rk = r.putObject("responseKind");
            rk.put("group", g);
            rk.put("version", v);
            rk.put("kind", e.kind());
            r.put("scope", e.namespaced() ? "Namespaced" : "Cluster");
            r.put("singularResource", e.kind().toLowerCase(java.util.Locale.ROOT));
            strings(r.putArray("verbs"), e.verbs());
          }
        }
        ver.put("freshness", "Current");
      }
    }
    return n;
  }

  private List<String> groups() {
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(catalog.groups());
    extras.forEach(e -> all.add(e.group()));
    return List.copyOf(all);
  }

  private List<String> versions(String group) {
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(catalog.versions(group));
    extras.stream().filter(e -> e.group().equals(group)).forEach(e -> all.add(e.version()));
    return List.copyOf(all);
  }

  private static void strings(ArrayNode a, List<String> values) {
    values.forEach(a::add);
  }
}

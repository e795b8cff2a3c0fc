package dev.hostplane.apiserver.registry;

import java.util.List;
import java.util.Optional;

/**
 * One served resource at one version: everything discovery, routing and the generic store need to know.
 *
 * @param storageResource the key segment under the storage prefix; versions of one resource (and upstream's
 *     shared storage such as core and events.k8s.io Events) share it
 * @param converter turns stored objects into this version and back; {@link VersionConverter#IDENTITY} when this is
 *     the storage version
 */
public record ResourceType(
    GroupVersionResource gvr,
    String kind,
    String singular,
    boolean namespaced,
    List<String> shortNames,
    List<String> categories,
    List<Subresource> subresources,
    Strategy strategy,
    String storageResource,
    VersionConverter converter) {

  public static final List<String> ALL_VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  /** A subresource such as {@code status}; {@code kind} is the kind it answers with (in {@code group/version}). */
  public record Subresource(String name, String group, String version, String kind, List<String> verbs) {}

  public ResourceType {
    shortNames = List.copyOf(shortNames);
    categories = List.copyOf(categories);
    subresources = List.copyOf(subresources);
  }

  public String group() {
    return gvr.group();
  }

  public String version() {
    return gvr.version();
  }

  public String resource() {
    return gvr.resource();
  }

  public String apiVersion() {
    return gvr.groupVersion();
  }

  public String listKind() {
    return kind + "List";
  }

  public GroupVersionKind gvk() {
    return new GroupVersionKind(gvr.group(), gvr.version(), kind);
  }

  public Optional<Subresource> subresource(String name) {
    return subresources.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public boolean hasStatus() {
    return subresource("status").isPresent();
  }
}

package dev.hostplane.apiserver.registry;

/** A group, version and resource (plural, lower case); the core group is "". */
public record GroupVersionResource(String group, String version, String resource) {
  public String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** {@code resource} or {@code resource.group}, as upstream prints a GroupResource. */
  public String groupResource() {
    return group.isEmpty() ? resource : resource + "." + group;
  }
}

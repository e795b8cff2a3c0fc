package dev.hostplane.apiserver.registry;

/** A group, version and kind; the core group is "". */
public record GroupVersionKind(String group, String version, String kind) {
  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  @Override
  public String toString() {
    return apiVersion() + ", Kind=" + kind;
  }
}

package dev.hostplane.apiserver.filter;

import java.util.List;

/**
 * What a request addresses, parsed once from its method and path, as upstream's RequestInfo. For non-resource
 * requests ({@code /version}, {@code /healthz}, discovery) {@code resourceRequest} is false and only {@code path} and
 * {@code verb} (the lower-case HTTP method) are meaningful. For resource requests, {@code verb} is one of get, list,
 * watch, create, update, patch, delete, deletecollection; {@code group} is "" for the core API.
 */
public record RequestInfo(
    boolean resourceRequest,
    String path,
    String verb,
    String apiPrefix,
    String group,
    String version,
    String namespace,
    String resource,
    String subresource,
    String name,
    List<String> parts) {

  public RequestInfo {
    parts = List.copyOf(parts);
  }

  /** {@code resource} or {@code resource/subresource}. */
  public String resourceWithSubresource() {
    return subresource.isEmpty() ? resource : resource + "/" + subresource;
  }
}

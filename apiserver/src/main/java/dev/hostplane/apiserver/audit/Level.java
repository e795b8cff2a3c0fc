package dev.hostplane.apiserver.audit;

/** How much of a request an audit event records, least to most (upstream's {@code audit.k8s.io} levels). */
public enum Level {
  /** Not audited. */
  None,
  /** Request metadata (user, verb, resource, response code); no bodies. */
  Metadata,
  /** Metadata and the request body. */
  Request,
  /** Metadata, the request body and the response body. */
  RequestResponse;

  public boolean atLeast(Level other) {
    return compareTo(other) >= 0;
  }
}

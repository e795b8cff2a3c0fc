package dev.hostplane.apiserver.audit;

/** The stages at which an audit event is emitted (upstream's names). */
public enum Stage {
  /** As soon as the request is received, before it is served. */
  RequestReceived,
  /** Once the response headers are sent and before the body ends; only for long-running requests (watches). */
  ResponseStarted,
  /** Once the response is complete. */
  ResponseComplete,
  /** When serving the request failed unexpectedly. */
  Panic
}

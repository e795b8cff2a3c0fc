package dev.hostplane.apiserver.server.internal;

import dev.hostplane.apiserver.api.Status;

/**
 * A request the transport refuses itself (body too large, malformed head, unsupported Expect), emitted by
 * {@link RequestAggregator} in the request's place so the connection handler answers it in order. The rest of
 * the request is being discarded; after the answer, HTTP/1.1 closes the connection and HTTP/2 resets the stream.
 */
record RejectedRequest(Status status) {}

package dev.hostplane.apiserver.server.internal;

import io.netty.handler.codec.http.HttpRequest;

/** A request head with its whole body, as {@link RequestAggregator} emits it. The head holds no buffers. */
record AggregatedRequest(HttpRequest head, byte[] body) {}

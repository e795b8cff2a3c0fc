package dev.hostplane.apiserver.server.internal;

import io.netty.util.AttributeKey;

/** The protocol handler of one accepted connection, as the server sees it during shutdown. */
interface ServerConnection {
  AttributeKey<ServerConnection> KEY = AttributeKey.valueOf(ServerConnection.class, "connection");

  /**
   * Stop taking new requests and close once the in-flight ones are answered: HTTP/2 sends GOAWAY; HTTP/1.1 closes
   * at once when idle, else after the current response (which carries {@code Connection: close}). Called for every
   * connection when the server shuts down, and for one HTTP/2 connection when a response asked to end it. Event
   * loop only. Idempotent.
   */
  void beginShutdown();
}

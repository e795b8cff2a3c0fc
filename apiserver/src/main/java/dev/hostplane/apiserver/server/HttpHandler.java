package dev.hostplane.apiserver.server;

/**
 * The application side of the server: answers exchanges. Called on an event loop; implementations must hop off it
 * before doing anything slow and must never throw (an escaped exception is answered with a 500 Status).
 */
@FunctionalInterface
public interface HttpHandler {
  void handle(HttpExchange exchange);
}

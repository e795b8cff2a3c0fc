package dev.hostplane.konnectivity.server.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Plain-HTTP {@code /healthz}, {@code /readyz} (health port) and {@code /metrics} (admin port), for the proxy-server
 * and the agent.
 */
public final class HttpEndpoints implements AutoCloseable {
  private final HttpServer server;

  private HttpEndpoints(HttpServer server) {
    this.server = server;
  }

  public static HttpEndpoints health(String host, int port, BooleanSupplier ready) throws IOException {
    return health(host, port, ready, "no agent connected");
  }

  /** {@code /readyz} answers 503 with {@code notReady} while {@code ready} is false. */
  public static HttpEndpoints health(String host, int port, BooleanSupplier ready, String notReady)
      throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 16);
    s.createContext("/healthz", ex -> reply(ex, 200, "text/plain", "ok"));
    s.createContext("/readyz", ex -> {
      if (ready.getAsBoolean()) {
        reply(ex, 200, "text/plain", "ok");
      } else {
        reply(ex, 503, "text/plain", notReady);
      }
    });
    return start(s);
  }

  public static HttpEndpoints admin(String host, int port, Supplier<String> metrics) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(host, port), 16);
    s.createContext("/metrics", ex -> reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
    return start(s);
  }

  private static HttpEndpoints start(HttpServer s) {
    s.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "konnectivity-http");
      t.setDaemon(true);
      return t;
    }));
    s.start();
    return new HttpEndpoints(s);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void reply(HttpExchange ex, int code, String type, String body) throws IOException {
    boolean exact = ex.getRequestURI().getPath().equals(ex.getHttpContext().getPath());
    byte[] bytes = (exact ? body : "404 page not found").getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", exact ? type : "text/plain");
    ex.sendResponseHeaders(exact ? code : 404, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}

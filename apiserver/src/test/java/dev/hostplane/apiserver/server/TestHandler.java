package dev.hostplane.apiserver.server;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Routes for the server tests. {@code /echo} answers at once (on the event loop, which is fine for a constant-time
 * answer); {@code /park} hands the exchange to the test thread, which answers it from there (a thread hop, as real
 * handlers do). {@code /close} answers with {@code Connection: close}.
 */
final class TestHandler implements HttpHandler {
  static final byte[] BIG = "0123456789abcdef".repeat(640).getBytes(StandardCharsets.US_ASCII); // 10 KiB
  static final byte[] SMALL = "small body".getBytes(StandardCharsets.US_ASCII);

  final BlockingQueue<HttpExchange> parked = new LinkedBlockingQueue<>();
  private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

  /** Requests that reached the handler. */
  int requests() {
    return requests.get();
  }

  @Override
  public void handle(HttpExchange ex) {
    requests.incrementAndGet();
    String path = ex.uri().split("\\?", 2)[0];
    switch (path) {
      case "/echo" -> ex.respond(200, Map.of(
          "Content-Type", "text/plain",
          "X-Method", ex.method(),
          "X-Uri", ex.uri(),
          "X-Protocol", ex.protocol(),
          "X-Peer", peer(ex),
          "X-Test-Header", String.valueOf(ex.header("X-Test"))), ex.body());
      case "/park" -> parked.add(ex);
      case "/throw" -> throw new IllegalStateException("secret internal detail");
      case "/twice" -> {
        ex.respond(200, Map.of(), "first".getBytes(StandardCharsets.US_ASCII));
        ex.respond(500, Map.of(), "second".getBytes(StandardCharsets.US_ASCII));
      }
      case "/close" -> ex.respond(200, Map.of("Content-Type", "text/plain", "Connection", "close"), SMALL);
      case "/big" -> ex.respond(200, Map.of("Content-Type", "text/plain"), BIG);
      case "/small" -> ex.respond(200, Map.of("Content-Type", "text/plain"), SMALL);
      case "/stream-big" -> {
        HttpExchange.ResponseStream s = ex.startStream(200, Map.of("Content-Type", "text/plain"));
        s.write(BIG);
        s.end();
      }
      default -> ex.respond(404, Map.of(), new byte[0]);
    }
  }

  HttpExchange awaitParked() throws InterruptedException {
    HttpExchange ex = parked.poll(10, TimeUnit.SECONDS);
    if (ex == null) {
      throw new AssertionError("no request reached the handler");
    }
    return ex;
  }

  private static String peer(HttpExchange ex) {
    if (ex.peerCertificates().isEmpty()) {
      return "none";
    }
    return ex.peerCertificates().get(0).getSubjectX500Principal().getName() + ";chain="
        + ex.peerCertificates().size();
  }
}

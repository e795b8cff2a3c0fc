package dev.hostplane.apiserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.testing.Http2TestClient;
import dev.hostplane.apiserver.testing.RawHttp1Client;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class GracefulShutdownTest {
  @TempDir
  Path dir;
  ServerHarness h;

  @BeforeEach
  void start() throws Exception {
    h = new ServerHarness(dir);
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private void assertNotAccepting() {
    assertThrows(IOException.class, () -> new Socket(h.address().getAddress(), h.address().getPort()).close());
  }

  @Test
  void http2InFlightRequestFinishesAfterGoAway() throws Exception {
    try (Http2TestClient c = h.h2()) {
      Http2TestClient.Stream stream = c.request("GET", "/park");
      HttpExchange ex = h.handler.awaitParked();

      CompletableFuture<Void> done = h.server.shutdown(Duration.ofSeconds(10));
      assertEquals(0L, c.goAway().get(5, TimeUnit.SECONDS), "GOAWAY(NO_ERROR)");
      assertNotAccepting();
      assertFalse(done.isDone(), "waits for the in-flight request");

      ex.respond(200, Map.of(), "finished".getBytes(StandardCharsets.UTF_8));
      Http2TestClient.Response res = stream.response(Duration.ofSeconds(5));
      assertEquals(200, res.status());
      assertEquals("finished", new String(res.body(), StandardCharsets.UTF_8));
      done.get(5, TimeUnit.SECONDS);
      c.closed().get(5, TimeUnit.SECONDS);
      assertSame(done, h.server.shutdown(Duration.ZERO), "idempotent");
    }
  }

  @Test
  void http1InFlightRequestGetsConnectionCloseAndIdleConnectionsClose() throws Exception {
    try (RawHttp1Client busy = h.h1(); RawHttp1Client idle = h.h1()) {
      idle.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(200, idle.readResponse().status()); // now idle, kept alive
      busy.send("GET /park HTTP/1.1\r\nHost: x\r\n\r\n");
      HttpExchange ex = h.handler.awaitParked();

      CompletableFuture<Void> done = h.server.shutdown(Duration.ofSeconds(10));
      assertTrue(idle.readsEof(), "idle keep-alive connection closed at once");
      assertFalse(done.isDone());

      ex.respond(200, Map.of(), "finished".getBytes(StandardCharsets.UTF_8));
      RawHttp1Client.Response res = busy.readResponse();
      assertEquals("finished", res.text());
      assertEquals("close", res.head().header("Connection"));
      assertTrue(busy.readsEof());
      done.get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void graceExpiryClosesWhatIsLeft() throws Exception {
    try (Http2TestClient c = h.h2()) {
      c.request("GET", "/park");
      HttpExchange ex = h.handler.awaitParked();
      CountDownLatch closed = new CountDownLatch(1);
      ex.onClose(closed::countDown);
      long start = System.nanoTime();
      h.server.shutdown(Duration.ofMillis(300)).get(5, TimeUnit.SECONDS);
      assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(250), "waited for the grace");
      assertTrue(closed.await(5, TimeUnit.SECONDS), "the abandoned exchange sees the close");
      c.closed().get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void shutdownWithoutConnectionsIsQuick() throws Exception {
    h.server.shutdown(Duration.ofSeconds(30)).get(5, TimeUnit.SECONDS);
    assertNotAccepting();
  }
}

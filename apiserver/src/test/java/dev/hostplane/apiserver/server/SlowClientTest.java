package dev.hostplane.apiserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.testing.Http2TestClient;
import dev.hostplane.apiserver.testing.RawHttp1Client;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow-loris clients cannot hold connections: headers and bodies that trickle in are cut off at the request read
 * timeout, and connections with nothing in flight are closed at the idle timeout. Scaled down: a read timeout of
 * 1 s and an idle timeout of 2 s.
 */
@Timeout(30)
class SlowClientTest {
  private static final Duration READ = Duration.ofSeconds(1);
  private static final Duration IDLE = Duration.ofSeconds(2);

  @TempDir
  Path dir;
  ServerHarness h;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  private void start(Duration idle) throws Exception {
    h = new ServerHarness(dir, o -> o.withConnectionTimeouts(READ, idle));
  }

  @Test
  void headersTricklingInAreCutOffWith408() throws Exception {
    start(IDLE);
    try (RawHttp1Client c = h.h1()) {
      long t0 = System.nanoTime();
      c.send("GET /echo HTTP/1.1\r\n");
      Thread.sleep(400);
      c.send("Host: x\r\n"); // still no end of headers
      RawHttp1Client.Response res = c.readResponse();
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(408, res.status(), res.text());
      assertTrue(res.text().contains("\"reason\":\"Timeout\""), res.text());
      assertEquals("close", res.head().header("Connection"));
      assertTrue(c.readsEof());
      assertTrue(ms >= 900 && ms < 5_000, "cut off after " + ms + " ms");
    }
  }

  @Test
  void aBodyTricklingInIsCutOffWith408OnHttp1() throws Exception {
    start(IDLE);
    try (RawHttp1Client c = h.h1()) {
      c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
      RawHttp1Client.Response res = c.readResponse();
      assertEquals(408, res.status(), res.text());
      assertTrue(c.readsEof());
    }
    assertEquals(0, h.handler.requests(), "the handler never saw the unfinished request");
  }

  @Test
  void aBodyTricklingInIsCutOffWith408OnHttp2AndTheConnectionLives() throws Exception {
    start(Duration.ZERO);
    try (Http2TestClient c = h.h2()) {
      Http2TestClient.Stream s = c.open(c.headers("POST", "/echo"), false);
      s.data("abc".getBytes(StandardCharsets.UTF_8), false);
      Http2TestClient.Response res = s.response(Duration.ofSeconds(5));
      assertEquals(408, res.status());
      // Only the stream was reset: the connection still serves.
      assertEquals(200, c.get("/echo", Duration.ofSeconds(5)).status());
    }
  }

  @Test
  void aSlowButSteadyRequestWithinTheTimeoutIsServed() throws Exception {
    start(IDLE);
    try (RawHttp1Client c = h.h1()) {
      c.send("POST /echo HTTP/1.1\r\nHost: x\r\n");
      Thread.sleep(500);
      c.send("Content-Length: 4\r\n\r\nab");
      Thread.sleep(500);
      c.send("cd");
      RawHttp1Client.Response res = c.readResponse();
      assertEquals(200, res.status());
      assertEquals("abcd", res.text());
    }
  }

  @Test
  void idleHttp1ConnectionsAreClosedButBusyOnesAreNot() throws Exception {
    start(IDLE);
    try (RawHttp1Client idle = h.h1(); RawHttp1Client busy = h.h1()) {
      busy.send("GET /park HTTP/1.1\r\nHost: x\r\n\r\n"); // in flight for longer than the idle timeout
      HttpExchange parked = h.handler.awaitParked();
      long t0 = System.nanoTime();
      assertTrue(idle.readsEof(), "the idle connection was closed");
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(ms >= 1_500, "closed after " + ms + " ms");
      parked.respond(200, java.util.Map.of(), "late".getBytes(StandardCharsets.UTF_8));
      assertEquals("late", busy.readResponse().text());
    }
  }

  @Test
  void idleHttp2ConnectionsGetGoawayButOpenStreamsKeepThemAlive() throws Exception {
    start(IDLE);
    try (Http2TestClient idle = h.h2(); Http2TestClient busy = h.h2()) {
      assertEquals(200, idle.get("/echo", Duration.ofSeconds(5)).status());
      Http2TestClient.Stream parked = busy.request("GET", "/park");
      HttpExchange ex = h.handler.awaitParked();
      idle.goAway().get(10, TimeUnit.SECONDS);
      idle.closed().get(10, TimeUnit.SECONDS);
      Thread.sleep(IDLE.toMillis() + 500);
      assertTrue(busy.channel().isActive(), "a connection with a stream in flight is not idle");
      ex.respond(200, java.util.Map.of(), new byte[0]);
      assertEquals(200, parked.response(Duration.ofSeconds(5)).status());
    }
  }
}

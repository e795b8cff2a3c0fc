package dev.hostplane.apiserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.testing.Http2TestClient;
import dev.hostplane.apiserver.testing.RawHttp1Client;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A response carrying {@code Connection: close} ends its connection: GOAWAY on HTTP/2, a close on HTTP/1.1. */
@Timeout(30)
class ConnectionCloseTest {
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

  @Test
  void http2ResponseIsFollowedByGoAwayAndOtherStreamsFinish() throws Exception {
    try (Http2TestClient c = h.h2()) {
      Http2TestClient.Stream parked = c.request("GET", "/park");
      HttpExchange ex = h.handler.awaitParked();

      Http2TestClient.Response res = c.get("/close", Duration.ofSeconds(5));
      assertEquals(200, res.status());
      assertNull(res.headers().get("connection"), "no connection header on HTTP/2");
      assertEquals(0L, c.goAway().get(5, TimeUnit.SECONDS), "GOAWAY(NO_ERROR) after the response");
      assertFalse(c.closed().isDone(), "the parked stream keeps the connection open");

      ex.respond(200, Map.of(), "finished".getBytes(StandardCharsets.UTF_8));
      assertEquals("finished", new String(parked.response(Duration.ofSeconds(5)).body(), StandardCharsets.UTF_8));
      c.closed().get(5, TimeUnit.SECONDS);
      assertFalse(h.server.isShuttingDown(), "only that connection went away");
    }
  }

  @Test
  void http2ResponsesWithoutItKeepTheConnection() throws Exception {
    try (Http2TestClient c = h.h2()) {
      assertEquals(200, c.get("/small", Duration.ofSeconds(5)).status());
      assertEquals(200, c.get("/small", Duration.ofSeconds(5)).status());
      assertFalse(c.goAway().isDone());
    }
  }

  @Test
  void http1ResponseClosesTheConnection() throws Exception {
    try (RawHttp1Client c = h.h1()) {
      c.send("GET /close HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp1Client.Response res = c.readResponse();
      assertEquals(200, res.status());
      assertEquals("close", res.head().header("Connection"));
      assertTrue(c.readsEof());
    }
  }
}

package dev.hostplane.apiserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.testing.Http2TestClient;
import io.netty.handler.codec.http2.Http2Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Connection-level HTTP/2 behaviour on the wire: SETTINGS and server PINGs, in real time. */
@Timeout(30)
class Http2ConnectionTest {
  @TempDir
  Path dir;
  ServerHarness h;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void settingsAdvertiseStreamAndHeaderLimits() throws Exception {
    h = new ServerHarness(dir, o -> o.withMaxStreamsPerConnection(7));
    try (Http2TestClient c = h.h2()) {
      Http2Settings s = c.remoteSettings(Duration.ofSeconds(5));
      assertEquals(7L, s.maxConcurrentStreams());
      assertEquals(1024L * 1024, s.maxHeaderListSize());
      assertNotNull(s.maxFrameSize());
      assertNotNull(s.initialWindowSize());
    }
  }

  @Test
  void defaultAdvertisesOneHundredStreams() throws Exception {
    h = new ServerHarness(dir);
    try (Http2TestClient c = h.h2()) {
      assertEquals(100L, c.remoteSettings(Duration.ofSeconds(5)).maxConcurrentStreams());
    }
  }

  @Test
  void idleConnectionReceivesPingsAndStaysOpen() throws Exception {
    h = new ServerHarness(dir, o -> o.withHttp2Ping(Duration.ofMillis(200), Duration.ofSeconds(2)));
    try (Http2TestClient c = h.h2()) {
      long start = System.nanoTime();
      Long first = c.pings().poll(5, TimeUnit.SECONDS);
      Long second = c.pings().poll(5, TimeUnit.SECONDS);
      Long third = c.pings().poll(5, TimeUnit.SECONDS);
      assertNotNull(first);
      assertNotNull(second);
      assertNotNull(third);
      assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(500), "about one per interval");
      assertTrue(c.channel().isActive(), "answered pings keep the connection");
      assertEquals(200, c.get("/echo", Duration.ofSeconds(5)).status());
    }
  }

  @Test
  void unansweredPingClosesTheConnection() throws Exception {
    h = new ServerHarness(dir, o -> o.withHttp2Ping(Duration.ofMillis(200), Duration.ofMillis(300)));
    try (Http2TestClient c = Http2TestClient.connect(h.address(), h.tls.ca().certificate(), Duration.ofSeconds(5),
        false)) {
      assertNotNull(c.pings().poll(5, TimeUnit.SECONDS));
      c.closed().get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void pingsOffMeansNoPings() throws Exception {
    h = new ServerHarness(dir, o -> o.withHttp2Ping(Duration.ZERO, Duration.ZERO));
    try (Http2TestClient c = h.h2()) {
      assertEquals(null, c.pings().poll(700, TimeUnit.MILLISECONDS));
      assertTrue(c.channel().isActive());
    }
  }
}

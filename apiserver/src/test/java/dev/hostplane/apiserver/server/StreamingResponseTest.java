package dev.hostplane.apiserver.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.testing.Http2TestClient;
import dev.hostplane.apiserver.testing.RawHttp1Client;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient.Version;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** startStream: incremental delivery, client disconnects, backpressure. Writes come from the test thread. */
@Timeout(30)
class StreamingResponseTest {
  private static final byte[] CHUNK = new byte[64 * 1024];

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

  private static byte[] line(String s) {
    return (s + "\n").getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void eventsArriveOneByOne(Version version) throws Exception {
    CompletableFuture<HttpResponse<InputStream>> future = h.client(version).sendAsync(
        HttpRequest.newBuilder(h.uri("/park?watch=true")).header("Accept-Encoding", "gzip").build(),
        HttpResponse.BodyHandlers.ofInputStream());
    HttpExchange ex = h.handler.awaitParked();
    HttpExchange.ResponseStream stream = ex.startStream(200, Map.of("Content-Type", "application/json"));
    assertTrue(stream.write(line("{\"type\":\"ADDED\"}")));

    HttpResponse<InputStream> res = future.get(10, TimeUnit.SECONDS);
    assertEquals(200, res.statusCode());
    assertTrue(res.headers().firstValue("Content-Encoding").isEmpty(), "streams are never compressed");
    BufferedReader reader = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8));
    // Only the first event has been written: reading it proves it was flushed on its own.
    assertEquals("{\"type\":\"ADDED\"}", reader.readLine());

    assertTrue(stream.isOpen());
    stream.write(line("{\"type\":\"MODIFIED\"}"));
    assertEquals("{\"type\":\"MODIFIED\"}", reader.readLine());
    stream.end();
    stream.end(); // idempotent
    assertNull(reader.readLine());
    assertFalse(stream.isOpen());
    assertFalse(stream.write(line("late")), "writes after end are refused");
  }

  @Test
  void http1StreamIsChunkedAndTheConnectionIsReusable() throws Exception {
    try (RawHttp1Client c = h.h1()) {
      c.send("GET /park HTTP/1.1\r\nHost: x\r\n\r\n");
      HttpExchange ex = h.handler.awaitParked();
      HttpExchange.ResponseStream s = ex.startStream(200, Map.of("Content-Type", "text/plain",
          "Content-Length", "999")); // ignored: a stream has no length
      s.write(line("one"));
      RawHttp1Client.Head head = c.readHead();
      assertTrue(head.chunked());
      assertNull(head.header("Content-Length"));
      assertEquals("one\n", new String(c.readChunk(), StandardCharsets.UTF_8));
      s.end();
      assertNull(c.readChunk());

      c.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(200, c.readResponse().status());
    }
  }

  @Test
  void http1ClientDisconnectFiresOnClose() throws Exception {
    CountDownLatch closed = new CountDownLatch(1);
    HttpExchange.ResponseStream s;
    try (RawHttp1Client c = h.h1()) {
      c.send("GET /park?watch=true HTTP/1.1\r\nHost: x\r\n\r\n");
      HttpExchange ex = h.handler.awaitParked();
      ex.onClose(closed::countDown);
      s = ex.startStream(200, Map.of());
      s.write(line("hello"));
      c.readHead();
      c.readChunk();
      assertEquals(1, closed.getCount(), "not closed while the client listens");
    }
    assertTrue(closed.await(5, TimeUnit.SECONDS), "onClose after the client went away");
    assertFalse(s.isOpen());
    assertFalse(s.write(line("to nobody")));
  }

  @Test
  void http2StreamResetFiresOnCloseAndKeepsTheConnection() throws Exception {
    try (Http2TestClient c = h.h2()) {
      Http2TestClient.Stream stream = c.request("GET", "/park?watch=true");
      HttpExchange ex = h.handler.awaitParked();
      CountDownLatch closed = new CountDownLatch(1);
      ex.onClose(closed::countDown);
      HttpExchange.ResponseStream s = ex.startStream(200, Map.of());
      s.write(line("hello"));
      assertTrue(stream.next(Duration.ofSeconds(5)) instanceof Http2Headers);
      assertArrayEquals(line("hello"), (byte[]) stream.next(Duration.ofSeconds(5)));
      stream.reset();
      assertTrue(closed.await(5, TimeUnit.SECONDS), "onClose after RST_STREAM");
      assertFalse(s.isOpen());
      assertEquals(200, c.get("/echo", Duration.ofSeconds(5)).status(), "other streams are unaffected");
    }
  }

  @Test
  void http2ConnectionCloseFiresOnClose() throws Exception {
    CountDownLatch closed = new CountDownLatch(1);
    try (Http2TestClient c = h.h2()) {
      Http2TestClient.Stream stream = c.request("GET", "/park?watch=true");
      HttpExchange ex = h.handler.awaitParked();
      ex.onClose(closed::countDown);
      ex.startStream(200, Map.of()).write(line("hello"));
      stream.next(Duration.ofSeconds(5));
    }
    assertTrue(closed.await(5, TimeUnit.SECONDS), "onClose after the connection closed");
  }

  @Test
  void onCloseRegisteredAfterTheEndRunsAtOnce() throws Exception {
    h.client(Version.HTTP_2).send(HttpRequest.newBuilder(h.uri("/stream-big")).build(),
        HttpResponse.BodyHandlers.discarding());
    var future = h.client(Version.HTTP_1_1).sendAsync(HttpRequest.newBuilder(h.uri("/park")).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpExchange ex = h.handler.awaitParked();
    ex.respond(204, Map.of(), new byte[0]);
    future.get(5, TimeUnit.SECONDS);
    CountDownLatch ran = new CountDownLatch(1);
    ex.onClose(ran::countDown);
    assertTrue(ran.await(5, TimeUnit.SECONDS));
  }

  @Test
  void http1BackpressureStopsWritesUntilTheClientReads() throws Exception {
    try (RawHttp1Client c = h.h1()) {
      c.socket().setReceiveBufferSize(64 * 1024);
      c.send("GET /park HTTP/1.1\r\nHost: x\r\n\r\n");
      HttpExchange.ResponseStream s = h.handler.awaitParked().startStream(200, Map.of());
      assertBackpressure(s, () -> {
        c.readHead();
        long n = 0;
        for (byte[] chunk = c.readChunk(); chunk != null; chunk = c.readChunk()) {
          n += chunk.length;
        }
        return n;
      });
    }
  }

  @Test
  void http2BackpressureFollowsStreamFlowControl() throws Exception {
    try (Http2TestClient c = h.h2()) {
      Http2TestClient.Stream stream = c.request("GET", "/park");
      stream.channel().config().setAutoRead(false); // consume nothing: no WINDOW_UPDATE for this stream
      HttpExchange.ResponseStream s = h.handler.awaitParked().startStream(200, Map.of());
      assertBackpressure(s, () -> {
        stream.channel().config().setAutoRead(true);
        long n = 0;
        while (true) {
          Object o = stream.next(Duration.ofSeconds(10));
          if (o instanceof byte[] b) {
            n += b.length;
          } else if (o == Http2TestClient.Stream.END_STREAM) {
            return n;
          }
        }
      });
    }
  }

  private interface Reader {
    long readAll() throws Exception;
  }

  /**
   * Writes until write() says stop and onWritable does not fire (the client really is not reading: kernel buffers
   * absorb a lot first), then checks that onWritable fires once the client reads, and that no byte is lost.
   */
  private static void assertBackpressure(HttpExchange.ResponseStream s, Reader reader) throws Exception {
    long written = 0;
    CountDownLatch stalled = null;
    for (int i = 0; i < 4096 && stalled == null; i++) { // at most 256 MiB
      boolean accepted = s.write(CHUNK);
      written += CHUNK.length;
      if (!accepted) {
        CountDownLatch writable = new CountDownLatch(1);
        s.onWritable(writable::countDown);
        if (!writable.await(300, TimeUnit.MILLISECONDS)) {
          stalled = writable;
        }
      }
    }
    assertNotNull(stalled, "write() reported a full buffer that stayed full");
    long total = written;
    CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> {
      try {
        return reader.readAll();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertTrue(stalled.await(10, TimeUnit.SECONDS), "onWritable once the client drained the buffer");
    assertTrue(s.isOpen());
    s.end();
    assertEquals(total, read.get(20, TimeUnit.SECONDS));
  }
}

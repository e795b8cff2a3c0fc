package dev.hostplane.apiserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostplane.apiserver.testing.Http2TestClient;
import dev.hostplane.apiserver.testing.RawHttp1Client;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.net.http.HttpClient.Version;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies over maxRequestBodyBytes (default 3 MiB) get 413 with a Status, without being buffered. These use raw
 * clients: the JDK 17 HttpClient hangs on an early final response while it is still sending (JDK-8293786,
 * JDK-8309118: RST_STREAM(NO_ERROR) and non-100 answers to Expect), though the server's frames are correct.
 */
@Timeout(30)
class RequestBodyLimitTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LIMIT = 3 * 1024 * 1024;
  private static final byte[] FOUR_MIB = new byte[4 * 1024 * 1024];

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

  private static void assertTooLargeStatus(int code, String body) throws IOException {
    assertEquals(413, code);
    JsonNode status = JSON.readTree(body);
    assertEquals("Status", status.get("kind").asText());
    assertEquals("v1", status.get("apiVersion").asText());
    assertEquals("Failure", status.get("status").asText());
    assertEquals("RequestEntityTooLarge", status.get("reason").asText());
    assertEquals("Request entity too large: limit is " + LIMIT, status.get("message").asText());
    assertEquals(413, status.get("code").asInt());
  }

  @Test
  void http1ExpectContinueOverLimitIsRefusedBeforeTheBody() throws Exception {
    try (RawHttp1Client c = h.h1()) {
      c.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: "
          + FOUR_MIB.length + "\r\n\r\n");
      RawHttp1Client.Head head = c.readHead(); // no 100 Continue first: the final answer
      assertEquals(413, head.status());
      byte[] body = new byte[Integer.parseInt(head.header("Content-Length"))];
      for (int i = 0; i < body.length; i++) {
        body[i] = (byte) c.socket().getInputStream().read();
      }
      assertTooLargeStatus(head.status(), new String(body, StandardCharsets.UTF_8));
      assertTrue(c.readsEof(), "connection closed after the 413");
    }
    assertTrue(h.handler.parked.isEmpty());
  }

  @Test
  void http1ExpectContinueWithinLimitGets100ThenTheAnswer() throws Exception {
    try (RawHttp1Client c = h.h1()) {
      c.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
      assertEquals(100, c.readHead().status());
      c.send("hello");
      RawHttp1Client.Response res = c.readResponse();
      assertEquals(200, res.status());
      assertEquals("hello", res.text());
    }
  }

  @Test
  void http2DeclaredLengthOverLimitIsRefusedBeforeTheBody() throws Exception {
    try (Http2TestClient c = h.h2()) {
      Http2Headers headers = c.headers("POST", "/echo")
          .add("content-length", String.valueOf(FOUR_MIB.length))
          .add("expect", "100-continue");
      Http2TestClient.Stream s = c.open(headers, false);
      Http2TestClient.Response res = s.response(Duration.ofSeconds(10));
      assertTooLargeStatus(res.status(), new String(res.body(), StandardCharsets.UTF_8));
      assertEquals(Http2TestClient.Stream.RESET, s.next(Duration.ofSeconds(5)), "stream reset (NO_ERROR)");
    }
    assertTrue(h.handler.parked.isEmpty());
  }

  @Test
  void http1DeclaredLengthWithoutExpectGets413ThenClose() throws Exception {
    try (RawHttp1Client c = h.h1()) {
      c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
          + FOUR_MIB.length + "\r\n\r\n");
      // The client keeps uploading; the server reads and discards while it answers.
      CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
        try {
          c.send(FOUR_MIB);
        } catch (IOException e) {
          // the server may close once it has answered: fine
        }
      });
      RawHttp1Client.Response res = c.readResponse();
      assertTooLargeStatus(res.status(), res.text());
      assertEquals("close", res.head().header("Connection"));
      assertTrue(c.readsEof(), "connection closed after the 413");
      upload.get();
    }
  }

  @Test
  void http1ChunkedBodyGrowingOverLimitGets413() throws Exception {
    try (RawHttp1Client c = h.h1()) {
      c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
      CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
        try {
          byte[] chunk = new byte[64 * 1024];
          String sizeLine = Integer.toHexString(chunk.length) + "\r\n";
          for (int i = 0; i < 64; i++) { // 4 MiB
            c.send(sizeLine);
            c.send(chunk);
            c.send("\r\n");
          }
          c.send("0\r\n\r\n");
        } catch (IOException e) {
          // closed by the server after the 413: fine
        }
      });
      RawHttp1Client.Response res = c.readResponse();
      assertTooLargeStatus(res.status(), res.text());
      assertTrue(c.readsEof());
      upload.get();
    }
  }

  @Test
  void http1BodyAtTheLimitIsAccepted() throws Exception {
    byte[] exact = new byte[LIMIT];
    HttpResponse<byte[]> res = h.client(Version.HTTP_1_1).send(
        HttpRequest.newBuilder(h.uri("/echo")).POST(HttpRequest.BodyPublishers.ofByteArray(exact)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, res.statusCode());
    assertEquals(LIMIT, res.body().length);
  }

  @Test
  void http2StreamedBodyOverLimitGets413AndTheStreamIsReset() throws Exception {
    try (Http2TestClient c = h.h2()) {
      Http2Headers headers = c.headers("POST", "/echo").add("content-type", "application/json");
      Http2TestClient.Stream s = c.open(headers, false); // no content-length: detected as it streams in
      byte[] chunk = new byte[16 * 1024];
      Object first = null;
      for (int i = 0; i < 256 && first == null; i++) { // up to 4 MiB, until the server answers
        try {
          s.data(chunk, false);
        } catch (Exception e) {
          break; // stream reset under us: the answer is queued
        }
        first = s.events().peek();
      }
      Http2TestClient.Response res = s.response(Duration.ofSeconds(10));
      assertTooLargeStatus(res.status(), new String(res.body(), StandardCharsets.UTF_8));
      Object after = s.next(Duration.ofSeconds(5));
      assertTrue(after == Http2TestClient.Stream.RESET || after == Http2TestClient.Stream.CLOSED, "" + after);
      assertEquals(200, c.get("/echo", Duration.ofSeconds(5)).status(), "the connection survives");
    }
  }

  @Test
  void http1OversizedHeadersGet431() throws Exception {
    try (RawHttp1Client c = h.h1()) {
      String huge = "x".repeat(1024 * 1024 + 1);
      c.send("GET /echo HTTP/1.1\r\nHost: x\r\nX-Huge: " + huge + "\r\n\r\n");
      RawHttp1Client.Response res = c.readResponse();
      assertEquals(431, res.status());
      assertEquals(431, JSON.readTree(res.text()).get("code").asInt());
      assertTrue(c.readsEof());
    }
  }
}

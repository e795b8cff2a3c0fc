package dev.hostplane.apiserver.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.server.HttpExchange;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InflightRequestsTest {
  /** Records the one answer. */
  static final class Recorded implements HttpExchange {
    final String uri;
    int status;
    Map<String, String> headers;
    byte[] body;
    boolean streamed;

    Recorded(String uri) {
      this.uri = uri;
    }

    @Override public String method() {
      return "GET";
    }

    @Override public String uri() {
      return uri;
    }

    @Override public String header(String name) {
      return null;
    }

    @Override public List<String> headers(String name) {
      return List.of();
    }

    @Override public List<String> headerNames() {
      return List.of();
    }

    @Override public byte[] body() {
      return new byte[0];
    }

    @Override public List<X509Certificate> peerCertificates() {
      return List.of();
    }

    @Override public InetSocketAddress remoteAddress() {
      return new InetSocketAddress("127.0.0.1", 1);
    }

    @Override public String protocol() {
      return "HTTP/2.0";
    }

    @Override public void respond(int status, Map<String, String> headers, byte[] body) {
      this.status = status;
      this.headers = headers;
      this.body = body;
    }

    @Override public ResponseStream startStream(int status, Map<String, String> headers) {
      this.status = status;
      this.streamed = true;
      return null;
    }

    @Override public void onClose(Runnable callback) {}
  }

  @Test
  void requestsAreCountedUntilAnsweredAndTheDrainWaitsForThem() {
    InflightRequests inflight = new InflightRequests();
    ServingExchange plain = inflight.admit(new Recorded("/api/v1/pods"));
    ServingExchange watch = inflight.admit(new Recorded("/api/v1/pods?watch=1"));
    assertEquals(2, inflight.inFlight());
    watch.startStream(200, Map.of());
    assertEquals(1, inflight.inFlight(), "a streamed answer counts as answered");
    inflight.stopAccepting();
    assertFalse(inflight.drained().isDone());
    plain.respond(200, Map.of(), new byte[0]);
    plain.respond(500, Map.of(), new byte[0]); // a second answer is not counted twice
    assertTrue(inflight.drained().isDone());
    assertEquals(0, inflight.inFlight());
  }

  @Test
  void afterStopAcceptingNewRequestsGet429ButHealthChecksPass() {
    InflightRequests inflight = new InflightRequests();
    inflight.stopAccepting();
    Recorded refused = new Recorded("/api/v1/namespaces?limit=1");
    assertNull(inflight.admit(refused));
    assertEquals(429, refused.status);
    assertEquals(Map.of("Content-Type", "application/json", "Retry-After", "1", "Connection", "close"),
        refused.headers);
    String body = new String(refused.body, StandardCharsets.UTF_8);
    assertTrue(body.contains("\"reason\":\"TooManyRequests\""), body);
    assertTrue(body.contains("\"retryAfterSeconds\":1"), body);
    for (String exempt : List.of("/readyz", "/readyz/shutdown", "/livez?verbose", "/healthz", "/metrics")) {
      assertNotNull(inflight.admit(new Recorded(exempt)), exempt);
    }
    assertNull(inflight.admit(new Recorded("/readyzz")));
  }

  @Test
  void aGoAwayIsAddedToCompleteResponsesOnly() {
    Recorded raw = new Recorded("/version");
    ServingExchange ex = new InflightRequests().admit(raw);
    ex.goAwayAfterResponse();
    ex.respond(200, Map.of("Content-Type", "application/json"), new byte[0]);
    assertEquals("close", raw.headers.get("Connection"));
  }
}

package dev.hostplane.apiserver.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.testing.RawHttp1Client;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing a client sends crashes the server or gets a 500: garbage below TLS, garbage inside TLS on either
 * protocol, malformed HTTP/2 frames, broken chunked bodies, huge headers, malformed URIs, pathological JSON. After
 * each, the server still answers.
 */
@Timeout(60)
class HostileClientTest {
  @TempDir
  static Path dir;
  static TestApiServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.start(dir);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void stillServes() throws Exception {
    assertEquals(200, server.get("/readyz").statusCode());
    assertEquals(200, server.get("/api/v1/namespaces/default").statusCode());
  }

  /** Reads until the server closes (or 10 s pass: a failure); returns what it sent. */
  private static String drain(InputStream in) throws Exception {
    StringBuilder out = new StringBuilder();
    byte[] buf = new byte[4096];
    for (int n; (n = in.read(buf)) >= 0; ) {
      out.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
    }
    return out.toString();
  }

  @Test
  void garbageBelowTlsIsDropped() throws Exception {
    byte[] junk = new byte[64 * 1024];
    new Random(1).nextBytes(junk);
    try (Socket s = new Socket(server.address().getAddress(), server.address().getPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      try {
        out.write(junk);
        out.flush();
      } catch (java.io.IOException closedAlready) {
        // the server may close before it has read everything
      }
      try {
        drain(s.getInputStream());
      } catch (java.net.SocketException reset) {
        // a reset is as good as a close
      }
    }
    stillServes();
  }

  @Test
  void garbageInsideTlsOnHttp1GetsA400OrAClose() throws Exception {
    byte[] junk = new byte[8 * 1024];
    new Random(2).nextBytes(junk);
    try (RawHttp1Client c = server.rawAdmin()) {
      c.send(junk);
      c.send("\r\n\r\n");
      String answer = drain(c.socket().getInputStream());
      assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 4"), answer);
    }
    stillServes();
  }

  @Test
  void malformedHttp2FramesEndTheConnectionWithoutHarm() throws Exception {
    for (byte[] frame : new byte[][] {
        // DATA on stream 0, a PING of the wrong length, a frame longer than SETTINGS_MAX_FRAME_SIZE, HEADERS with
        // an undecodable header block
        {0, 0, 4, 0, 0, 0, 0, 0, 0, 'a', 'b', 'c', 'd'},
        {0, 0, 3, 6, 0, 0, 0, 0, 0, 1, 2, 3},
        {(byte) 0x7f, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 1},
        {0, 0, 4, 1, 5, 0, 0, 0, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}}) {
      try (SSLSocket s = (SSLSocket) server.tlsContext(true).getSocketFactory()
          .createSocket(server.address().getAddress(), server.address().getPort())) {
        s.setSoTimeout(10_000);
        SSLParameters p = s.getSSLParameters();
        p.setApplicationProtocols(new String[] {"h2"});
        s.setSSLParameters(p);
        s.startHandshake();
        assertEquals("h2", s.getApplicationProtocol());
        OutputStream out = s.getOutputStream();
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // empty SETTINGS
        out.write(frame);
        out.flush();
        try {
          drain(s.getInputStream()); // SETTINGS, GOAWAY, close
        } catch (java.net.SocketException reset) {
          // fine
        }
      }
      stillServes();
    }
  }

  @Test
  void brokenChunkedBodiesHugeHeadersAndBadUrisAreClientErrors() throws Exception {
    String[] requests = {
        "POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            + "Content-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        "GET /api/v1/namespaces/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(2 * 1024 * 1024) + "\r\n\r\n",
        "BREW /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /" + "a/".repeat(100_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"};
    for (String request : requests) {
      try (RawHttp1Client c = server.rawAdmin()) {
        try {
          c.send(request);
        } catch (java.io.IOException closedEarly) {
          // the server may refuse before the whole request is written
        }
        String answer;
        try {
          answer = drainOne(c);
        } catch (java.io.IOException closed) {
          answer = "";
        }
        assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 4"),
            request.substring(0, Math.min(60, request.length())) + " -> " + answer);
      }
    }
    stillServes();
  }

  private static String drainOne(RawHttp1Client c) throws Exception {
    RawHttp1Client.Response r = c.readResponse();
    return "HTTP/1.1 " + r.status() + " " + r.text();
  }

  @Test
  void pathologicalJsonBodiesAreBadRequests() throws Exception {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    String[] bodies = {
        "{\"metadata\":{\"name\":\"a\"},\"data\":" + deep + "}",
        "{\"metadata\":{\"name\":\"" + "x".repeat(300) + "\"}}",
        "{\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":1e999999999}}",
        "\u0000\u0001\u0002",
        "{\"metadata\":{\"name\":\"a\"}}".repeat(1000)};
    for (String body : bodies) {
      HttpResponse<String> r = server.send("POST", "/api/v1/namespaces/default/configmaps", "application/json",
          body);
      assertTrue(r.statusCode() >= 400 && r.statusCode() < 500,
          body.substring(0, Math.min(40, body.length())) + " -> " + r.statusCode() + " " + r.body());
      assertEquals("Status", TestApiServer.json(r).path("kind").asText());
    }
    // A lone surrogate escape is not an error for Go's decoder either: accepted, never a 500.
    HttpResponse<String> lone = server.send("POST", "/api/v1/namespaces/default/configmaps", "application/json",
        "{\"metadata\":{\"name\":\"lone\"},\"data\":{\"k\":\"\\ud800\"}}");
    assertTrue(lone.statusCode() < 500, lone.body());
    stillServes();
  }
}

package dev.hostplane.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.apiserver.server.ApiHttpServer;
import dev.hostplane.apiserver.server.HttpExchange;
import dev.hostplane.apiserver.testing.TlsFixture;
import io.netty.buffer.ByteBuf;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The load generator's HTTP/2 client against the apiserver's real transport (TLS, ALPN, stream limits). */
@Timeout(60)
class Http2ClientTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir
  Path dir;

  private TlsFixture tls;
  private ApiHttpServer server;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final LinkedBlockingQueue<HttpExchange.ResponseStream> streams = new LinkedBlockingQueue<>();
  private final CountDownLatch streamClosed = new CountDownLatch(1);

  @BeforeEach
  void start() throws Exception {
    tls = TlsFixture.create(dir);
    server = ApiHttpServer.start(tls.serverOptions().withMaxStreamsPerConnection(4), this::handle);
  }

  @AfterEach
  void stop() {
    timer.shutdownNow();
    server.close();
  }

  private void handle(HttpExchange ex) {
    String path = ex.uri().split("\\?")[0];
    switch (path) {
      case "/echo" -> {
        String peer = ex.peerCertificates().isEmpty() ? "none"
            : ex.peerCertificates().get(0).getSubjectX500Principal().getName();
        String text = ex.method() + " " + ex.uri() + " peer=" + peer + " auth=" + ex.header("Authorization")
            + " type=" + ex.header("Content-Type") + " accept=" + ex.header("Accept") + " body="
            + new String(ex.body(), StandardCharsets.UTF_8);
        ex.respond(200, Map.of("Content-Type", "text/plain"), text.getBytes(StandardCharsets.UTF_8));
      }
      case "/slow" -> {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        timer.schedule(() -> {
          inFlight.decrementAndGet();
          ex.respond(200, Map.of(), new byte[0]);
        }, 50, TimeUnit.MILLISECONDS);
      }
      case "/stream" -> {
        ex.onClose(streamClosed::countDown);
        streams.add(ex.startStream(200, Map.of("Content-Type", "application/json")));
      }
      case "/denied" -> ex.respond(403, Map.of("Content-Type", "application/json"), ("{\"kind\":\"Status\","
          + "\"message\":\"namespaces is forbidden: User \\\"x\\\" cannot create\"}").getBytes(StandardCharsets.UTF_8));
      default -> ex.respond(404, Map.of(), new byte[0]);
    }
  }

  private ClientConfig config(String serverName, CertifiedKey client, String token) {
    return new ClientConfig(URI.create("https://127.0.0.1:" + server.port()), serverName,
        List.of(tls.ca().certificate()), false, client == null ? List.of() : List.of(client.certificate()),
        client == null ? null : client.privateKey(), token);
  }

  @Test
  void requestsCarryCredentialsHeadersAndBody() {
    try (Http2Client c = Http2Client.connect(config("127.0.0.1", tls.client("admin", "system:masters"), "tok"), 1,
        TIMEOUT)) {
      HttpResponse r = c.call(HttpRequest.post("/echo?x=1", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
          TIMEOUT);
      assertEquals(200, r.status());
      assertEquals("POST /echo?x=1 peer=CN=admin,O=system:masters auth=Bearer tok type=application/json "
          + "accept=application/json body={\"a\":1}", r.text());
    }
  }

  @Test
  void moreRequestsThanTheServerAllowsStreamsWaitForAFreeStream() throws Exception {
    try (Http2Client c = Http2Client.connect(config("localhost", null, null), 1, TIMEOUT)) {
      List<CompletableFuture<HttpResponse>> all = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        all.add(c.send(HttpRequest.get("/slow")));
      }
      for (CompletableFuture<HttpResponse> f : all) {
        assertEquals(200, f.get(20, TimeUnit.SECONDS).status());
      }
      assertEquals(4, maxInFlight.get(), "the client keeps within SETTINGS_MAX_CONCURRENT_STREAMS");
    }
  }

  @Test
  void loadLoopKeepsItsConcurrencyAcrossConnections() {
    try (Http2Client c = Http2Client.connect(config("localhost", null, null), 3, TIMEOUT)) {
      LoadLoop.Result r = LoadLoop.run(c, 12, Duration.ofMinutes(1), 60, i -> HttpRequest.get("/slow"));
      assertEquals(60, r.ok());
      assertEquals(0, r.errors());
      assertEquals(12, maxInFlight.get());
      assertTrue(r.latency().p50Millis() >= 50, "latency includes the server's 50 ms: " + r.latency());
    }
  }

  @Test
  void loadLoopCountsHttpErrorsWithTheServersMessage() {
    try (Http2Client c = Http2Client.connect(config("localhost", null, null), 1, TIMEOUT)) {
      LoadLoop.Result r = LoadLoop.run(c, 2, Duration.ofMinutes(1), 10, i -> HttpRequest.get("/denied"));
      assertEquals(0, r.ok());
      assertEquals(10, r.errors());
      assertEquals("HTTP 403: namespaces is forbidden: User \"x\" cannot create", r.firstError());
    }
  }

  @Test
  void streamedResponsesArriveAsTheyAreWrittenAndCancelResetsTheStream() throws Exception {
    try (Http2Client c = Http2Client.connect(config("localhost", null, null), 1, TIMEOUT)) {
      LinkedBlockingQueue<String> values = new LinkedBlockingQueue<>();
      CompletableFuture<Integer> status = new CompletableFuture<>();
      JsonFramer framer = new JsonFramer();
      Exchange ex = c.exchange(HttpRequest.get("/stream"), new ResponseListener() {
        @Override
        public void headers(int s) {
          status.complete(s);
        }

        @Override
        public void data(ByteBuf content, long receivedNanos) {
          assertTrue(receivedNanos <= System.nanoTime());
          framer.feed(content, (b, off, len) -> values.add(new String(b, off, len, StandardCharsets.UTF_8)));
        }

        @Override
        public void end() {
          values.add("END");
        }

        @Override
        public void failed(Throwable cause) {
          values.add("FAILED");
        }
      });
      assertEquals(200, status.get(10, TimeUnit.SECONDS));
      HttpExchange.ResponseStream s = streams.poll(10, TimeUnit.SECONDS);
      s.write("{\"type\":\"ADDED\",".getBytes(StandardCharsets.UTF_8));
      s.write("\"n\":1}\n{\"type\":\"MODIFIED\"}\n".getBytes(StandardCharsets.UTF_8));
      assertEquals("{\"type\":\"ADDED\",\"n\":1}", values.poll(10, TimeUnit.SECONDS));
      assertEquals("{\"type\":\"MODIFIED\"}", values.poll(10, TimeUnit.SECONDS));

      ex.cancel();
      assertEquals("FAILED", values.poll(10, TimeUnit.SECONDS));
      assertTrue(streamClosed.await(10, TimeUnit.SECONDS), "the server saw the stream end");
    }
  }

  @Test
  void connectionFailuresSayWhatWentWrong() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    ClientConfig refused = new ClientConfig(URI.create("https://127.0.0.1:" + closedPort), "127.0.0.1",
        List.of(tls.ca().certificate()), false, List.of(), null, null);
    BenchException e = assertThrows(BenchException.class, () -> Http2Client.connect(refused, 2, TIMEOUT));
    assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());

    e = assertThrows(BenchException.class, () -> Http2Client.connect(config("other.example", null, null), 1,
        TIMEOUT));
    assertTrue(e.getMessage().contains("TLS"), e.getMessage());

    Path other = java.nio.file.Files.createDirectories(dir.resolve("other"));
    TlsFixture stranger = TlsFixture.create(other);
    ClientConfig untrusted = new ClientConfig(URI.create("https://127.0.0.1:" + server.port()), "127.0.0.1",
        List.of(stranger.ca().certificate()), false, List.of(), null, null);
    e = assertThrows(BenchException.class, () -> Http2Client.connect(untrusted, 1, TIMEOUT));
    assertTrue(e.getMessage().contains("TLS"), e.getMessage());
  }
}

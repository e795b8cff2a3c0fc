package dev.hostplane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.server.ApiHttpServer;
import dev.hostplane.apiserver.server.HttpHandler;
import dev.hostplane.apiserver.testing.Http2TestClient;
import dev.hostplane.apiserver.testing.IdleResetProxy;
import dev.hostplane.apiserver.testing.TlsFixture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Managed clusters sit behind SDNs that reset flows idle for ~60 s; kubectl and most clients send no pings. Scaled
 * down to an idle limit T of 1 s: an HTTP/2 connection that carries no requests for 5T must still answer on the
 * same connection because the server pings it every T/3; with server pings off, the same scenario loses the
 * connection (proving the proxy bites).
 */
@Timeout(30)
class IdleConnectionSurvivesSdnResetTest {
  private static final Duration T = Duration.ofSeconds(1);

  /** Answers with the port the request came from: the proxy's upstream socket, so one per connection. */
  private static final HttpHandler REMOTE_PORT = ex -> ex.respond(200, Map.of("Content-Type", "text/plain"),
      String.valueOf(ex.remoteAddress().getPort()).getBytes(StandardCharsets.US_ASCII));

  @TempDir
  Path dir;
  private ApiHttpServer server;
  private IdleResetProxy proxy;
  private Http2TestClient client;

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (server != null) {
      server.shutdown(Duration.ZERO).get(10, TimeUnit.SECONDS);
    }
  }

  private void startBehindProxy(Duration pingInterval) throws Exception {
    TlsFixture tls = TlsFixture.create(dir);
    server = ApiHttpServer.start(tls.serverOptions().withHttp2Ping(pingInterval, T), REMOTE_PORT);
    proxy = IdleResetProxy.start(new InetSocketAddress("127.0.0.1", server.port()), T);
    client = Http2TestClient.connect(proxy.address(), tls.ca().certificate(), Duration.ofSeconds(5));
  }

  private String remotePort() throws Exception {
    Http2TestClient.Response res = client.get("/", Duration.ofSeconds(5));
    assertEquals(200, res.status());
    return new String(res.body(), StandardCharsets.US_ASCII);
  }

  @Test
  void serverPingsKeepAnIdleConnectionAlive() throws Exception {
    startBehindProxy(T.dividedBy(3));
    String before = remotePort();

    Thread.sleep(T.multipliedBy(5).toMillis()); // no requests: only the server's PINGs and their ACKs flow

    assertTrue(client.channel().isActive(), "connection still open");
    assertEquals(before, remotePort(), "answered on the same connection");
    assertEquals(0, proxy.resets());
    assertEquals(1, proxy.accepted(), "no reconnect happened");
    int pings = client.pings().size();
    assertTrue(pings >= 8, "pinged about every T/3 (~15 expected), got " + pings);
  }

  @Test
  void withoutServerPingsTheIdleConnectionIsReset() throws Exception {
    startBehindProxy(Duration.ZERO);
    remotePort();

    client.closed().get(T.multipliedBy(5).toMillis(), TimeUnit.MILLISECONDS); // reset about T after the answer

    assertTrue(proxy.resets() >= 1, "the proxy reset the flow");
    assertEquals(0, client.pings().size());
    assertThrows(Exception.class, this::remotePort, "the old connection is gone");
  }
}

package dev.hostplane.apiserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.testing.RawHttp1Client;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioChannelOption;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpClient.Version;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(30)
class ApiHttpServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

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

  @ParameterizedTest
  @EnumSource(Version.class)
  void getIsAnsweredOverEitherProtocol(Version version) throws Exception {
    HttpResponse<String> res = h.client(version).send(
        HttpRequest.newBuilder(h.uri("/echo?x=1%202")).header("X-Test", "abc").build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, res.statusCode());
    assertEquals(version, res.version());
    assertEquals("GET", res.headers().firstValue("X-Method").orElseThrow());
    assertEquals("/echo?x=1%202", res.headers().firstValue("X-Uri").orElseThrow());
    assertEquals(version == Version.HTTP_2 ? "HTTP/2.0" : "HTTP/1.1",
        res.headers().firstValue("X-Protocol").orElseThrow());
    assertEquals("abc", res.headers().firstValue("X-Test-Header").orElseThrow());
    assertEquals("", res.body());
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void postBodyIsEchoed(Version version) throws Exception {
    String body = "{\"kind\":\"ConfigMap\"}".repeat(10_000); // 200 KB: several frames / chunks
    HttpResponse<String> res = h.client(version).send(
        HttpRequest.newBuilder(h.uri("/echo")).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, res.statusCode());
    assertEquals("POST", res.headers().firstValue("X-Method").orElseThrow());
    assertEquals(body, res.body());
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void expectContinueIsAnswered(Version version) throws Exception {
    HttpResponse<String> res = h.client(version).send(
        HttpRequest.newBuilder(h.uri("/echo")).expectContinue(true)
            .POST(HttpRequest.BodyPublishers.ofString("after continue")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, res.statusCode());
    assertEquals("after continue", res.body());
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void clientCertificateChainReachesTheHandler(Version version) throws Exception {
    HttpClient client = h.client(version, h.tls.client("alice", "devs", "ops"));
    HttpResponse<String> res = client.send(HttpRequest.newBuilder(h.uri("/echo")).build(),
        HttpResponse.BodyHandlers.ofString());
    String peer = res.headers().firstValue("X-Peer").orElseThrow();
    assertTrue(peer.startsWith("CN=alice,"), peer);
    assertTrue(peer.contains("O=devs") && peer.contains("O=ops"), peer);
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void noClientCertificateMeansAnEmptyChain(Version version) throws Exception {
    HttpResponse<String> res = h.client(version).send(HttpRequest.newBuilder(h.uri("/echo")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals("none", res.headers().firstValue("X-Peer").orElseThrow());
  }

  @Test
  void clientCertificateFromAnotherCaIsRefused() {
    CertificateAuthority other = CertificateAuthority.generate("other", Duration.ofDays(1));
    HttpClient client = HttpClient.newBuilder()
        .sslContext(h.tls.clientContext(other.issueClient("mallory", List.of(), Duration.ofDays(1))))
        .build();
    assertThrows(IOException.class, () -> client.send(HttpRequest.newBuilder(h.uri("/echo")).build(),
        HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  void clientWithoutAlpnGetsHttp1() throws Exception {
    try (RawHttp1Client c = h.h1()) {
      String alpn = c.socket().getApplicationProtocol();
      assertTrue(alpn == null || alpn.isEmpty(), "no ALPN negotiated: " + alpn);
      c.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp1Client.Response res = c.readResponse();
      assertEquals(200, res.status());
      assertEquals("HTTP/1.1", res.head().header("X-Protocol"));
      // keep-alive: a second request on the same connection
      c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
      RawHttp1Client.Response second = c.readResponse();
      assertEquals("hello", second.text());
      assertEquals("5", second.head().header("Content-Length"));
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (RawHttp1Client c = h.h1()) {
      c.send("GET /park HTTP/1.1\r\nHost: x\r\n\r\nGET /echo?second HTTP/1.1\r\nHost: x\r\n\r\n");
      HttpExchange first = h.handler.awaitParked();
      Thread.sleep(200); // the second request is read meanwhile; it must wait for the first answer
      first.respond(200, java.util.Map.of(), "first".getBytes(StandardCharsets.UTF_8));
      assertEquals("first", c.readResponse().text());
      RawHttp1Client.Response second = c.readResponse();
      assertEquals("/echo?second", second.head().header("X-Uri"));
    }
  }

  @Test
  void tls12ClientIsServed() throws Exception {
    javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) h.tls.clientContext(null).getSocketFactory()
        .createSocket(h.address().getAddress(), h.address().getPort());
    try (s) {
      s.setEnabledProtocols(new String[] {"TLSv1.2"});
      s.setSoTimeout(10_000);
      s.startHandshake();
      assertEquals("TLSv1.2", s.getSession().getProtocol());
      s.getOutputStream().write("GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(response.startsWith("HTTP/1.1 200 OK"), response);
    }
  }

  @Test
  void connectionCloseIsHonoured() throws Exception {
    try (RawHttp1Client c = h.h1()) {
      c.send("GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      RawHttp1Client.Response res = c.readResponse();
      assertEquals(200, res.status());
      assertEquals("close", res.head().header("Connection"));
      assertTrue(c.readsEof());
    }
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void handlerExceptionBecomesInternalErrorStatusWithoutDetails(Version version) throws Exception {
    HttpResponse<String> res = h.client(version).send(HttpRequest.newBuilder(h.uri("/throw")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(500, res.statusCode());
    assertEquals("application/json", res.headers().firstValue("Content-Type").orElseThrow());
    JsonNode status = JSON.readTree(res.body());
    assertEquals("Status", status.get("kind").asText());
    assertEquals("Failure", status.get("status").asText());
    assertEquals("InternalError", status.get("reason").asText());
    assertEquals(500, status.get("code").asInt());
    assertFalse(res.body().contains("secret internal detail"), res.body());
    assertFalse(res.body().contains("IllegalStateException"), res.body());
    assertFalse(res.body().contains("\tat "), res.body());
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void secondResponseIsIgnored(Version version) throws Exception {
    HttpClient client = h.client(version);
    HttpResponse<String> res = client.send(HttpRequest.newBuilder(h.uri("/twice")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, res.statusCode());
    assertEquals("first", res.body());
    HttpResponse<String> next = client.send(HttpRequest.newBuilder(h.uri("/echo")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, next.statusCode(), "the connection is still usable");
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void answersFromAnotherThread(Version version) throws Exception {
    var future = h.client(version).sendAsync(HttpRequest.newBuilder(h.uri("/park")).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpExchange ex = h.handler.awaitParked();
    ex.respond(201, java.util.Map.of("X-From", "test-thread"), "later".getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> res = future.get();
    assertEquals(201, res.statusCode());
    assertEquals("later", res.body());
    assertEquals("test-thread", res.headers().firstValue("X-From").orElseThrow());
  }

  @Test
  void acceptedSocketsHaveTcpKeepalive() throws Exception {
    h.close();
    h = new ServerHarness(dir.resolve("ka"), o -> o.withTcpKeepAlive(Duration.ofSeconds(7),
        Duration.ofSeconds(3), 4));
    try (RawHttp1Client c = h.h1()) {
      c.send("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(200, c.readResponse().status());
      Set<Channel> conns = h.server.connections();
      assertEquals(1, conns.size());
      Channel ch = conns.iterator().next();
      assertEquals(Boolean.TRUE, ch.config().getOption(ChannelOption.SO_KEEPALIVE));
      assertEquals(7, ch.config().getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE)));
      assertEquals(3, ch.config().getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL)));
      assertEquals(4, ch.config().getOption(NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT)));
    }
  }

  @Test
  void portZeroBindsAFreePort() {
    assertTrue(h.server.port() > 0);
    assertEquals(h.server.port(), h.server.localAddress().getPort());
  }
}

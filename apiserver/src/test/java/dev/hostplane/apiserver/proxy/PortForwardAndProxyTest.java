package dev.hostplane.apiserver.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.hostplane.apiserver.testing.TestApiServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code pods/portforward} (SPDY and WebSocket-tunnelled SPDY) and the proxy subresources, through the tunnel. */
@Timeout(120)
class PortForwardAndProxyTest {
  private static final String PORT_FORWARD = "/api/v1/namespaces/default/pods/web/portforward";

  @TempDir
  static Path dir;
  static StreamingFixture f;
  static HttpServer backend;

  @BeforeAll
  static void start() throws Exception {
    f = new StreamingFixture(dir);
    // Endpoints may not hold loopback addresses: the backend listens everywhere, the Endpoints name this host.
    backend = HttpServer.create(new InetSocketAddress(0), 0);
    backend.createContext("/", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      byte[] answer = (exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
          + new String(body, StandardCharsets.UTF_8) + (auth == null ? "" : " auth=" + auth))
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("X-Backend", "yes");
      exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/missing") ? 404 : 200,
          answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    backend.start();
    int port = backend.getAddress().getPort();
    f.createPod("web", "node-1", null, "main");
    TestApiServer api = f.api;
    StreamingFixture.check(api.send("POST", "/api/v1/namespaces/default/pods", "application/json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"backend\"},\"spec\":{\"nodeName\":"
            + "\"node-1\",\"containers\":[{\"name\":\"main\",\"image\":\"busybox\",\"ports\":[{\"name\":\"http\","
            + "\"containerPort\":" + port + "}]}]}}"), 201);
    StreamingFixture.check(api.send("PATCH", "/api/v1/namespaces/default/pods/backend/status",
        "application/merge-patch+json", "{\"status\":{\"podIP\":\"127.0.0.1\"}}"), 200);
    StreamingFixture.check(api.send("POST", "/api/v1/namespaces/default/services", "application/json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\"},\"spec\":{\"ports\":[{"
            + "\"name\":\"http\",\"port\":80,\"targetPort\":8080}]}}"), 201);
    StreamingFixture.check(api.send("POST", "/api/v1/namespaces/default/endpoints", "application/json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Endpoints\",\"metadata\":{\"name\":\"web\"},\"subsets\":[{"
            + "\"addresses\":[{\"ip\":\"" + hostAddress() + "\"}],\"ports\":[{\"name\":\"http\",\"port\":" + port + "}]}]}"),
        201);
    StreamingFixture.check(api.send("POST", "/api/v1/namespaces/default/services", "application/json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"empty\"},\"spec\":{\"ports\":[{"
            + "\"port\":80}]}}"), 201);
  }

  @AfterAll
  static void stop() {
    if (backend != null) {
      backend.stop(0);
    }
    if (f != null) {
      f.close();
    }
  }

  @AfterEach
  void released() throws Exception {
    f.awaitReleased();
  }

  private static DefaultSpdySynStreamFrame syn(int id, String type) {
    DefaultSpdySynStreamFrame s = new DefaultSpdySynStreamFrame(id, 0, (byte) 0);
    s.headers().set("streamtype", type).set("port", "8080").set("requestid", "0");
    return s;
  }

  @Test
  void portForwardOverSpdyIsPassedThrough() throws Exception {
    try (SpdyTestClient spdy = SpdyTestClient.connect(f.api.rawAdmin(), "POST", PORT_FORWARD,
        List.of("portforward.k8s.io"))) {
      assertEquals(101, spdy.head.status());
      assertEquals("portforward.k8s.io", spdy.head.header("x-stream-protocol-version"));
      spdy.send(syn(1, "error"));
      spdy.send(syn(3, "data"));
      spdy.send(new DefaultSpdyDataFrame(3, Unpooled.copiedBuffer("through the tunnel", StandardCharsets.UTF_8)));
      StringBuilder echoed = new StringBuilder();
      while (echoed.length() < "through the tunnel".length()) {
        Object fr = spdy.read();
        if (fr instanceof SpdyDataFrame d && d.streamId() == 3) {
          echoed.append(d.content().toString(StandardCharsets.UTF_8));
        }
        ReferenceCountUtil.release(fr);
      }
      assertEquals("through the tunnel", echoed.toString());
    }
    assertTrue(f.kubelet.requests.contains("POST /portForward/default/web"), f.kubelet.requests.toString());
  }

  @Test
  void portForwardOverWebSocketCarriesTheSpdySessionInBinaryMessages() throws Exception {
    EmbeddedChannel codec = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
    try (WsTestClient ws = WsTestClient.connect(f.api.rawAdmin(), PORT_FORWARD, "SPDY/3.1+portforward.k8s.io")) {
      assertEquals(101, ws.head.status());
      assertEquals("SPDY/3.1+portforward.k8s.io", ws.head.header("sec-websocket-protocol"));
      codec.writeOutbound(syn(1, "error"), syn(3, "data"),
          new DefaultSpdyDataFrame(3, Unpooled.copiedBuffer("tunnelled", StandardCharsets.UTF_8)));
      for (ByteBuf b = codec.readOutbound(); b != null; b = codec.readOutbound()) {
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        ws.sendBinary(bytes);
      }
      StringBuilder echoed = new StringBuilder();
      while (echoed.length() < "tunnelled".length()) {
        WsTestClient.Frame fr = ws.readData();
        assertEquals(0x2, fr.opcode());
        codec.writeInbound(Unpooled.wrappedBuffer(fr.payload()));
        for (Object in = codec.readInbound(); in != null; in = codec.readInbound()) {
          if (in instanceof SpdyDataFrame d && d.streamId() == 3) {
            echoed.append(d.content().toString(StandardCharsets.UTF_8));
          }
          ReferenceCountUtil.release(in);
        }
      }
      assertEquals("tunnelled", echoed.toString());
    } finally {
      codec.finishAndReleaseAll();
    }
  }

  @Test
  void podProxyReachesThePodByPortNumberOrNameWithPathQueryAndBody() throws Exception {
    int port = backend.getAddress().getPort();
    HttpResponse<String> r = f.api.get("/api/v1/namespaces/default/pods/backend:" + port + "/proxy/hello?x=1");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("GET /hello?x=1 ", r.body());
    assertEquals("yes", r.headers().firstValue("x-backend").orElse(""));
    r = f.api.get("/api/v1/namespaces/default/pods/http:backend:http/proxy");
    assertEquals("GET / ", r.body());
    r = f.api.send("POST", "/api/v1/namespaces/default/pods/backend:http/proxy/submit", "text/plain", "payload");
    assertEquals("POST /submit payload", r.body());
    r = f.api.get("/api/v1/namespaces/default/pods/backend:http/proxy/missing");
    assertEquals(404, r.statusCode(), "the backend's status is passed on");
  }

  @Test
  void serviceProxyGoesThroughTheEndpoints() throws Exception {
    HttpResponse<String> r = f.api.get("/api/v1/namespaces/default/services/web:80/proxy/");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("GET / ", r.body());
    assertEquals("GET /a/b ", f.api.get("/api/v1/namespaces/default/services/web:http/proxy/a/b").body());
    assertEquals("GET / ", f.api.get("/api/v1/namespaces/default/services/web/proxy/").body());
    r = f.api.get("/api/v1/namespaces/default/services/empty/proxy/");
    assertEquals(503, r.statusCode(), r.body());
    assertEquals("no endpoints available for service \"empty\"", TestApiServer.json(r).path("message").asText());
    r = f.api.get("/api/v1/namespaces/default/services/nope/proxy/");
    assertEquals(404, r.statusCode(), r.body());
  }

  @Test
  void nodeProxyReachesTheKubeletWithTheClientCertificate() throws Exception {
    HttpResponse<String> r = f.api.get("/api/v1/nodes/node-1/proxy/healthz");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("ok", r.body());
    r = f.api.get("/api/v1/nodes/node-1/proxy/pods");
    assertEquals("{\"path\":\"/pods\",\"method\":\"GET\"}", r.body());
  }

  @Test
  void upgradesGoThroughTheProxySubresource() throws Exception {
    try (SpdyTestClient spdy = SpdyTestClient.connect(f.api.rawAdmin(), "POST",
        "/api/v1/nodes/node-1/proxy/exec/default/web/main?command=echo&command=via-node&output=1",
        List.of("v4.channel.k8s.io"))) {
      assertEquals(101, spdy.head.status());
      assertEquals("v4.channel.k8s.io", spdy.head.header("x-stream-protocol-version"));
      spdy.send(syn(1, "error"));
      spdy.send(syn(3, "stdout"));
      StringBuilder out = new StringBuilder();
      for (Object fr = spdy.read(); fr != null; fr = spdy.read()) {
        if (fr instanceof SpdyDataFrame d && d.streamId() == 3) {
          out.append(d.content().toString(StandardCharsets.UTF_8));
        }
        ReferenceCountUtil.release(fr);
      }
      assertEquals("via-node\n", out.toString());
    }
  }

  @Test
  void kubectlProxyReachesAServiceThroughTheProxySubresource() throws Exception {
    Path kubectl = kubectl("1.33");
    Assumptions.assumeTrue(kubectl != null, "kubectl.1.33 not installed");
    Process p = new ProcessBuilder(kubectl.toString(), "--kubeconfig=" + f.api.server().kubeconfig(), "proxy",
        "--port=0").redirectErrorStream(true).start();
    try {
      String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
          .readLine();
      assertTrue(line != null && line.startsWith("Starting to serve on "), line);
      String hostPort = line.substring("Starting to serve on ".length()).trim();
      // HTTP/1.1 as curl speaks it (the JDK's default would ask kubectl proxy for an h2c upgrade).
      HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
          .send(HttpRequest.newBuilder(URI.create("http://"
          + hostPort + "/api/v1/namespaces/default/services/web:80/proxy/")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.body().startsWith("GET / "), r.body());
    } finally {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** This host's first non-loopback IPv4 address (127.0.0.1 when it has none, which Endpoints refuse). */
  static String hostAddress() throws java.net.SocketException {
    for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (var a : java.util.Collections.list(nic.getInetAddresses())) {
        if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return a.getHostAddress();
        }
      }
    }
    return "127.0.0.1";
  }

  /** {@code kubectl.1.NN} beside the kubectl on the PATH, or null. */
  static Path kubectl(String version) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path k = Path.of(d, "kubectl");
      if (Files.isExecutable(k)) {
        try {
          Path v = k.toRealPath().resolveSibling("kubectl." + version);
          return Files.isExecutable(v) ? v : null;
        } catch (java.io.IOException e) {
          return null;
        }
      }
    }
    return null;
  }
}

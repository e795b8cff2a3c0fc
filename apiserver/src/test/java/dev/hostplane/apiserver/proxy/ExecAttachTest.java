package dev.hostplane.apiserver.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostplane.apiserver.testing.RawHttp1Client;
import dev.hostplane.apiserver.testing.TestApiServer;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pods/exec} and {@code pods/attach} through the tunnel: WebSocket clients (v5, v4) bridged onto the
 * kubelet's SPDY streams, and SPDY clients passed through.
 */
@Timeout(120)
class ExecAttachTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EXEC = "/api/v1/namespaces/default/pods/web/exec?";

  @TempDir
  static Path dir;
  static StreamingFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = new StreamingFixture(dir);
    f.createPod("web", "node-1", null, "main");
    f.createPod("pending", null, null, "main");
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  @AfterEach
  void released() throws Exception {
    f.awaitReleased();
  }

  /** What a WebSocket session received: text per channel, until the server closed. */
  private static Map<Integer, String> drain(WsTestClient ws) throws Exception {
    Map<Integer, String> out = new HashMap<>();
    for (WsTestClient.Frame fr = ws.readData(); fr != null; fr = ws.readData()) {
      out.merge(fr.channel(), fr.text(), String::concat);
    }
    return out;
  }

  @Test
  void execOverWebSocketV5RunsTheCommandAndReportsSuccess() throws Exception {
    try (WsTestClient ws = WsTestClient.connect(f.api.rawAdmin(),
        EXEC + "command=echo&command=hello&command=there&container=main&stdout=true&stderr=true",
        "v5.channel.k8s.io")) {
      assertEquals(101, ws.head.status());
      assertEquals("v5.channel.k8s.io", ws.head.header("sec-websocket-protocol"));
      Map<Integer, String> got = drain(ws);
      assertEquals("hello there\n", got.get(1));
      assertEquals("Success", JSON.readTree(got.get(3)).path("status").asText());
    }
    assertTrue(f.kubelet.requests.contains(
        "POST /exec/default/web/main?command=echo&command=hello&command=there&output=1&error=1"),
        f.kubelet.requests.toString());
  }

  @Test
  void aNonZeroExitCodeArrivesAsTheStatusOnChannel3() throws Exception {
    try (WsTestClient ws = WsTestClient.connect(f.api.rawAdmin(),
        EXEC + "command=exit&command=2&stdout=true&stderr=true", "v5.channel.k8s.io")) {
      JsonNode status = JSON.readTree(drain(ws).get(3));
      assertEquals("Failure", status.path("status").asText());
      assertEquals("NonZeroExitCode", status.path("reason").asText());
      assertEquals("2", status.path("details").path("causes").path(0).path("message").asText());
    }
  }

  @Test
  void stdinFlowsAndTheV5CloseSignalEndsIt() throws Exception {
    try (WsTestClient ws = WsTestClient.connect(f.api.rawAdmin(),
        EXEC + "command=cat&stdin=true&stdout=true&stderr=true", "v5.channel.k8s.io")) {
      assertEquals(101, ws.head.status());
      ws.sendChannel(0, "ping\n");
      WsTestClient.Frame echoed = ws.readData();
      assertEquals(1, echoed.channel());
      assertEquals("ping\n", echoed.text());
      ws.sendChannel(0, "pong\n");
      ws.sendBinary((byte) 0xff, (byte) 0); // stdin EOF
      Map<Integer, String> rest = drain(ws);
      assertEquals("pong\n", rest.get(1));
      assertEquals("Success", JSON.readTree(rest.get(3)).path("status").asText());
    }
  }

  @Test
  void megabytesOfStdinComeBackWholeThroughTheSpdyWindows() throws Exception {
    int total = 8 * 1024 * 1024;
    try (WsTestClient ws = WsTestClient.connect(f.api.rawAdmin(), EXEC + "command=cat&stdin=true&stdout=true",
        "v5.channel.k8s.io")) {
      Thread writer = new Thread(() -> {
        byte[] chunk = new byte[64 * 1024 + 1];
        for (int i = 1; i < chunk.length; i++) {
          chunk[i] = (byte) ('a' + i % 26);
        }
        try {
          for (int sent = 0; sent < total; sent += chunk.length - 1) {
            ws.sendBinary(chunk);
          }
          ws.sendBinary((byte) 0xff, (byte) 0);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      writer.start();
      long got = 0;
      for (WsTestClient.Frame fr = ws.readData(); fr != null; fr = ws.readData()) {
        if (fr.channel() == 1) {
          got += fr.payload().length - 1;
        }
      }
      writer.join(10_000);
      assertEquals(total, got);
    }
  }

  @Test
  void ttyResizeMessagesReachTheResizeStream() throws Exception {
    try (WsTestClient ws = WsTestClient.connect(f.api.rawAdmin(),
        EXEC + "command=cat&stdin=true&stdout=true&tty=true", "v5.channel.k8s.io")) {
      ws.sendChannel(4, "{\"Width\":80,\"Height\":24}");
      assertEquals("resize {\"Width\":80,\"Height\":24}\n", ws.readData().text());
      ws.sendBinary((byte) 0xff, (byte) 0);
      drain(ws);
    }
    String last = f.kubelet.requests.get(f.kubelet.requests.size() - 1);
    assertEquals("POST /exec/default/web/main?command=cat&input=1&output=1&tty=1", last);
  }

  @Test
  void anIdleSessionIsPingedOnBothLegsAndStaysUsable() throws Exception {
    int before = f.kubelet.pings.get();
    try (WsTestClient ws = WsTestClient.connect(f.api.rawAdmin(), EXEC + "command=cat&stdin=true&stdout=true",
        "v5.channel.k8s.io")) {
      ws.raw.socket().setSoTimeout(30_000);
      WsTestClient.Frame ping = ws.read(); // nothing else comes while the session is idle
      assertEquals(0x9, ping.opcode(), "a WebSocket ping within the ping interval");
      ws.send(0xA, ping.payload());
      StreamingFixture.await("the kubelet got a SPDY PING", () -> f.kubelet.pings.get() > before);
      ws.sendChannel(0, "still here");
      assertEquals("still here", ws.readData().text());
      ws.sendBinary((byte) 0xff, (byte) 0);
      drain(ws);
    }
  }

  @Test
  void v4WebSocketClientsAreServedToo() throws Exception {
    try (WsTestClient ws = WsTestClient.connect(f.api.rawAdmin(), EXEC + "command=echo&command=v4&stdout=true",
        "v4.channel.k8s.io")) {
      assertEquals("v4.channel.k8s.io", ws.head.header("sec-websocket-protocol"));
      assertEquals("v4\n", drain(ws).get(1));
    }
  }

  @Test
  void attachOverWebSocket() throws Exception {
    try (WsTestClient ws = WsTestClient.connect(f.api.rawAdmin(),
        "/api/v1/namespaces/default/pods/web/attach?container=main&stdin=true&stdout=true", "v5.channel.k8s.io")) {
      ws.sendChannel(0, "attached\n");
      assertEquals("attached\n", ws.readData().text());
      ws.sendBinary((byte) 0xff, (byte) 0);
      drain(ws);
    }
    assertTrue(f.kubelet.requests.contains("POST /attach/default/web/main?input=1&output=1"),
        f.kubelet.requests.toString());
  }

  @Test
  void aClientThatLeavesMidSessionReleasesTheKubeletConnection() throws Exception {
    WsTestClient ws = WsTestClient.connect(f.api.rawAdmin(), EXEC + "command=cat&stdin=true&stdout=true",
        "v5.channel.k8s.io");
    ws.sendChannel(0, "x");
    assertEquals("x", ws.readData().text());
    assertEquals(1, f.proxy.establishedConnections());
    ws.close(); // @AfterEach checks that the tunnel and the kubelet connection are gone
  }

  @Test
  void spdyClientsArePassedThroughWithTheKubeletsProtocolChoice() throws Exception {
    try (SpdyTestClient spdy = SpdyTestClient.connect(f.api.rawAdmin(), "POST",
        EXEC + "command=cat&stdin=true&stdout=true&stderr=true",
        List.of("v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io"))) {
      assertEquals(101, spdy.head.status());
      assertEquals("v4.channel.k8s.io", spdy.head.header("x-stream-protocol-version"));
      int id = 1;
      for (String type : List.of("error", "stdin", "stdout", "stderr")) {
        DefaultSpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(id, 0, (byte) 0);
        syn.headers().set("streamtype", type);
        spdy.send(syn);
        id += 2;
      }
      spdy.send(new DefaultSpdyDataFrame(3, Unpooled.copiedBuffer("over spdy", StandardCharsets.UTF_8)));
      DefaultSpdyDataFrame eof = new DefaultSpdyDataFrame(3);
      eof.setLast(true);
      spdy.send(eof);
      StringBuilder stdout = new StringBuilder();
      StringBuilder error = new StringBuilder();
      for (Object fr = spdy.read(); fr != null; fr = spdy.read()) {
        if (fr instanceof SpdyDataFrame d) {
          (d.streamId() == 5 ? stdout : d.streamId() == 1 ? error : new StringBuilder())
              .append(d.content().toString(StandardCharsets.UTF_8));
        }
        ReferenceCountUtil.release(fr);
      }
      assertEquals("over spdy", stdout.toString());
      assertEquals("Success", JSON.readTree(error.toString()).path("status").asText());
    }
  }

  @Test
  void requestsThatCannotBeStreamedAre400() throws Exception {
    // HTTP/2 cannot upgrade; neither can a plain HTTP/1.1 request without Upgrade.
    HttpResponse<String> r = f.api.send("POST", EXEC + "command=ls&stdout=true", null, null);
    assertEquals(400, r.statusCode(), r.body());
    assertEquals("Upgrade request required", TestApiServer.json(r).path("message").asText());
    r = f.api.send("POST", EXEC + "stdout=true", null, null);
    assertEquals("you must specify at least one command for the container",
        TestApiServer.json(r).path("message").asText());
    r = f.api.send("POST", EXEC + "command=ls", null, null);
    assertEquals("you must specify at least 1 of stdin, stdout, stderr",
        TestApiServer.json(r).path("message").asText());
    try (WsTestClient ws = WsTestClient.connect(f.api.rawAdmin(),
        "/api/v1/namespaces/default/pods/pending/exec?command=ls&stdout=true", "v5.channel.k8s.io")) {
      assertEquals(400, ws.head.status());
    }
    try (RawHttp1Client raw = f.api.rawAdmin()) {
      raw.send("POST " + EXEC + "command=ls&stdout=true HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
      RawHttp1Client.Response res = raw.readResponse();
      assertEquals(400, res.status());
      // The connection still serves HTTP after an answered (non-upgraded) request.
      raw.send("GET /api/v1/namespaces/default/pods/web HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(200, raw.readResponse().status());
    }
  }

  @Test
  void theExecVerbIsAuthorizedAsCreateOnPodsExec() throws Exception {
    var client = f.api.clientFor("jane");
    HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(
        f.api.uri(EXEC + "command=ls&stdout=true")).POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, r.statusCode());
    assertTrue(r.body().contains("cannot create resource \\\"pods/exec\\\""), r.body());
  }
}

package dev.hostplane.apiserver.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.testing.RawHttp1Client;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code pods/log} through the Konnectivity tunnel to a test kubelet. */
@Timeout(120)
class PodLogsTest {
  @TempDir
  static Path dir;
  static StreamingFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = new StreamingFixture(dir);
    f.createPod("web", "node-1", null, "main");
    f.createPod("two", "node-1", null, "a", "b");
    f.createPod("annotated", "node-1", "{\"kubectl.kubernetes.io/default-container\":\"b\"}", "a", "b");
    f.createPod("firehose", "node-1", null, "firehose");
    f.createPod("pending", null, null, "main");
    f.kubelet.logs.put("default/web/main", "hello\nworld\n");
    f.kubelet.logs.put("default/two/b", "from b\n");
    f.kubelet.logs.put("default/annotated/b", "annotated b\n");
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

  @Test
  void logsComeFromTheKubeletThroughTheTunnelWithTheKubeletClientCertificate() throws Exception {
    HttpResponse<String> r = f.api.get("/api/v1/namespaces/default/pods/web/log");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("hello\nworld\n", r.body());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
    assertTrue(f.kubelet.requests.contains("GET /containerLogs/default/web/main"), f.kubelet.requests.toString());
    assertTrue(f.kubelet.clientNames.get(f.kubelet.clientNames.size() - 1).contains("kube-apiserver-kubelet-client"));
  }

  @Test
  void logParametersAreTranslatedForTheKubelet() throws Exception {
    HttpResponse<String> r = f.api.get("/api/v1/namespaces/default/pods/web/log?container=main&tailLines=10"
        + "&timestamps=true&limitBytes=100&sinceSeconds=60");
    assertEquals(200, r.statusCode(), r.body());
    String last = f.kubelet.requests.get(f.kubelet.requests.size() - 1);
    assertEquals("GET /containerLogs/default/web/main?timestamps=true&tailLines=10&limitBytes=100&sinceSeconds=60",
        last);
    f.api.get("/api/v1/namespaces/default/pods/web/log?sinceTime=2026-01-02T03:04:05Z");
    assertEquals("GET /containerLogs/default/web/main?sinceTime=2026-01-02T03%3A04%3A05Z",
        f.kubelet.requests.get(f.kubelet.requests.size() - 1));
  }

  @Test
  void theContainerDefaultsToTheAnnotationOrTheOnlyOneElseTheChoicesAreNamed() throws Exception {
    assertEquals("annotated b\n", f.api.get("/api/v1/namespaces/default/pods/annotated/log").body());
    assertEquals("from b\n", f.api.get("/api/v1/namespaces/default/pods/two/log?container=b").body());
    HttpResponse<String> r = f.api.get("/api/v1/namespaces/default/pods/two/log");
    assertEquals(400, r.statusCode());
    JsonNode s = TestApiServer.json(r);
    assertEquals("BadRequest", s.path("reason").asText());
    assertEquals("a container name must be specified for pod two, choose one of: [a b]", s.path("message").asText());
    r = f.api.get("/api/v1/namespaces/default/pods/two/log?container=c");
    assertEquals(400, r.statusCode());
    assertEquals("container c is not valid for pod two", TestApiServer.json(r).path("message").asText());
  }

  @Test
  void invalidOptionsAre400WithoutReachingTheKubelet() throws Exception {
    int before = f.kubelet.requests.size();
    for (String q : new String[] {"sinceSeconds=10&sinceTime=2026-01-02T03:04:05Z", "tailLines=-1",
        "limitBytes=0", "sinceSeconds=0", "tailLines=abc", "follow=maybe", "sinceTime=yesterday"}) {
      HttpResponse<String> r = f.api.get("/api/v1/namespaces/default/pods/web/log?" + q);
      assertEquals(400, r.statusCode(), q + ": " + r.body());
      assertEquals("BadRequest", TestApiServer.json(r).path("reason").asText(), q);
    }
    HttpResponse<String> both = f.api.get(
        "/api/v1/namespaces/default/pods/web/log?sinceSeconds=10&sinceTime=2026-01-02T03:04:05Z");
    assertTrue(TestApiServer.json(both).path("message").asText()
        .contains("at most one of `sinceTime` or `sinceSeconds` may be specified"), both.body());
    assertEquals(before, f.kubelet.requests.size());
  }

  @Test
  void kubeletErrorsKeepTheirCodeAndMessage() throws Exception {
    HttpResponse<String> r = f.api.get("/api/v1/namespaces/default/pods/web/log?previous=true");
    assertEquals(400, r.statusCode(), r.body());
    JsonNode s = TestApiServer.json(r);
    assertEquals("BadRequest", s.path("reason").asText());
    assertEquals("previous terminated container \"main\" in pod \"web\" not found", s.path("message").asText());
  }

  @Test
  void anUnboundPodAMissingPodAndAMissingNodeAreClientErrors() throws Exception {
    HttpResponse<String> r = f.api.get("/api/v1/namespaces/default/pods/pending/log");
    assertEquals(400, r.statusCode(), r.body());
    assertEquals("pod pending does not have a host assigned", TestApiServer.json(r).path("message").asText());
    r = f.api.get("/api/v1/namespaces/default/pods/nope/log");
    assertEquals(404, r.statusCode(), r.body());
    assertEquals("NotFound", TestApiServer.json(r).path("reason").asText());
    f.createPod("orphan", "node-gone", null, "main");
    r = f.api.get("/api/v1/namespaces/default/pods/orphan/log");
    assertEquals(404, r.statusCode(), r.body());
    assertEquals("nodes \"node-gone\" not found", TestApiServer.json(r).path("message").asText());
  }

  @Test
  void aKubeletThatIsDownIs503() throws Exception {
    java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
    int deadPort = s.getLocalPort();
    s.close();
    f.createNode("node-down", "127.0.0.1", deadPort);
    f.createPod("stranded", "node-down", null, "main");
    HttpResponse<String> r = f.api.get("/api/v1/namespaces/default/pods/stranded/log");
    assertEquals(503, r.statusCode(), r.body());
    JsonNode st = TestApiServer.json(r);
    assertEquals("ServiceUnavailable", st.path("reason").asText());
    assertTrue(st.path("message").asText().startsWith("error dialing backend: "), r.body());
  }

  @Test
  void followStreamsNewLinesOnHttp2AndReleasesTheTunnelWhenTheClientLeaves() throws Exception {
    HttpResponse<InputStream> r = f.api.client().send(HttpRequest.newBuilder(
        f.api.uri("/api/v1/namespaces/default/pods/web/log?follow=true")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    assertEquals(java.net.http.HttpClient.Version.HTTP_2, r.version());
    InputStream in = r.body();
    String seen = readUntil(in, "line 3\n");
    assertTrue(seen.startsWith("hello\nworld\nline 1\n"), seen);
    assertEquals(1, f.proxy.establishedConnections());
    in.close();
  }

  @Test
  void followOnHttp11IsChunkedAndEndsWithTheClient() throws Exception {
    try (RawHttp1Client raw = f.api.rawAdmin()) {
      raw.send("GET /api/v1/namespaces/default/pods/web/log?follow=true HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp1Client.Head head = raw.readHead();
      assertEquals(200, head.status());
      assertTrue(head.chunked());
      StringBuilder sb = new StringBuilder();
      while (!sb.toString().contains("line 2\n")) {
        sb.append(new String(raw.readChunk(), StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void aClientThatDoesNotReadStopsTheKubeletFromBeingRead() throws Exception {
    long before = f.kubelet.firehoseBytes.get();
    try (RawHttp1Client raw = f.api.rawAdmin()) {
      raw.socket().setReceiveBufferSize(64 * 1024);
      raw.send("GET /api/v1/namespaces/default/pods/firehose/log?follow=true HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(200, raw.readHead().status());
      Thread.sleep(1500);
      long written = f.kubelet.firehoseBytes.get() - before;
      Thread.sleep(1000);
      long later = f.kubelet.firehoseBytes.get() - before;
      // Bounded by socket buffers and water marks along the way, not by the 2.5 s of an endless source.
      assertTrue(later < 64L * 1024 * 1024, "kubelet wrote " + later + " bytes to a client that reads nothing");
      assertTrue(later - written < 4L * 1024 * 1024, "still flowing: " + written + " -> " + later);
      // Reading resumes the flow.
      long got = 0;
      while (got < 2L * 1024 * 1024) {
        byte[] c = raw.readChunk();
        got += c.length;
      }
    }
  }

  private static String readUntil(InputStream in, String marker) throws Exception {
    StringBuilder sb = new StringBuilder();
    byte[] buf = new byte[1024];
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!sb.toString().contains(marker) && System.nanoTime() < deadline) {
      int n = in.read(buf);
      if (n < 0) {
        break;
      }
      sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
    }
    return sb.toString();
  }
}

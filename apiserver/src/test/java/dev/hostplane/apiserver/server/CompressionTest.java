package dev.hostplane.apiserver.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpClient.Version;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(30)
class CompressionTest {
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

  private HttpResponse<byte[]> get(HttpClient client, String path, boolean gzip) throws Exception {
    HttpRequest.Builder req = HttpRequest.newBuilder(h.uri(path));
    if (gzip) {
      req.header("Accept-Encoding", "gzip");
    }
    return client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void largeCompleteResponsesAreGzipped(Version version) throws Exception {
    HttpResponse<byte[]> res = get(h.client(version), "/big", true);
    assertEquals(200, res.statusCode());
    assertEquals("gzip", res.headers().firstValue("Content-Encoding").orElse("identity"));
    assertTrue(res.body().length < TestHandler.BIG.length / 4, "compressed to " + res.body().length);
    res.headers().firstValue("Content-Length").ifPresent(len ->
        assertEquals(String.valueOf(res.body().length), len));
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(res.body()))) {
      assertArrayEquals(TestHandler.BIG, in.readAllBytes());
    }
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void smallResponsesStayPlain(Version version) throws Exception {
    HttpResponse<byte[]> res = get(h.client(version), "/small", true);
    assertTrue(res.headers().firstValue("Content-Encoding").isEmpty());
    assertArrayEquals(TestHandler.SMALL, res.body());
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void noAcceptEncodingNoCompression(Version version) throws Exception {
    HttpResponse<byte[]> res = get(h.client(version), "/big", false);
    assertTrue(res.headers().firstValue("Content-Encoding").isEmpty());
    assertArrayEquals(TestHandler.BIG, res.body());
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void streamedResponsesStayPlain(Version version) throws Exception {
    HttpResponse<byte[]> res = get(h.client(version), "/stream-big", true);
    assertTrue(res.headers().firstValue("Content-Encoding").isEmpty());
    assertArrayEquals(TestHandler.BIG, res.body());
  }

  @Test
  void compressionCanBeTurnedOff() throws Exception {
    h.close();
    h = new ServerHarness(dir.resolve("off"), o -> o.withCompressionMinBytes(-1));
    HttpResponse<byte[]> res = get(h.client(Version.HTTP_2), "/big", true);
    assertTrue(res.headers().firstValue("Content-Encoding").isEmpty());
    assertArrayEquals(TestHandler.BIG, res.body());
  }
}

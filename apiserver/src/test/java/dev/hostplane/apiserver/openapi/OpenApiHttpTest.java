package dev.hostplane.apiserver.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenAPI endpoints and field validation over HTTP, against an in-process server. */
class OpenApiHttpTest {
  @TempDir
  static Path dir;
  static TestApiServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.start(dir);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<byte[]> get(String path, String accept, String ifNoneMatch) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).GET();
    if (accept != null) {
      b.header("Accept", accept);
    }
    if (ifNoneMatch != null) {
      b.header("If-None-Match", ifNoneMatch);
    }
    return server.client().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void v2ServesProtobufAndJsonWithEtagsAnd304() throws Exception {
    HttpResponse<byte[]> pb = get("/openapi/v2?timeout=32s",
        "application/com.github.proto-openapi.spec.v2@v1.0+protobuf", null);
    assertEquals(200, pb.statusCode());
    assertEquals(OpenApiDocuments.V2_PROTOBUF, pb.headers().firstValue("Content-Type").orElseThrow());
    String etag = pb.headers().firstValue("ETag").orElseThrow();
    assertTrue(etag.matches("\"[0-9A-F]{128}\""), etag);
    HttpResponse<byte[]> again = get("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
        etag);
    assertEquals(304, again.statusCode());
    assertEquals(0, again.body().length);
    HttpResponse<byte[]> json = get("/openapi/v2", "application/json", null);
    assertEquals(200, json.statusCode());
    assertEquals("application/json", json.headers().firstValue("Content-Type").orElseThrow());
    assertFalse(etag.equals(json.headers().firstValue("ETag").orElseThrow()));
    assertEquals("2.0", TestApiServer.json(new StringResponse(json)).path("swagger").asText());
  }

  @Test
  void v3IndexAndHashedDocumentsAreImmutable() throws Exception {
    JsonNode index = TestApiServer.json(server.get("/openapi/v3"));
    String url = index.path("paths").path("apis/apps/v1").path("serverRelativeURL").asText();
    assertTrue(url.startsWith("/openapi/v3/apis/apps/v1?hash="), url);
    HttpResponse<byte[]> doc = get(url, "application/json", null);
    assertEquals(200, doc.statusCode());
    assertEquals("public, immutable", doc.headers().firstValue("Cache-Control").orElseThrow());
    String etag = doc.headers().firstValue("ETag").orElseThrow();
    assertEquals("\"" + url.substring(url.indexOf("hash=") + 5) + "\"", etag);
    assertEquals(304, get(url, "application/json", etag).statusCode());
    HttpResponse<byte[]> unhashed = get("/openapi/v3/apis/apps/v1", "application/json", null);
    assertEquals("no-cache, private", unhashed.headers().firstValue("Cache-Control").orElseThrow());
    HttpResponse<byte[]> stale = get("/openapi/v3/apis/apps/v1?hash=ABC", "application/json", null);
    assertEquals(301, stale.statusCode());
    assertEquals(url, stale.headers().firstValue("Location").orElseThrow());
    assertEquals(404, get("/openapi/v3/apis/nothing/v1", "application/json", null).statusCode());
  }

  @Test
  void createWithUnknownFieldsFailsUnderStrictAndWarnsOtherwise() throws Exception {
    String cm = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"%s\"},\"data\":{\"a\":\"b\"},"
        + "\"bogus\":1,\"metadata2\":{}}";
    HttpResponse<String> strict = server.send("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict",
        "application/json", cm.formatted("strict"));
    assertEquals(400, strict.statusCode(), strict.body());
    JsonNode status = TestApiServer.json(strict);
    assertEquals("BadRequest", status.path("reason").asText());
    assertEquals("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: "
        + "unknown field \"bogus\", unknown field \"metadata2\"", status.path("message").asText());

    HttpResponse<String> warn = server.send("POST", "/api/v1/namespaces/default/configmaps", "application/json",
        cm.formatted("warn"));
    assertEquals(201, warn.statusCode(), warn.body());
    assertEquals("299 - \"unknown field \\\"bogus\\\"\", 299 - \"unknown field \\\"metadata2\\\"\"",
        warn.headers().firstValue("Warning").orElseThrow());
    assertFalse(TestApiServer.json(warn).has("bogus"), "unknown fields are dropped");

    HttpResponse<String> ignore = server.send("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Ignore",
        "application/json", cm.formatted("ignore"));
    assertEquals(201, ignore.statusCode());
    assertTrue(ignore.headers().firstValue("Warning").isEmpty());

    HttpResponse<String> typed = server.send("POST", "/apis/apps/v1/namespaces/default/deployments",
        "application/json", "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},"
            + "\"spec\":{\"replicas\":\"two\"}}");
    assertEquals(400, typed.statusCode());
    assertEquals("Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string "
        + "into Go struct field DeploymentSpec.spec.replicas of type int32",
        TestApiServer.json(typed).path("message").asText());
  }

  /** Adapts a byte response for {@link TestApiServer#json}. */
  private record StringResponse(HttpResponse<byte[]> r) implements HttpResponse<String> {
    @Override
    public int statusCode() {
      return r.statusCode();
    }

    @Override
    public HttpRequest request() {
      return r.request();
    }

    @Override
    public java.util.Optional<HttpResponse<String>> previousResponse() {
      return java.util.Optional.empty();
    }

    @Override
    public java.net.http.HttpHeaders headers() {
      return r.headers();
    }

    @Override
    public String body() {
      return new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
      return r.sslSession();
    }

    @Override
    public java.net.URI uri() {
      return r.uri();
    }

    @Override
    public java.net.http.HttpClient.Version version() {
      return r.version();
    }
  }
}

package dev.hostplane.apiserver.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The whole server over HTTPS/HTTP2: bad input, negotiation, discovery, health, watch. */
@Timeout(60)
class ApiServerHttpTest {
  @TempDir
  static Path dir;
  static TestApiServer server;
  static final AtomicInteger SEQ = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.start(dir, "--watch-bookmark-interval=200ms");
    server.send("POST", "/api/v1/namespaces", "application/json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"t\"}}");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String cm(String name) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
        + "\",\"labels\":{\"app\":\"x\"}},\"data\":{\"k\":\"v\"}}";
  }

  static Stream<Arguments> badRequests() {
    String deep = "{\"a\":".repeat(2000) + "1" + "}".repeat(2000);
    return Stream.of(
        Arguments.of("malformed JSON", "POST", "/api/v1/namespaces/t/configmaps", "application/json",
            "{\"apiVersion\":", 400, "BadRequest"),
        Arguments.of("not an object", "POST", "/api/v1/namespaces/t/configmaps", "application/json", "[1,2]", 400,
            "BadRequest"),
        Arguments.of("kind contradicts URL", "POST", "/api/v1/namespaces/t/configmaps", "application/json",
            "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"a\"}}", 400, "BadRequest"),
        Arguments.of("namespace contradicts URL", "POST", "/api/v1/namespaces/t/configmaps", "application/json",
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"namespace\":\"other\"}}",
            400, "BadRequest"),
        Arguments.of("name contradicts URL", "PUT", "/api/v1/namespaces/t/configmaps/one", "application/json",
            cm("two"), 400, "BadRequest"),
        Arguments.of("too deep", "POST", "/api/v1/namespaces/t/configmaps", "application/json", deep, 400,
            "BadRequest"),
        Arguments.of("unknown resource", "GET", "/api/v1/namespaces/t/widgets", null, null, 404, "NotFound"),
        Arguments.of("unknown group", "GET", "/apis/example.dev/v1/widgets", null, null, 404, "NotFound"),
        Arguments.of("unsupported verb", "PUT", "/api/v1/namespaces/t/configmaps", "application/json", cm("a"),
            405, "MethodNotAllowed"),
        Arguments.of("invalid name", "POST", "/api/v1/namespaces/t/configmaps", "application/json",
            cm("Bad_Name"), 422, "Invalid"),
        Arguments.of("invalid label selector", "GET", "/api/v1/namespaces/t/configmaps?labelSelector=a%3D%3D%3Db",
            null, null, 400, "BadRequest"),
        Arguments.of("unsupported field selector", "GET",
            "/api/v1/namespaces/t/configmaps?fieldSelector=data.k%3Dv", null, null, 400, "BadRequest"),
        Arguments.of("bad resourceVersion", "GET", "/api/v1/namespaces/t/configmaps?resourceVersion=abc", null,
            null, 400, "BadRequest"),
        Arguments.of("truncated protobuf body", "POST", "/api/v1/namespaces/t/configmaps",
            "application/vnd.kubernetes.protobuf", "k8s\u0000\n", 400, "BadRequest"),
        Arguments.of("unknown body type", "POST", "/api/v1/namespaces/t/configmaps",
            "text/csv", "a,b", 415, "UnsupportedMediaType"),
        Arguments.of("missing namespace", "POST", "/api/v1/namespaces/nope/configmaps", "application/json",
            cm("a"), 404, "NotFound"),
        Arguments.of("bad dryRun", "POST", "/api/v1/namespaces/t/configmaps?dryRun=Some", "application/json",
            cm("a"), 422, "Invalid"),
        Arguments.of("bad continue token", "GET", "/api/v1/namespaces/t/configmaps?limit=1&continue=zzz", null,
            null, 400, "BadRequest"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void badInputGetsAStatusWithUpstreamReasonAndWritesNothing(String what, String method, String path,
      String contentType, String body, int code, String reason) throws Exception {
    long before = server.server().storage().currentRevision();
    HttpResponse<String> r = server.send(method, path, contentType, body);
    assertEquals(code, r.statusCode(), r.body());
    JsonNode status = TestApiServer.json(r);
    assertEquals("Status", status.path("kind").asText());
    assertEquals("Failure", status.path("status").asText());
    assertEquals(reason, status.path("reason").asText(), r.body());
    assertEquals(code, status.path("code").asInt());
    assertFalse(r.body().contains("at dev.hostplane"), "no stack trace on the wire");
    assertEquals(before, server.server().storage().currentRevision(), "nothing was written");
  }

  @Test
  void oversizedBodyIs413() throws Exception {
    String big = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"big\"},\"data\":{\"k\":\""
        + "x".repeat(4 << 20) + "\"}}";
    long before = server.server().storage().currentRevision();
    // HTTP/1.1: the JDK's HTTP/2 client hangs when a server refuses a body before it is complete.
    HttpClient h1 = HttpClient.newBuilder().sslContext(server.client().sslContext())
        .version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> r = h1.send(HttpRequest.newBuilder(server.uri("/api/v1/namespaces/t/configmaps"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(big)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(413, r.statusCode());
    assertEquals("RequestEntityTooLarge", TestApiServer.json(r).path("reason").asText());
    assertEquals(before, server.server().storage().currentRevision());
  }

  @Test
  void invalidNameNamesTheField() throws Exception {
    HttpResponse<String> r = server.send("POST", "/api/v1/namespaces/t/configmaps", "application/json",
        cm("Bad_Name"));
    JsonNode cause = TestApiServer.json(r).path("details").path("causes").get(0);
    assertEquals("metadata.name", cause.path("field").asText());
    assertEquals("FieldValueInvalid", cause.path("reason").asText());
  }

  @Test
  void acceptNegotiation() throws Exception {
    String name = "neg" + SEQ.incrementAndGet();
    server.send("POST", "/api/v1/namespaces/t/configmaps", "application/json", cm(name));
    HttpResponse<String> yaml = server.send(HttpRequest.newBuilder(server.uri("/api/v1/namespaces/t/configmaps/"
        + name)).header("Accept", "application/yaml").build());
    assertEquals(200, yaml.statusCode());
    assertEquals("application/yaml", yaml.headers().firstValue("Content-Type").orElse(""));
    assertTrue(yaml.body().contains("name: " + name), yaml.body());
    HttpResponse<String> fallback = server.send(HttpRequest.newBuilder(server.uri("/api/v1/namespaces/t/configmaps/"
        + name)).header("Accept", "application/vnd.kubernetes.protobuf,application/json").build());
    assertEquals(200, fallback.statusCode());
    HttpResponse<byte[]> proto = server.client().send(HttpRequest.newBuilder(server.uri(
        "/api/v1/namespaces/t/configmaps/" + name)).header("Accept", "application/vnd.kubernetes.protobuf").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, proto.statusCode());
    assertEquals("application/vnd.kubernetes.protobuf", proto.headers().firstValue("Content-Type").orElse(""));
    assertEquals(name, dev.hostplane.apiserver.api.protobuf.KubeProtobuf.decode(proto.body())
        .path("metadata").path("name").asText());
    HttpResponse<String> none = server.send(HttpRequest.newBuilder(server.uri("/api/v1/namespaces/t/configmaps/"
        + name)).header("Accept", "text/csv").build());
    assertEquals(406, none.statusCode());
    assertEquals("NotAcceptable", TestApiServer.json(none).path("reason").asText());
  }

  @Test
  void tablesAndPartialObjectMetadata() throws Exception {
    String name = "tbl" + SEQ.incrementAndGet();
    server.send("POST", "/api/v1/namespaces/t/configmaps", "application/json", cm(name));
    String table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
        + "g=meta.k8s.io,application/json";
    HttpResponse<String> list = server.send(HttpRequest.newBuilder(server.uri("/api/v1/namespaces/t/configmaps"))
        .header("Accept", table).build());
    assertEquals("application/json;as=Table;v=v1;g=meta.k8s.io",
        list.headers().firstValue("Content-Type").orElse(""));
    JsonNode t = TestApiServer.json(list);
    assertEquals("Table", t.path("kind").asText());
    assertEquals("Name", t.path("columnDefinitions").get(0).path("name").asText());
    assertEquals("Data", t.path("columnDefinitions").get(1).path("name").asText());
    boolean found = false;
    for (JsonNode row : t.path("rows")) {
      if (row.path("cells").get(0).asText().equals(name)) {
        found = true;
        assertEquals(1, row.path("cells").get(1).asInt());
        assertEquals("PartialObjectMetadata", row.path("object").path("kind").asText());
      }
    }
    assertTrue(found);
    HttpResponse<String> bad = server.send(HttpRequest.newBuilder(server.uri(
        "/api/v1/namespaces/t/configmaps?includeObject=Everything")).header("Accept", table).build());
    assertEquals(400, bad.statusCode());
    HttpResponse<String> pom = server.send(HttpRequest.newBuilder(server.uri("/api/v1/namespaces/t/configmaps"))
        .header("Accept", "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io").build());
    assertEquals("PartialObjectMetadataList", TestApiServer.json(pom).path("kind").asText());
    assertTrue(TestApiServer.json(pom).path("items").get(0).path("data").isMissingNode());
    HttpResponse<String> v2 = server.send(HttpRequest.newBuilder(server.uri("/api/v1/namespaces/t/configmaps"))
        .header("Accept", "application/json;as=Table;v=v2;g=meta.k8s.io").build());
    assertEquals(406, v2.statusCode(), "no fallback offered");
  }

  @Test
  void aggregatedDiscoveryUsesTheExactContentType() throws Exception {
    for (String v : List.of("v2", "v2beta1")) {
      String type = "application/json;g=apidiscovery.k8s.io;v=" + v + ";as=APIGroupDiscoveryList";
      HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/apis"))
          .header("Accept", type + ",application/json").build());
      assertEquals(type, r.headers().firstValue("Content-Type").orElse(""));
      JsonNode items = TestApiServer.json(r).path("items");
      assertTrue(items.size() > 10);
      HttpResponse<String> core = server.send(HttpRequest.newBuilder(server.uri("/api"))
          .header("Accept", type + ",application/json").build());
      JsonNode resources = TestApiServer.json(core).path("items").get(0).path("versions").get(0).path("resources");
      boolean pods = false;
      for (JsonNode res : resources) {
        if (res.path("resource").asText().equals("pods")) {
          pods = true;
          assertEquals("Namespaced", res.path("scope").asText());
          assertEquals("status", res.path("subresources").get(0).path("subresource").asText());
        }
      }
      assertTrue(pods);
    }
    HttpResponse<String> legacy = server.get("/api");
    assertEquals("APIVersions", TestApiServer.json(legacy).path("kind").asText());
    assertEquals("APIGroup", TestApiServer.json(server.get("/apis/apps")).path("kind").asText());
    assertEquals("APIResourceList", TestApiServer.json(server.get("/apis/apps/v1")).path("kind").asText());
  }

  @Test
  void legacyDiscoveryNamesTheGroupAndVersionOfForeignSubresources() throws Exception {
    // kubectl drain evicts only when /api/v1 lists pods/eviction with both a group and a version (else it deletes).
    JsonNode core = TestApiServer.json(server.get("/api/v1"));
    JsonNode eviction = find(core, "pods/eviction");
    assertEquals("policy", eviction.path("group").asText(), eviction::toString);
    assertEquals("v1", eviction.path("version").asText(), eviction::toString);
    assertEquals("Eviction", eviction.path("kind").asText(), eviction::toString);
    JsonNode scale = find(TestApiServer.json(server.get("/apis/apps/v1")), "deployments/scale");
    assertEquals("autoscaling", scale.path("group").asText(), scale::toString);
    assertEquals("v1", scale.path("version").asText(), scale::toString);
    JsonNode status = find(core, "pods/status");
    assertTrue(status.path("group").isMissingNode() && status.path("version").isMissingNode(), status::toString);
  }

  private static JsonNode find(JsonNode resourceList, String name) {
    for (JsonNode r : resourceList.path("resources")) {
      if (r.path("name").asText().equals(name)) {
        return r;
      }
    }
    throw new AssertionError(name + " not in " + resourceList);
  }

  @Test
  void healthAndVersion() throws Exception {
    assertEquals("ok", server.get("/healthz").body());
    HttpResponse<String> verbose = server.get("/readyz?verbose");
    assertTrue(verbose.body().contains("[+]ping ok"), verbose.body());
    assertTrue(verbose.body().endsWith("readyz check passed\n"), verbose.body());
    assertTrue(server.get("/readyz?verbose&exclude=etcd").body().contains("[+]etcd excluded: ok"));
    assertEquals("ok", server.get("/livez/ping").body());
    assertEquals(404, server.get("/livez/nope").statusCode());
    assertEquals("1", TestApiServer.json(server.get("/version")).path("major").asText());
  }

  @Test
  void anonymousUsersReachOnlyPublicEndpoints() throws Exception {
    HttpClient anon = server.anonymousClient();
    assertEquals(200, anon.send(HttpRequest.newBuilder(server.uri("/healthz")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode());
    assertEquals(200, anon.send(HttpRequest.newBuilder(server.uri("/version")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode());
    HttpResponse<String> r = anon.send(HttpRequest.newBuilder(server.uri("/api/v1/namespaces/t/secrets")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(401, r.statusCode());
    assertEquals("Unauthorized", TestApiServer.json(r).path("reason").asText());
    HttpResponse<String> denied = server.clientFor("nobody").send(
        HttpRequest.newBuilder(server.uri("/api/v1/namespaces/t/secrets")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, denied.statusCode());
    assertEquals("secrets is forbidden: User \"nobody\" cannot list resource \"secrets\" in API group "
        + "\"\" in the namespace \"t\"", TestApiServer.json(denied).path("message").asText());
  }

  @Test
  void deleteAnswersLikeUpstream() throws Exception {
    String name = "del" + SEQ.incrementAndGet();
    server.send("POST", "/api/v1/namespaces/t/configmaps", "application/json", cm(name));
    HttpResponse<String> r = server.send("DELETE", "/api/v1/namespaces/t/configmaps/" + name, "application/json",
        "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Background\"}");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode status = TestApiServer.json(r);
    assertEquals("Success", status.path("status").asText());
    assertEquals(name, status.path("details").path("name").asText());
    assertEquals("configmaps", status.path("details").path("kind").asText());
    assertEquals(404, server.get("/api/v1/namespaces/t/configmaps/" + name).statusCode());
  }

  @Test
  void deleteCollectionBySelector() throws Exception {
    server.send("POST", "/api/v1/namespaces", "application/json",
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"dc\"}}");
    for (int i = 0; i < 3; i++) {
      server.send("POST", "/api/v1/namespaces/dc/configmaps", "application/json", cm("c" + i));
    }
    server.send("POST", "/api/v1/namespaces/dc/configmaps", "application/json",
        "{\"metadata\":{\"name\":\"keep\",\"labels\":{\"app\":\"y\"}}}");
    HttpResponse<String> r = server.send("DELETE", "/api/v1/namespaces/dc/configmaps?labelSelector=app%3Dx", null,
        null);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(3, TestApiServer.json(r).path("items").size());
    JsonNode left = TestApiServer.json(server.get("/api/v1/namespaces/dc/configmaps")).path("items");
    assertEquals(1, left.size());
    assertEquals("keep", left.get(0).path("metadata").path("name").asText());
  }

  @Test
  void watchStreamsEventsAndBookmarksThenEndsAtTimeout() throws Exception {
    JsonNode list = TestApiServer.json(server.get("/api/v1/namespaces/t/configmaps"));
    String rv = list.path("metadata").path("resourceVersion").asText();
    HttpResponse<InputStream> stream = server.client().send(HttpRequest.newBuilder(server.uri(
        "/api/v1/namespaces/t/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=2&resourceVersion="
            + rv)).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, stream.statusCode());
    String name = "w" + SEQ.incrementAndGet();
    server.send("POST", "/api/v1/namespaces/t/configmaps", "application/json", cm(name));
    List<String> types = new ArrayList<>();
    long started = System.nanoTime();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        JsonNode ev = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
        types.add(ev.path("type").asText() + (ev.path("type").asText().equals("ADDED")
            ? ":" + ev.path("object").path("metadata").path("name").asText() : ""));
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertTrue(types.contains("ADDED:" + name), types.toString());
    assertTrue(types.contains("BOOKMARK"), types.toString());
    assertTrue(took.toMillis() < 10_000, "ended at its timeout: " + took);
  }

  @Test
  void metricsExposeRequestCountersAndMemory() throws Exception {
    server.get("/api/v1/namespaces/t/configmaps");
    String metrics = server.get("/metrics").body();
    assertTrue(metrics.contains("apiserver_request_total{"), metrics.substring(0, Math.min(500, metrics.length())));
    assertTrue(metrics.contains("resource=\"configmaps\""));
    assertTrue(metrics.contains("process_resident_memory_bytes"));
    assertTrue(metrics.contains("jvm_memory_used_bytes"));
  }

  @Test
  void metricsExposeTheWatchCache() throws Exception {
    server.send("POST", "/api/v1/namespaces/t/configmaps", "application/json", cm("metered"));
    long deadline = System.nanoTime() + 10_000_000_000L;
    java.util.regex.Pattern objects = java.util.regex.Pattern.compile(
        "apiserver_storage_objects\\{resource=\"configmaps\"\\} ([0-9.]+)");
    double count = -1;
    while (System.nanoTime() < deadline) {
      java.util.regex.Matcher m = objects.matcher(server.get("/metrics").body());
      if (m.find() && (count = Double.parseDouble(m.group(1))) >= 1) {
        break;
      }
      Thread.sleep(50);
    }
    assertTrue(count >= 1, "configmaps counted from the watch cache: " + count + "\n" + server.get("/metrics").body()
        .lines().filter(l -> l.contains("storage_objects") || l.contains("watch_cache")).toList());
    String metrics = server.get("/metrics").body();
    assertTrue(metrics.contains("apiserver_watch_cache_initializations_total{resource=\"configmaps\"} 1.0"), "one load");
    assertTrue(metrics.contains("apiserver_watch_cache_events_dispatched_total{resource=\"deployments.apps\"}"));
    assertTrue(metrics.contains("apiserver_registered_watchers{resource=\"pods\"}"));
  }
}

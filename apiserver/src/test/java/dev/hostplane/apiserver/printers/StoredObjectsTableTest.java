package dev.hostplane.apiserver.printers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Objects as this server stores and serves them (defaulted, allocated, listed with list metadata) print as
 * upstream's would: the real server in-process, the convertor applied to what its REST API returns.
 */
@Timeout(60)
class StoredObjectsTableTest {
  @TempDir
  static Path dir;
  static TestApiServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestApiServer.start(dir);
    post("/api/v1/namespaces/default/services", "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":"
        + "{\"name\":\"web\"},\"spec\":{\"type\":\"NodePort\",\"selector\":{\"app\":\"web\"},\"ports\":"
        + "[{\"port\":80,\"targetPort\":8080}]}}");
    post("/apis/apps/v1/namespaces/default/deployments", "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
        + "\"metadata\":{\"name\":\"web\"},\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
        + "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"nginx\","
        + "\"image\":\"nginx:1.25\"}]}}}}");
    post("/api/v1/namespaces/default/pods", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":"
        + "\"solo\"},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"busybox\"}]}}");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void post(String path, String body) throws Exception {
    HttpResponse<String> r = server.send("POST", path, "application/json", body);
    assertEquals(201, r.statusCode(), r.body());
  }

  /** Lists {@code path} as JSON and converts it as a handler would, three hours after the first item's creation. */
  private static ObjectNode tableOf(String gvr, String path) throws Exception {
    ObjectNode list = (ObjectNode) TestApiServer.json(server.get(path));
    List<ObjectNode> items = new ArrayList<>();
    list.path("items").forEach(i -> items.add((ObjectNode) i));
    Instant created = Instant.parse(items.get(0).path("metadata").path("creationTimestamp").asText());
    TableConvertor convertor = new TableConvertor(Clock.fixed(created.plusSeconds(3 * 3600), ZoneOffset.UTC));
    ObjectNode table = convertor.toTable(Tables.type(gvr), items,
        TableOptions.DEFAULT.withListMeta((ObjectNode) list.path("metadata")));
    assertEquals(list.path("metadata").path("resourceVersion"), table.path("metadata").path("resourceVersion"));
    return table;
  }

  @Test
  void servicesShowAllocatedAddressesAndPorts() throws Exception {
    ObjectNode table = tableOf("/v1/services", "/api/v1/namespaces/default/services?fieldSelector=metadata.name%3Dweb");
    JsonNode web = TestApiServer.json(server.get("/api/v1/namespaces/default/services/web"));
    JsonNode cells = table.path("rows").path(0).path("cells");
    String ports = "80:" + web.path("spec").path("ports").path(0).path("nodePort").asInt() + "/TCP";
    assertEquals(List.of("web", "NodePort", web.path("spec").path("clusterIP").asText(), "<none>", ports, "3h",
        "app=web"), texts(cells));
  }

  @Test
  void deploymentsAndPodsPrintTheirDefaults() throws Exception {
    ObjectNode deployments = tableOf("apps/v1/deployments", "/apis/apps/v1/namespaces/default/deployments");
    assertEquals("[\"web\",\"0/2\",0,0,\"3h\",\"nginx\",\"nginx:1.25\",\"app=web\"]",
        deployments.path("rows").path(0).path("cells").toString());
    ObjectNode pods = tableOf("/v1/pods", "/api/v1/namespaces/default/pods");
    assertEquals(List.of("solo", "0/1", "Pending", "0", "3h", "<none>", "<none>", "<none>", "<none>"),
        texts(pods.path("rows").path(0).path("cells")));
    assertEquals("solo", pods.path("rows").path(0).path("object").path("metadata").path("name").asText());
  }

  private static List<String> texts(JsonNode cells) {
    List<String> out = new ArrayList<>();
    cells.forEach(c -> out.add(c.asText()));
    return out;
  }
}

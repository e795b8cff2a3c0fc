package dev.hostplane.apiserver.printers;

import static dev.hostplane.apiserver.printers.Tables.CATALOG;
import static dev.hostplane.apiserver.printers.Tables.CONVERTOR;
import static dev.hostplane.apiserver.printers.Tables.json;
import static dev.hostplane.apiserver.printers.Tables.meta;
import static dev.hostplane.apiserver.printers.Tables.obj;
import static dev.hostplane.apiserver.printers.Tables.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.printers.TableOptions.IncludeObject;
import dev.hostplane.apiserver.printers.TableOptions.Version;
import dev.hostplane.apiserver.registry.GroupVersionResource;
import dev.hostplane.apiserver.registry.ResourceType;
import dev.hostplane.apiserver.registry.Strategy;
import dev.hostplane.apiserver.registry.VersionConverter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Table and PartialObjectMetadata envelopes: versions, includeObject, headers, list metadata, contracts. */
class TableConvertorTest {
  private static final ObjectNode LIST_META = obj("{resourceVersion: '1234', continue: 'eyJ2IjoxfQ',"
      + " remainingItemCount: 7, selfLink: ''}");

  private static ObjectNode configMap(String name) {
    return obj("{apiVersion: 'v1', kind: 'ConfigMap', metadata: {name: '" + name + "', namespace: 'default', uid:"
        + " 'u-" + name + "', resourceVersion: '99', creationTimestamp: '2024-05-01T11:00:00Z', labels: {app: 'web'},"
        + " managedFields: [{manager: 'kubectl', operation: 'Apply'}]}, data: {k: 'v'}}");
  }

  @Test
  void listTableCarriesColumnsRowsListMetadataAndPartialMetadata() {
    ObjectNode table = CONVERTOR.toTable(type("/v1/configmaps"), List.of(configMap("a"), configMap("b")),
        TableOptions.DEFAULT.withListMeta(LIST_META));
    assertEquals(json("{kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: {resourceVersion: '1234',"
        + " continue: 'eyJ2IjoxfQ', remainingItemCount: 7}, columnDefinitions: ["
        + "{name: 'Name', type: 'string', format: 'name', description: '', priority: 0},"
        + "{name: 'Data', type: 'string', format: '', description: '', priority: 0},"
        + "{name: 'Age', type: 'string', format: '', description: '', priority: 0}], rows: ["
        + "{cells: ['a', 1, '60m'], object: {kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata:"
        + " {name: 'a', namespace: 'default', uid: 'u-a', resourceVersion: '99', creationTimestamp:"
        + " '2024-05-01T11:00:00Z', labels: {app: 'web'}, managedFields: [{manager: 'kubectl', operation: 'Apply'}]}}},"
        + "{cells: ['b', 1, '60m'], object: {kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata:"
        + " {name: 'b', namespace: 'default', uid: 'u-b', resourceVersion: '99', creationTimestamp:"
        + " '2024-05-01T11:00:00Z', labels: {app: 'web'}, managedFields: [{manager: 'kubectl', operation: 'Apply'}]}}}"
        + "]}").toString(), table.toString());
  }

  @Test
  void v1beta1TablesCarryV1beta1PartialMetadata() {
    ObjectNode table = CONVERTOR.toTable(type("/v1/configmaps"), List.of(configMap("a")),
        TableOptions.DEFAULT.withVersion(Version.V1BETA1));
    assertEquals("meta.k8s.io/v1beta1", table.path("apiVersion").asText());
    assertEquals("meta.k8s.io/v1beta1", table.path("rows").path(0).path("object").path("apiVersion").asText());
    assertEquals("{}", table.path("metadata").toString(), "no list metadata given");
  }

  @Test
  void includeObjectNoneWritesANullObject() {
    ObjectNode table = CONVERTOR.toTable(type("/v1/configmaps"), List.of(configMap("a")),
        TableOptions.DEFAULT.withIncludeObject(IncludeObject.NONE));
    JsonNode row = table.path("rows").path(0);
    assertTrue(row.has("object") && row.get("object").isNull(), row.toString());
  }

  @Test
  void includeObjectObjectEmbedsTheServedObject() {
    ObjectNode cm = configMap("a");
    ObjectNode table = CONVERTOR.toTable(type("/v1/configmaps"), List.of(cm),
        TableOptions.DEFAULT.withIncludeObject(IncludeObject.OBJECT));
    assertEquals(cm, table.path("rows").path(0).path("object"));

    ObjectNode bare = obj("{metadata: {name: 'x'}, data: {}}");
    ObjectNode filled = CONVERTOR.toTable(type("/v1/configmaps"), List.of(bare),
        TableOptions.DEFAULT.withIncludeObject(IncludeObject.OBJECT));
    assertEquals(json("{metadata: {name: 'x'}, data: {}, kind: 'ConfigMap', apiVersion: 'v1'}"),
        filled.path("rows").path(0).path("object"), "kind and apiVersion filled in from the type");

    ObjectNode v1beta1Event = obj("{apiVersion: 'events.k8s.io/v1', kind: 'Event', " + meta("e") + ", note: 'n',"
        + " regarding: {kind: 'Pod', name: 'p'}}");
    ObjectNode events = CONVERTOR.toTable(type("events.k8s.io/v1/events"), List.of(v1beta1Event),
        TableOptions.DEFAULT.withIncludeObject(IncludeObject.OBJECT));
    assertEquals(v1beta1Event, events.path("rows").path(0).path("object"), "served version, not storage's");
  }

  @Test
  void noHeadersSendsNullColumnDefinitionsAndStillTheRows() {
    ObjectNode table = CONVERTOR.toTable(type("/v1/configmaps"), List.of(configMap("a")),
        TableOptions.DEFAULT.withNoHeaders(true));
    assertTrue(table.get("columnDefinitions").isNull());
    assertEquals("['a',1,'60m']".replace('\'', '"'), table.path("rows").path(0).path("cells").toString());
  }

  @Test
  void singleObjectTableTakesTheObjectsResourceVersion() {
    ObjectNode table = CONVERTOR.toTable(type("/v1/configmaps"), configMap("a"), TableOptions.DEFAULT);
    assertEquals("{\"resourceVersion\":\"99\"}", table.path("metadata").toString());
    assertEquals(1, table.path("rows").size());
    ObjectNode given = CONVERTOR.toTable(type("/v1/configmaps"), configMap("a"),
        TableOptions.DEFAULT.withListMeta(obj("{resourceVersion: '5'}")));
    assertEquals("{\"resourceVersion\":\"5\"}", given.path("metadata").toString(), "given metadata wins");
  }

  @Test
  void emptyListHasColumnsAndNoRows() {
    ObjectNode table = CONVERTOR.toTable(type("apps/v1/deployments"), List.of(), TableOptions.DEFAULT);
    assertEquals(8, table.path("columnDefinitions").size());
    assertTrue(table.path("rows").isArray());
    assertEquals(0, table.path("rows").size());
    assertEquals(TableConvertor.columnDefinitions(type("apps/v1/deployments")), table.path("columnDefinitions"));
  }

  @Test
  void finishedPodsCarryUpstreamsRowConditions() {
    ObjectNode done = obj("{" + meta("done") + ", spec: {containers: [{name: 'c'}]}, status: {phase: 'Succeeded'}}");
    ObjectNode failed = obj("{" + meta("failed") + ", spec: {containers: [{name: 'c'}]}, status: {phase: 'Failed'}}");
    ObjectNode running = obj("{" + meta("run") + ", spec: {containers: [{name: 'c'}]}, status: {phase: 'Running'}}");
    ObjectNode table = CONVERTOR.toTable(type("/v1/pods"), List.of(done, failed, running), TableOptions.DEFAULT);
    assertEquals(json("[{type: 'Completed', status: 'True', reason: 'Succeeded', message:"
        + " 'The pod has completed successfully.'}]"), table.path("rows").path(0).path("conditions"));
    assertEquals(json("[{type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.'}]"),
        table.path("rows").path(1).path("conditions"));
    assertFalse(table.path("rows").path(2).has("conditions"));
  }

  @Test
  void inputsAreNeitherModifiedNorShared() {
    ObjectNode event = obj("{apiVersion: 'events.k8s.io/v1', kind: 'Event', " + meta("e") + ", note: 'n',"
        + " regarding: {kind: 'Pod', name: 'p'}, eventTime: '2024-05-01T11:00:00.000000Z'}");
    ObjectNode hpa = obj("{apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', " + meta("h")
        + ", spec: {scaleTargetRef: {kind: 'Deployment', name: 'd'}, maxReplicas: 3,"
        + " targetCPUUtilizationPercentage: 50}}");
    ObjectNode eventBefore = event.deepCopy();
    ObjectNode hpaBefore = hpa.deepCopy();
    for (IncludeObject include : IncludeObject.values()) {
      TableOptions options = TableOptions.DEFAULT.withIncludeObject(include);
      ObjectNode t1 = CONVERTOR.toTable(type("events.k8s.io/v1/events"), List.of(event), options);
      ObjectNode t2 = CONVERTOR.toTable(type("autoscaling/v1/horizontalpodautoscalers"), List.of(hpa), options);
      if (include != IncludeObject.NONE) {
        ((ObjectNode) t1.path("rows").path(0).path("object").path("metadata")).put("name", "changed");
        ((ObjectNode) t2.path("rows").path(0).path("object").path("metadata")).put("name", "changed");
      }
    }
    assertEquals(eventBefore, event);
    assertEquals(hpaBefore, hpa);
  }

  @Test
  void everyAgeInOneTableComesFromOneReadingOfTheClock() {
    Clock ticking = new Clock() {
      private Instant now = Instant.parse("2024-05-01T12:00:00Z");

      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public synchronized Instant instant() {
        Instant t = now;
        now = now.plusSeconds(60);
        return t;
      }
    };
    ObjectNode table = new TableConvertor(ticking).toTable(type("/v1/configmaps"),
        List.of(configMap("a"), configMap("b"), configMap("c")), TableOptions.DEFAULT);
    for (JsonNode row : table.path("rows")) {
      assertEquals("60m", row.path("cells").path(2).asText());
    }
  }

  @Test
  void resourcesWithoutAPrinterGetUpstreamsDefaultTable() {
    ResourceType widgets = new ResourceType(new GroupVersionResource("example.com", "v1", "widgets"), "Widget",
        "widget", true, List.of(), List.of(), List.of(), Strategy.DEFAULT, "widgets", VersionConverter.IDENTITY);
    ObjectNode table = CONVERTOR.toTable(widgets, List.of(obj("{metadata: {name: 'w1', creationTimestamp:"
        + " '2024-04-30T23:15:00+01:00'}}"), obj("{metadata: {name: 'w2'}}")), TableOptions.DEFAULT);
    assertEquals("Name(name), Created At:date", Tables.columns(table));
    assertEquals("[\"w1\",\"2024-04-30T22:15:00Z\"]", table.path("rows").path(0).path("cells").toString());
    assertEquals("[\"w2\",\"0001-01-01T00:00:00Z\"]", table.path("rows").path(1).path("cells").toString());
  }

  @Test
  void everyBuiltinTypePrintsAnAlmostEmptyObject() {
    for (ResourceType t : CATALOG.all()) {
      ObjectNode table = CONVERTOR.toTable(t, List.of(obj("{metadata: {name: 'x'}}")), TableOptions.DEFAULT);
      JsonNode columns = table.path("columnDefinitions");
      assertEquals(columns.size(), table.path("rows").path(0).path("cells").size(), t.gvr().toString());
      boolean named = false;
      for (JsonNode c : columns) {
        if (c.path("name").asText().equals("Name")) {
          assertEquals("name", c.path("format").asText(), t.gvr().toString());
          named = true;
        }
      }
      assertTrue(named, t.gvr() + " has a Name column");
    }
  }

  @Test
  void includeObjectParsesUpstreamsValues() {
    assertEquals(IncludeObject.METADATA, IncludeObject.parse(null));
    assertEquals(IncludeObject.METADATA, IncludeObject.parse(""));
    assertEquals(IncludeObject.METADATA, IncludeObject.parse("Metadata"));
    assertEquals(IncludeObject.NONE, IncludeObject.parse("None"));
    assertEquals(IncludeObject.OBJECT, IncludeObject.parse("Object"));
    ApiException e = assertThrows(ApiException.class, () -> IncludeObject.parse("object"));
    assertEquals(400, e.code());
    assertEquals("Unable to convert to Table as requested: includeObject: Invalid value: \"object\": must be"
        + " 'Metadata', 'Object', 'None', or empty", e.getMessage());
  }

  @Test
  void versionsAreV1AndV1beta1() {
    assertEquals(Optional.of(Version.V1), Version.of("v1"));
    assertEquals(Optional.of(Version.V1BETA1), Version.of("v1beta1"));
    assertEquals(Optional.empty(), Version.of("v2"));
    assertEquals(Optional.empty(), Version.of(null));
    assertEquals("meta.k8s.io/v1beta1", Version.V1BETA1.apiVersion());
  }

  @Test
  void partialObjectMetadataCopiesTheWholeMetadata() {
    ObjectNode cm = configMap("a");
    ObjectNode partial = TableConvertor.toPartialObjectMetadata(cm);
    assertEquals(json("{kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1'}").toString(),
        partial.deepCopy().without(List.of("metadata")).toString());
    assertEquals(cm.path("metadata"), partial.path("metadata"));
    ((ObjectNode) partial.path("metadata")).put("name", "changed");
    assertEquals("a", cm.path("metadata").path("name").asText(), "a copy");
    assertEquals("meta.k8s.io/v1beta1",
        TableConvertor.toPartialObjectMetadata(cm, Version.V1BETA1).path("apiVersion").asText());
    assertEquals("{}", TableConvertor.toPartialObjectMetadata(obj("{kind: 'X'}")).path("metadata").toString());
  }

  @Test
  void partialObjectMetadataListCarriesListMetadataAndItems() {
    ObjectNode list = TableConvertor.toPartialObjectMetadataList(List.of(configMap("a"), configMap("b")),
        LIST_META, Version.V1BETA1);
    assertEquals("PartialObjectMetadataList", list.path("kind").asText());
    assertEquals("meta.k8s.io/v1beta1", list.path("apiVersion").asText());
    assertEquals(json("{resourceVersion: '1234', continue: 'eyJ2IjoxfQ', remainingItemCount: 7}").toString(),
        list.path("metadata").toString());
    assertEquals(2, list.path("items").size());
    assertEquals("PartialObjectMetadata", list.path("items").path(1).path("kind").asText());
    assertEquals("meta.k8s.io/v1beta1", list.path("items").path(1).path("apiVersion").asText());
    assertEquals("b", list.path("items").path(1).path("metadata").path("name").asText());

    ObjectNode empty = TableConvertor.toPartialObjectMetadataList(List.of(), null, Version.V1);
    assertEquals("{\"kind\":\"PartialObjectMetadataList\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{},"
        + "\"items\":[]}", empty.toString());
  }
}

package dev.hostplane.apiserver.printers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.registry.ResourceCatalog;
import dev.hostplane.apiserver.registry.ResourceType;
import dev.hostplane.apiserver.registry.types.BuiltinResources;
import dev.hostplane.apiserver.registry.types.NodePortAllocator;
import dev.hostplane.apiserver.registry.types.ServiceAddressAllocator;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Fixtures for table tests: a fixed clock, the built-in catalogue, single-quoted JSON and compact renderings. */
final class Tables {
  private Tables() {}

  /** "Now" for every table test. */
  static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final TableConvertor CONVERTOR = new TableConvertor(CLOCK);
  static final ResourceCatalog CATALOG = BuiltinResources.catalog(new ServiceAddressAllocator("10.96.0.0/12"),
      new NodePortAllocator());

  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(JsonParser.Feature.ALLOW_SINGLE_QUOTES, true)
      .configure(JsonParser.Feature.ALLOW_UNQUOTED_FIELD_NAMES, true);

  /** Creation time of the fixtures' objects: two days and two hours before {@link #NOW}. */
  static final String CREATED = "2024-04-29T10:00:00Z";

  /** A {@code metadata: {...}} fragment with {@code name}, namespace default and {@link #CREATED}. */
  static String meta(String name) {
    return "metadata: {name: '" + name + "', namespace: 'default', uid: 'uid-" + name + "', resourceVersion: '42',"
        + " creationTimestamp: '" + CREATED + "'}";
  }

  /** Parses JSON written with single quotes and bare field names. */
  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("bad test JSON: " + text, e);
    }
  }

  static ObjectNode obj(String text) {
    return (ObjectNode) json(text);
  }

  /** The served type {@code group/version/resource} ({@code /v1/pods} for core). */
  static ResourceType type(String gvr) {
    String[] p = gvr.split("/", -1);
    return CATALOG.find(p[0], p[1], p[2]).orElseThrow(() -> new IllegalArgumentException("no type " + gvr));
  }

  /** A default (v1, Metadata) table of one object of {@code gvr}. */
  static ObjectNode table(String gvr, ObjectNode obj) {
    return CONVERTOR.toTable(type(gvr), List.of(obj), TableOptions.DEFAULT);
  }

  /**
   * Columns as {@code Name(name), Desired:integer, Age, Images*}: the type when not string, the format in
   * parentheses, a star for priority 1. Descriptions are not compared.
   */
  static String columns(ObjectNode table) {
    List<String> out = new ArrayList<>();
    for (JsonNode c : table.path("columnDefinitions")) {
      String s = c.path("name").asText();
      if (!c.path("type").asText().equals("string")) {
        s += ":" + c.path("type").asText();
      }
      if (!c.path("format").asText().isEmpty()) {
        s += "(" + c.path("format").asText() + ")";
      }
      if (c.path("priority").asInt() == 1) {
        s += "*";
      }
      out.add(s);
    }
    return String.join(", ", out);
  }

  /**
   * Prints {@code object} as {@code gvr} and asserts the columns (as {@link #columns} renders them) and the cells
   * (single-quoted JSON, compared with JSON types: string, number, boolean).
   */
  static void assertPrints(String gvr, String object, String expectedColumns, String expectedCells) {
    ObjectNode table = table(gvr, obj(object));
    assertEquals(expectedColumns, columns(table));
    assertCells(expectedCells, table);
  }

  /** Asserts the first row's cells, given as single-quoted JSON, with JSON types (string, number, boolean). */
  static void assertCells(String expected, ObjectNode table) {
    assertEquals(json(expected).toString(), table.path("rows").path(0).path("cells").toString());
  }
}

package dev.hostplane.apiserver.printers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.printers.TableOptions.IncludeObject;
import dev.hostplane.apiserver.printers.TableOptions.Version;
import dev.hostplane.apiserver.printers.internal.Ages;
import dev.hostplane.apiserver.printers.internal.Column;
import dev.hostplane.apiserver.printers.internal.Printer;
import dev.hostplane.apiserver.printers.internal.Printers;
import dev.hostplane.apiserver.printers.internal.Row;
import dev.hostplane.apiserver.registry.ResourceType;
import dev.hostplane.apiserver.registry.VersionConverter;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;

/**
 * Server-side printing: turns objects into the {@code meta.k8s.io} {@code Table} kubectl asks for with
 * {@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}, and into {@code PartialObjectMetadata(List)} for
 * {@code as=PartialObjectMetadata[List]}. Columns and cells are upstream's
 * ({@code pkg/printers/internalversion/printers.go}) for the built-in resources, printed "wide" as upstream's
 * server always does (the client hides priority-1 columns); every other resource gets upstream's default NAME /
 * CREATED AT table.
 *
 * <p>How a handler uses it, after negotiating {@code as=Table;g=meta.k8s.io;v=V}
 * ({@link Version#of} empty: 406 {@code no Table exists in group version meta.k8s.io/V}):
 * <ul>
 *   <li>list: {@code toTable(type, items, new TableOptions(version, IncludeObject.parse(query("includeObject")),
 *       false, listMetadata))} with the list's {@code metadata} ({@code resourceVersion}, {@code continue},
 *       {@code remainingItemCount});
 *   <li>get: {@code toTable(type, object, options)}, which takes the table's resourceVersion from the object;
 *   <li>watch: one single-row table per ADDED/MODIFIED/DELETED event ({@code toTable(type, List.of(obj), options)}),
 *       {@code noHeaders} true for every event after the first. An ERROR event carries a Status, which upstream
 *       never converts. kubectl's {@code get -w} does not ask for bookmarks; a BOOKMARK in a Table watch can be sent
 *       as a row-less table carrying the bookmark's resourceVersion ({@code toTable(type, List.of(), options
 *       .withListMeta(...))}), which clients that decode Tables accept.
 * </ul>
 * The answer is written with Content-Type {@code application/json;as=Table;v=V;g=meta.k8s.io}.
 *
 * <p>Objects are in the served version of {@code type} (what the store returns for it); printers read the
 * storage version's shape, so they are converted with {@code type.converter().toStorage} on a copy first. Nothing
 * given is modified or shared with the result. Every AGE in one table is measured from one reading of the clock.
 * Thread-safe.
 */
public final class TableConvertor {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final Clock clock;

  /** {@code clock} is "now" for AGE, RESTARTS' "(5m ago)", LAST SEEN and the like. */
  public TableConvertor(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A Table with one row per object, in order; the table's metadata copies {@code options.listMeta()}. */
  public ObjectNode toTable(ResourceType type, List<ObjectNode> objects, TableOptions options) {
    Printer printer = Printers.forResource(type.group(), type.resource());
    Ages ages = new Ages(Clock.fixed(clock.instant(), ZoneOffset.UTC));
    ObjectNode table = F.objectNode();
    table.put("kind", "Table");
    table.put("apiVersion", options.version().apiVersion());
    table.set("metadata", listMeta(options.listMeta()));
    if (options.noHeaders()) {
      table.putNull("columnDefinitions");
    } else {
      ArrayNode columns = table.putArray("columnDefinitions");
      printer.columns().forEach(c -> columns.add(c.toJson()));
    }
    ArrayNode rows = table.putArray("rows");
    for (ObjectNode obj : objects) {
      rows.add(row(printer.print(printable(type, obj), ages), rowObject(type, obj, options)));
    }
    return table;
  }

  /**
   * A one-row Table for a single object (GET). Without {@code options.listMeta()} the table's resourceVersion is
   * the object's, as upstream's.
   */
  public ObjectNode toTable(ResourceType type, ObjectNode object, TableOptions options) {
    TableOptions o = options;
    if (o.listMeta() == null) {
      ObjectNode meta = F.objectNode();
      JsonNode rv = object.path("metadata").path("resourceVersion");
      if (rv.isTextual()) {
        meta.put("resourceVersion", rv.textValue());
      }
      o = o.withListMeta(meta);
    }
    return toTable(type, List.of(object), o);
  }

  /**
   * {@code PartialObjectMetadata} of {@code version} ({@code as=PartialObjectMetadata}): kind, apiVersion
   * {@code meta.k8s.io/<version>} and a copy of the object's whole {@code metadata}.
   */
  public static ObjectNode toPartialObjectMetadata(ObjectNode object, Version version) {
    ObjectNode p = F.objectNode();
    p.put("kind", "PartialObjectMetadata");
    p.put("apiVersion", version.apiVersion());
    JsonNode meta = object.get("metadata");
    p.set("metadata", meta instanceof ObjectNode m ? m.deepCopy() : F.objectNode());
    return p;
  }

  /** {@link #toPartialObjectMetadata(ObjectNode, Version)} in {@code meta.k8s.io/v1}. */
  public static ObjectNode toPartialObjectMetadata(ObjectNode object) {
    return toPartialObjectMetadata(object, Version.V1);
  }

  /**
   * {@code PartialObjectMetadataList} of {@code version} ({@code as=PartialObjectMetadataList}): the items as
   * {@link #toPartialObjectMetadata}, the list metadata copied from {@code listMeta} (null for none) as for a
   * Table. Upstream answers 406 when a list is asked for as PartialObjectMetadata or a single object as the list.
   */
  public static ObjectNode toPartialObjectMetadataList(List<ObjectNode> objects, ObjectNode listMeta,
      Version version) {
    ObjectNode list = F.objectNode();
    list.put("kind", "PartialObjectMetadataList");
    list.put("apiVersion", version.apiVersion());
    list.set("metadata", listMeta(listMeta));
    ArrayNode items = list.putArray("items");
    objects.forEach(o -> items.add(toPartialObjectMetadata(o, version)));
    return list;
  }

  /** The columns {@code type} prints, in order, as {@code columnDefinitions} entries. */
  public static ArrayNode columnDefinitions(ResourceType type) {
    ArrayNode columns = F.arrayNode();
    for (Column c : Printers.forResource(type.group(), type.resource()).columns()) {
      columns.add(c.toJson());
    }
    return columns;
  }

  /** The object in the storage version's shape, which the printers read; the original when conversion fails. */
  private static ObjectNode printable(ResourceType type, ObjectNode obj) {
    VersionConverter converter = type.converter();
    if (converter == null || converter == VersionConverter.IDENTITY) {
      return obj;
    }
    try {
      return converter.toStorage(obj.deepCopy());
    } catch (RuntimeException e) {
      return obj; // a malformed object still gets a row, with whatever the printer can read
    }
  }

  private static JsonNode rowObject(ResourceType type, ObjectNode obj, TableOptions options) {
    if (options.includeObject() == IncludeObject.METADATA) {
      return toPartialObjectMetadata(obj, options.version());
    }
    if (options.includeObject() == IncludeObject.NONE) {
      return F.nullNode();
    }
    ObjectNode copy = obj.deepCopy();
    if (!copy.hasNonNull("kind")) {
      copy.put("kind", type.kind());
    }
    if (!copy.hasNonNull("apiVersion")) {
      copy.put("apiVersion", type.apiVersion());
    }
    return copy;
  }

  private static ObjectNode row(Row r, JsonNode object) {
    ObjectNode row = F.objectNode();
    ArrayNode cells = row.putArray("cells");
    for (Object c : r.cells()) {
      if (c instanceof String s) {
        cells.add(s);
      } else if (c instanceof Boolean b) {
        cells.add(b);
      } else {
        cells.add(((Number) c).longValue());
      }
    }
    if (!r.conditions().isEmpty()) {
      ArrayNode conditions = row.putArray("conditions");
      for (Row.Condition c : r.conditions()) {
        ObjectNode n = conditions.addObject();
        n.put("type", c.type());
        n.put("status", c.status());
        n.put("reason", c.reason());
        n.put("message", c.message());
      }
    }
    row.set("object", object);
    return row;
  }

  /** {@code metav1.ListMeta} as Go writes it: empty strings and an unset count are omitted. */
  private static ObjectNode listMeta(ObjectNode from) {
    ObjectNode meta = F.objectNode();
    if (from == null) {
      return meta;
    }
    for (String field : List.of("resourceVersion", "continue")) {
      JsonNode v = from.get(field);
      if (v != null && v.isTextual() && !v.textValue().isEmpty()) {
        meta.put(field, v.textValue());
      }
    }
    JsonNode remaining = from.get("remainingItemCount");
    if (remaining != null && remaining.isIntegralNumber()) {
      meta.put("remainingItemCount", remaining.longValue());
    }
    return meta;
  }
}

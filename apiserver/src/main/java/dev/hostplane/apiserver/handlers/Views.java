package dev.hostplane.apiserver.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.printers.TableConvertor;
import dev.hostplane.apiserver.printers.TableOptions;
import dev.hostplane.apiserver.registry.ResourceType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

/** Renders objects, lists and watch events in a negotiated view (Table, PartialObjectMetadata). Thread-safe. */
public final class Views {
  private final TableConvertor tables;

  public Views(TableConvertor tables) {
    this.tables = tables;
  }

  /** {@code obj} (an object, or a list when {@code list}) in the view {@code n} asks for. */
  ObjectNode render(Responses.Negotiated n, ResourceType type, ObjectNode obj, boolean list,
      TableOptions.IncludeObject include) {
    return switch (n.view()) {
      case OBJECT -> obj;
      case TABLE -> {
        TableOptions options = new TableOptions(n.version(), include, false,
            list ? (ObjectNode) obj.get("metadata") : null);
        yield list ? tables.toTable(type, items(obj), options) : tables.toTable(type, obj, options);
      }
      case PARTIAL_METADATA -> list
          ? TableConvertor.toPartialObjectMetadataList(items(obj), (ObjectNode) obj.get("metadata"), n.version())
          : TableConvertor.toPartialObjectMetadata(obj, n.version());
    };
  }

  /**
   * A per-watch event renderer: Table events are one-row tables, column definitions on the first only, as
   * upstream; bookmarks keep their shape.
   */
  BiFunction<String, ObjectNode, ObjectNode> watchEvents(Responses.Negotiated n, ResourceType type,
      TableOptions.IncludeObject include) {
    if (n.view() == Responses.View.OBJECT) {
      return (t, o) -> o;
    }
    AtomicBoolean headersSent = new AtomicBoolean();
    return (eventType, obj) -> {
      if (eventType.equals("BOOKMARK")) {
        return obj;
      }
      if (n.view() == Responses.View.PARTIAL_METADATA) {
        return TableConvertor.toPartialObjectMetadata(obj, n.version());
      }
      boolean noHeaders = headersSent.getAndSet(true);
      return tables.toTable(type, List.of(obj), new TableOptions(n.version(), include, noHeaders, null));
    };
  }

  private static List<ObjectNode> items(ObjectNode list) {
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode i : list.withArray("items")) {
      out.add((ObjectNode) i);
    }
    return out;
  }
}

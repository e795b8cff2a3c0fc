package dev.hostplane.apiserver.registry.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.registry.VersionConverter;

/**
 * Serves events.k8s.io/v1 Events from core/v1 Event storage: fields are renamed one to one (note/message,
 * regarding/involvedObject, reportingController/reportingComponent, deprecatedSource/source,
 * deprecated{First,Last}Timestamp/{first,last}Timestamp, deprecatedCount/count); everything else is shared. Both
 * methods mutate and return their argument and set apiVersion and kind.
 */
final class EventsV1Converter implements VersionConverter {
  /** events.k8s.io name, core/v1 name. */
  private static final String[][] RENAMES = {
      {"note", "message"},
      {"regarding", "involvedObject"},
      {"reportingController", "reportingComponent"},
      {"deprecatedSource", "source"},
      {"deprecatedFirstTimestamp", "firstTimestamp"},
      {"deprecatedLastTimestamp", "lastTimestamp"},
      {"deprecatedCount", "count"}};

  @Override
  public ObjectNode toStorage(ObjectNode external) {
    for (String[] r : RENAMES) {
      move(external, r[0], r[1]);
    }
    external.put("apiVersion", "v1");
    external.put("kind", "Event");
    return external;
  }

  @Override
  public ObjectNode fromStorage(ObjectNode stored) {
    for (String[] r : RENAMES) {
      move(stored, r[1], r[0]);
    }
    stored.put("apiVersion", "events.k8s.io/v1");
    stored.put("kind", "Event");
    return stored;
  }

  /** Moves {@code from} to {@code to}, dropping whatever {@code to} held (it has no meaning in this version). */
  private static void move(ObjectNode obj, String from, String to) {
    JsonNode v = obj.remove(from);
    obj.remove(to);
    if (v != null) {
      obj.set(to, v);
    }
  }
}

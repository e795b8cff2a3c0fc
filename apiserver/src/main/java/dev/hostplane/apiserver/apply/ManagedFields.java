package dev.hostplane.apiserver.apply;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.Times;
import dev.hostplane.apiserver.api.internal.GoFormat;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An object's {@code metadata.managedFields}: who owns which fields. Immutable. One {@link Entry} per
 * {@link Identity}: an applier is identified by manager and subresource (its entry moves to the version of its last
 * apply), an updater also by apiVersion, as upstream's manager identifiers do.
 *
 * <p>Wire form of an entry, as upstream writes it: {@code {"manager", "operation": "Apply"|"Update", "apiVersion",
 * "time", "fieldsType": "FieldsV1", "fieldsV1", "subresource"}} ({@code time} and {@code subresource} only when
 * set), entries sorted by operation (Apply first), time, manager, apiVersion, subresource.
 */
public final class ManagedFields {
  public static final ManagedFields EMPTY = new ManagedFields(Map.of());

  /** {@code managedFields[].operation}. */
  public enum Operation {
    APPLY("Apply"), UPDATE("Update");

    private final String wire;

    Operation(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  /** What distinguishes entries: {@code apiVersion} is null for appliers; {@code subresource} is "" for none. */
  public record Identity(String manager, Operation operation, String apiVersion, String subresource) {
    public Identity {
      Objects.requireNonNull(manager);
      Objects.requireNonNull(operation);
      subresource = subresource == null ? "" : subresource;
      apiVersion = operation == Operation.APPLY ? null : Objects.requireNonNull(apiVersion);
    }

    public static Identity apply(String manager, String subresource) {
      return new Identity(manager, Operation.APPLY, null, subresource);
    }

    public static Identity update(String manager, String apiVersion, String subresource) {
      return new Identity(manager, Operation.UPDATE, apiVersion, subresource);
    }

    /**
     * Upstream's manager identifier (the JSON of the entry's identifying fields, in Go's field order); conflicts
     * are reported in the order of these strings.
     */
    public String key() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      if (!manager.isEmpty()) {
        o.put("manager", manager);
      }
      o.put("operation", operation.wire());
      if (apiVersion != null && !apiVersion.isEmpty()) {
        o.put("apiVersion", apiVersion);
      }
      if (!subresource.isEmpty()) {
        o.put("subresource", subresource);
      }
      try {
        return Codecs.mapper().writeValueAsString(o);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    /**
     * How conflict messages name this manager: {@code "kubectl"}, {@code "kubectl-scale" with subresource "scale"
     * using apps/v1} (updaters add their apiVersion).
     */
    public String describe() {
      String s = GoFormat.quote(manager);
      if (!subresource.isEmpty()) {
        s += " with subresource " + GoFormat.quote(subresource);
      }
      if (operation == Operation.UPDATE) {
        s += " using " + apiVersion;
      }
      return s;
    }
  }

  /** One entry. {@code time} (whole seconds) may be null; {@code fields} may be empty only in decoded input. */
  public record Entry(Identity identity, String apiVersion, Instant time, FieldSet fields) {
    public Entry {
      Objects.requireNonNull(identity);
      Objects.requireNonNull(apiVersion);
      Objects.requireNonNull(fields);
      time = time == null ? null : time.truncatedTo(ChronoUnit.SECONDS);
    }

    public String manager() {
      return identity.manager();
    }

    public Operation operation() {
      return identity.operation();
    }

    public String subresource() {
      return identity.subresource();
    }

    public Entry withFields(FieldSet newFields) {
      return new Entry(identity, apiVersion, time, newFields);
    }

    public Entry withTime(Instant newTime) {
      return new Entry(identity, apiVersion, newTime, fields);
    }
  }

  private final Map<Identity, Entry> entries;

  private ManagedFields(Map<Identity, Entry> entries) {
    this.entries = entries;
  }

  /** The entries, later ones replacing earlier ones with the same identity. */
  public static ManagedFields of(Collection<Entry> entries) {
    Map<Identity, Entry> m = new LinkedHashMap<>();
    for (Entry e : entries) {
      m.put(e.identity(), e);
    }
    return new ManagedFields(Collections.unmodifiableMap(m));
  }

  /** Entries by identity, in the order they were read or added. */
  public Map<Identity, Entry> entries() {
    return entries;
  }

  public Entry get(Identity id) {
    return entries.get(id);
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * Reads {@code metadata.managedFields} of {@code obj}; absent or null is empty.
   *
   * @throws IllegalArgumentException with upstream's reason when an entry is not valid
   */
  public static ManagedFields read(JsonNode obj) {
    JsonNode list = obj == null ? null : obj.path("metadata").get("managedFields");
    return decode(list);
  }

  /**
   * Decodes a {@code managedFields} list; null, missing and JSON null are empty.
   *
   * @throws IllegalArgumentException with upstream's reason when an entry is not valid
   */
  public static ManagedFields decode(JsonNode list) {
    if (list == null || list.isNull() || list.isMissingNode()) {
      return EMPTY;
    }
    if (!list.isArray()) {
      throw new IllegalArgumentException("managedFields must be a list");
    }
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(decodeEntry(list.get(i), i));
    }
    return of(out);
  }

  private static Entry decodeEntry(JsonNode e, int i) {
    if (!e.isObject()) {
      throw new IllegalArgumentException("managed fields entry " + i + " must be an object");
    }
    String op = text(e, "operation");
    Operation operation;
    if (op.equals("Apply")) {
      operation = Operation.APPLY;
    } else if (op.equals("Update")) {
      operation = Operation.UPDATE;
    } else {
      throw new IllegalArgumentException("operation must be `Apply` or `Update`");
    }
    String apiVersion = text(e, "apiVersion");
    if (apiVersion.isEmpty()) {
      throw new IllegalArgumentException("apiVersion must not be empty");
    }
    String fieldsType = text(e, "fieldsType");
    if (fieldsType.isEmpty()) {
      throw new IllegalArgumentException("missing fieldsType in managed fields entry " + i);
    }
    if (!fieldsType.equals("FieldsV1")) {
      throw new IllegalArgumentException("invalid fieldsType " + GoFormat.quote(fieldsType)
          + " in managed fields entry " + i);
    }
    JsonNode v1 = e.get("fieldsV1");
    FieldSet fields = v1 == null || v1.isNull() ? FieldSet.EMPTY : FieldSet.fromFieldsV1(v1);
    Instant time = null;
    JsonNode t = e.get("time");
    if (t != null && !t.isNull()) {
      time = Times.tryParse(t.asText()).orElseThrow(
          () -> new IllegalArgumentException("invalid time in managed fields entry " + i + ": " + t.asText()));
    }
    Identity id = new Identity(text(e, "manager"), operation, apiVersion, text(e, "subresource"));
    return new Entry(id, apiVersion, time, fields);
  }

  private static String text(JsonNode e, String field) {
    JsonNode v = e.get(field);
    if (v == null || v.isNull()) {
      return "";
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException(field + " must be a string");
    }
    return v.textValue();
  }

  /**
   * Whether a client's {@code managedFields} asks for a reset, as upstream reads it: an empty list, or a list of
   * one entry with nothing set. Absent or null is not a reset (it keeps the stored entries).
   */
  public static boolean isReset(JsonNode list) {
    if (list == null || !list.isArray()) {
      return false;
    }
    if (list.isEmpty()) {
      return true;
    }
    if (list.size() != 1 || !list.get(0).isObject()) {
      return false;
    }
    for (JsonNode v : list.get(0)) {
      boolean zero = v.isNull() || (v.isTextual() && v.textValue().isEmpty());
      if (!zero) {
        return false;
      }
    }
    return true;
  }

  /** The wire form, sorted as upstream sorts it; entries with no fields are left out. */
  public ArrayNode encode() {
    List<Entry> sorted = new ArrayList<>(entries.values());
    sorted.removeIf(e -> e.fields().isEmpty());
    sorted.sort(ORDER);
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (Entry e : sorted) {
      ObjectNode o = out.addObject();
      if (!e.manager().isEmpty()) {
        o.put("manager", e.manager());
      }
      o.put("operation", e.operation().wire());
      o.put("apiVersion", e.apiVersion());
      if (e.time() != null) {
        o.put("time", Times.formatTime(e.time()));
      }
      o.put("fieldsType", "FieldsV1");
      o.set("fieldsV1", e.fields().toFieldsV1());
      if (!e.subresource().isEmpty()) {
        o.put("subresource", e.subresource());
      }
    }
    return out;
  }

  /**
   * Writes the wire form into {@code obj}'s metadata (mutating it), or removes {@code metadata.managedFields}
   * when there is nothing to write; returns {@code obj}.
   */
  public ObjectNode writeTo(ObjectNode obj) {
    ArrayNode list = encode();
    JsonNode meta = obj.get("metadata");
    if (list.isEmpty()) {
      if (meta instanceof ObjectNode m) {
        m.remove("managedFields");
      }
      return obj;
    }
    ObjectNode m = meta instanceof ObjectNode o ? o : obj.putObject("metadata");
    m.set("managedFields", list);
    return obj;
  }

  private static final Comparator<Entry> ORDER = Comparator
      .comparing((Entry e) -> e.operation().wire())
      .thenComparingLong(e -> e.time() == null ? 0 : e.time().getEpochSecond())
      .thenComparing(Entry::manager, FieldPath::compareStrings)
      .thenComparing(Entry::apiVersion, FieldPath::compareStrings)
      .thenComparing(Entry::subresource, FieldPath::compareStrings);

  @Override
  public boolean equals(Object o) {
    return o instanceof ManagedFields m && m.entries.equals(entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }

  @Override
  public String toString() {
    return encode().toString();
  }
}

package dev.hostplane.apiserver.apply.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.patch.PatchSchema;
import java.util.List;

/**
 * How server-side apply treats one value, resolved from its {@link PatchSchema} position (and, where the schema is
 * silent or disagrees with the value, from the JSON itself), as upstream's structured-merge-diff resolves a type.
 * Not API.
 *
 * <ul>
 *   <li>Scalars, atomic lists and atomic maps are leaves: owned, compared and replaced as a unit.
 *   <li>Lists of type map (by their keys) and of type set (by value) are merged item by item. A list with no
 *       {@code x-kubernetes-list-type} but a {@code merge} patch strategy counts as a map keyed by its patch merge
 *       key, or as a set without one, as upstream converts built-in schemas; otherwise it is atomic.
 *   <li>Objects are structs: their described fields are "declared" (owned through their leaves); maps and
 *       undescribed objects hold undeclared entries (each entry owned itself as well).
 * </ul>
 */
public record Shape(Kind kind, PatchSchema schema, List<String> keys) {
  public enum Kind { SCALAR, ATOMIC_LIST, SET, LIST_MAP, STRUCT, MAP, ATOMIC_MAP }

  private static final Shape DEDUCED_SCALAR = new Shape(Kind.SCALAR, PatchSchema.UNKNOWN, List.of());
  private static final Shape DEDUCED_LIST = new Shape(Kind.ATOMIC_LIST, PatchSchema.UNKNOWN, List.of());
  private static final Shape DEDUCED_MAP = new Shape(Kind.MAP, PatchSchema.UNKNOWN, List.of());

  /** The shape of {@code value} (null when absent) at schema position {@code s}. */
  public static Shape of(PatchSchema s, JsonNode value) {
    boolean present = value != null && !value.isNull() && !value.isMissingNode();
    switch (s.kind()) {
      case OBJECT:
      case MAP:
        if (present && !value.isObject()) {
          return DEDUCED_SCALAR;
        }
        if (s.atomic()) {
          return new Shape(Kind.ATOMIC_MAP, s, List.of());
        }
        return new Shape(s.kind() == PatchSchema.Kind.OBJECT ? Kind.STRUCT : Kind.MAP, s, List.of());
      case LIST:
        if (present && !value.isArray()) {
          return DEDUCED_SCALAR;
        }
        return list(s);
      case SCALAR:
        return new Shape(Kind.SCALAR, s, List.of());
      default:
        if (present && value.isObject()) {
          return DEDUCED_MAP;
        }
        if (present && value.isArray()) {
          return DEDUCED_LIST;
        }
        return DEDUCED_SCALAR;
    }
  }

  private static Shape list(PatchSchema s) {
    switch (s.listType()) {
      case MAP: {
        List<String> keys = s.listMapKeys();
        if (keys.isEmpty() && s.patchMergeKey() != null) {
          keys = List.of(s.patchMergeKey());
        }
        return keys.isEmpty() ? new Shape(Kind.SET, s, List.of()) : new Shape(Kind.LIST_MAP, s, keys);
      }
      case SET:
        return new Shape(Kind.SET, s, List.of());
      default:
        // The schema view cannot tell an explicit "atomic" from an absent list type; only the latter combines
        // with a merge patch strategy in upstream's schemas, and upstream then merges by the patch merge key.
        if (s.patchStrategies().contains("merge")) {
          String key = s.patchMergeKey();
          return key == null ? new Shape(Kind.SET, s, List.of()) : new Shape(Kind.LIST_MAP, s, List.of(key));
        }
        return new Shape(Kind.ATOMIC_LIST, s, List.of());
    }
  }

  /** Owned, compared and replaced as a whole. */
  public boolean leaf() {
    return kind == Kind.SCALAR || kind == Kind.ATOMIC_LIST || kind == Kind.ATOMIC_MAP;
  }

  /** A struct or map merged field by field. */
  public boolean granularMap() {
    return kind == Kind.STRUCT || kind == Kind.MAP;
  }

  /** A list merged item by item. */
  public boolean associativeList() {
    return kind == Kind.SET || kind == Kind.LIST_MAP;
  }

  /** The schema of field or entry {@code name}. */
  public PatchSchema field(String name) {
    return schema.field(name);
  }

  /** The schema of list items. */
  public PatchSchema items() {
    return schema.items();
  }

  /**
   * Whether {@code name} is a declared field of a struct. Declared fields are owned through what is below them;
   * undeclared entries (of maps, or fields the schema does not describe) are owned themselves too.
   */
  public boolean declares(String name) {
    return kind == Kind.STRUCT && schema.field(name).kind() != PatchSchema.Kind.UNKNOWN;
  }
}

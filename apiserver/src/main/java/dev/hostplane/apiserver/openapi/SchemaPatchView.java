package dev.hostplane.apiserver.openapi;

import dev.hostplane.apiserver.patch.PatchSchema;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A {@link SchemaNode} seen as the {@link PatchSchema} strategic merge patch and server-side apply navigate.
 * Immutable; views are created lazily while navigating, which is cheap (one small object per step).
 */
public final class SchemaPatchView implements PatchSchema {
  private final SchemaNode node;

  private SchemaPatchView(SchemaNode node) {
    this.node = node;
  }

  /** The view of {@code node}; UNKNOWN for null or for free-form positions. */
  public static PatchSchema of(SchemaNode node) {
    if (node == null || node.preserveUnknownFields()) {
      return PatchSchema.UNKNOWN;
    }
    return new SchemaPatchView(node);
  }

  @Override
  public Kind kind() {
    if (node.intOrString()) {
      return Kind.SCALAR;
    }
    String t = node.type();
    if ("array".equals(t)) {
      return Kind.LIST;
    }
    if (t == null || "object".equals(t)) {
      if (!node.properties().isEmpty()) {
        return Kind.OBJECT;
      }
      return node.additionalProperties() != null ? Kind.MAP : Kind.UNKNOWN;
    }
    return Kind.SCALAR;
  }

  @Override
  public PatchSchema field(String name) {
    SchemaNode p = node.property(name);
    if (p == null && node.additionalProperties() != null) {
      p = node.additionalProperties();
    }
    return of(p);
  }

  @Override
  public PatchSchema items() {
    return of(node.items());
  }

  @Override
  public ListType listType() {
    String t = node.listType();
    if (t == null) {
      return ListType.ATOMIC;
    }
    return switch (t) {
      case "map" -> ListType.MAP;
      case "set" -> ListType.SET;
      default -> ListType.ATOMIC;
    };
  }

  @Override
  public List<String> listMapKeys() {
    List<String> keys = node.listMapKeys();
    return keys == null ? List.of() : keys;
  }

  @Override
  public String patchMergeKey() {
    return node.patchMergeKey();
  }

  @Override
  public Set<String> patchStrategies() {
    String s = node.patchStrategy();
    if (s == null || s.isEmpty()) {
      return Set.of();
    }
    return new LinkedHashSet<>(Arrays.asList(s.split(",")));
  }

  @Override
  public boolean atomic() {
    return "atomic".equals(node.mapType());
  }
}

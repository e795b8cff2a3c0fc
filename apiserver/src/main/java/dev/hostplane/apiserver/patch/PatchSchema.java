package dev.hostplane.apiserver.patch;

import java.util.List;
import java.util.Set;

/**
 * What merging (strategic merge patch, server-side apply) needs to know about one position in an object's schema,
 * navigable from a type's root. Implementations are immutable; positions the schema does not describe answer
 * {@link #UNKNOWN}, which merges like an untyped JSON value (objects field by field, lists atomically).
 */
public interface PatchSchema {
  /** The shape of the value at this position. */
  enum Kind { OBJECT, MAP, LIST, SCALAR, UNKNOWN }

  /** {@code x-kubernetes-list-type}; absent is {@link #ATOMIC} for server-side apply. */
  enum ListType { ATOMIC, SET, MAP }

  Kind kind();

  /** The schema of a named field of an object (or of every value of a map); UNKNOWN when not described. */
  PatchSchema field(String name);

  /** The schema of list items; UNKNOWN when not a list. */
  PatchSchema items();

  /** {@code x-kubernetes-list-type} of a list. */
  ListType listType();

  /** {@code x-kubernetes-list-map-keys} of a list of type map; empty otherwise. */
  List<String> listMapKeys();

  /** {@code x-kubernetes-patch-merge-key} of a list, or null. */
  String patchMergeKey();

  /** {@code x-kubernetes-patch-strategy} split on commas ({@code merge}, {@code retainKeys}, {@code replace}). */
  Set<String> patchStrategies();

  /** {@code x-kubernetes-map-type: atomic} (or {@code x-kubernetes-structure-type}) on an object or map. */
  boolean atomic();

  /** An untyped position. */
  PatchSchema UNKNOWN = new PatchSchema() {
    @Override
    public Kind kind() {
      return Kind.UNKNOWN;
    }

    @Override
    public PatchSchema field(String name) {
      return this;
    }

    @Override
    public PatchSchema items() {
      return this;
    }

    @Override
    public ListType listType() {
      return ListType.ATOMIC;
    }

    @Override
    public List<String> listMapKeys() {
      return List.of();
    }

    @Override
    public String patchMergeKey() {
      return null;
    }

    @Override
    public Set<String> patchStrategies() {
      return Set.of();
    }

    @Override
    public boolean atomic() {
      return false;
    }
  };
}

package dev.hostplane.apiserver.openapi;

import dev.hostplane.apiserver.registry.GroupVersionKind;
import java.util.List;
import java.util.Map;

/**
 * One node of a compiled OpenAPI schema: a definition, a property, an array's items or a map's values. Nodes form
 * a graph ({@code $ref}s are resolved, so recursive types such as JSONSchemaProps are cycles); they are immutable
 * and safe to share between threads.
 *
 * <p>Accessors return null (or an empty collection, or false) for what the schema does not say. A property that is
 * a {@code $ref} with extensions of its own (upstream's {@code "strategy": {"$ref": ..., "x-kubernetes-patch-strategy":
 * "retainKeys"}}) is a node with those extensions and the referenced definition's structure.
 */
public interface SchemaNode {
  /** The JSON type: object, array, string, integer, number, boolean; null for "anything". */
  String type();

  /** int32, int64, double, byte, date-time, int-or-string, ... */
  String format();

  /** The definition name ({@code io.k8s.api.core.v1.Pod}) when this node is a definition or a reference to one. */
  String definition();

  /** Declared properties, in name order. */
  Map<String, SchemaNode> properties();

  /** A declared property, or null. */
  SchemaNode property(String name);

  SchemaNode items();

  /** The schema of a map's values ({@code additionalProperties}), or null. */
  SchemaNode additionalProperties();

  List<String> required();

  String patchMergeKey();

  String patchStrategy();

  /** {@code x-kubernetes-list-type}: atomic, set or map. */
  String listType();

  List<String> listMapKeys();

  /** {@code x-kubernetes-map-type}: atomic or granular. */
  String mapType();

  /** True for IntOrString: an integer or a string. */
  boolean intOrString();

  /** True where any field is allowed: upstream's RawExtension, apiextensions JSON and explicit preserve flags. */
  boolean preserveUnknownFields();

  boolean embeddedResource();

  /** {@code x-kubernetes-group-version-kind} of a top-level kind. */
  List<GroupVersionKind> groupVersionKinds();
}

package dev.hostplane.apiserver.openapi.internal;

import dev.hostplane.apiserver.openapi.SchemaNode;
import dev.hostplane.apiserver.registry.GroupVersionKind;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one implementation of {@link SchemaNode}. Built by {@link SchemaCompiler} in two phases (shells for every
 * definition, then their contents, so that references may form cycles); never changed once the compiler returns,
 * which publishes the graph through a final field of {@code Schemas}. Not API.
 *
 * <p>{@link #property} looks up a hash map; {@link #properties()} is the name-ordered view.
 */
public final class CompiledSchema implements SchemaNode {
  /** What a JSON value must look like here. */
  public enum Shape { ANY, OBJECT, MAP, ARRAY, STRING, INTEGER, NUMBER, BOOLEAN, INT_OR_STRING, QUANTITY }

  Shape shape = Shape.ANY;
  String type;
  String format;
  String definition;
  Map<String, SchemaNode> properties = Map.of();
  HashMap<String, CompiledSchema> lookup = new HashMap<>(0);
  CompiledSchema items;
  CompiledSchema additionalProperties;
  List<String> required = List.of();
  String patchMergeKey;
  String patchStrategy;
  String listType;
  List<String> listMapKeys = List.of();
  String mapType;
  boolean intOrString;
  boolean preserveUnknownFields;
  boolean embeddedResource;
  List<GroupVersionKind> gvks = List.of();

  CompiledSchema() {}

  /** A reference with extensions of its own: copies the target's structure once the target is complete. */
  void copyStructureFrom(CompiledSchema target) {
    shape = target.shape;
    type = target.type;
    format = target.format;
    definition = target.definition;
    properties = target.properties;
    lookup = target.lookup;
    items = target.items;
    additionalProperties = target.additionalProperties;
    required = target.required;
    intOrString = target.intOrString;
    preserveUnknownFields = preserveUnknownFields || target.preserveUnknownFields;
    embeddedResource = embeddedResource || target.embeddedResource;
    if (mapType == null) {
      mapType = target.mapType;
    }
  }

  void setProperties(Map<String, CompiledSchema> props) {
    this.lookup = new HashMap<>(props);
    this.properties = Collections.unmodifiableMap(new TreeMap<String, SchemaNode>(props));
  }

  public Shape shape() {
    return shape;
  }

  /** The property's node for validation, or null. */
  public CompiledSchema child(String name) {
    return lookup.get(name);
  }

  public CompiledSchema itemsNode() {
    return items;
  }

  public CompiledSchema valuesNode() {
    return additionalProperties;
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public String format() {
    return format;
  }

  @Override
  public String definition() {
    return definition;
  }

  @Override
  public Map<String, SchemaNode> properties() {
    return properties;
  }

  @Override
  public SchemaNode property(String name) {
    return lookup.get(name);
  }

  @Override
  public SchemaNode items() {
    return items;
  }

  @Override
  public SchemaNode additionalProperties() {
    return additionalProperties;
  }

  @Override
  public List<String> required() {
    return required;
  }

  @Override
  public String patchMergeKey() {
    return patchMergeKey;
  }

  @Override
  public String patchStrategy() {
    return patchStrategy;
  }

  @Override
  public String listType() {
    return listType;
  }

  @Override
  public List<String> listMapKeys() {
    return listMapKeys;
  }

  @Override
  public String mapType() {
    return mapType;
  }

  @Override
  public boolean intOrString() {
    return intOrString;
  }

  @Override
  public boolean preserveUnknownFields() {
    return preserveUnknownFields;
  }

  @Override
  public boolean embeddedResource() {
    return embeddedResource;
  }

  @Override
  public List<GroupVersionKind> groupVersionKinds() {
    return gvks;
  }

  @Override
  public String toString() {
    return definition != null ? definition : shape.name().toLowerCase(java.util.Locale.ROOT);
  }
}

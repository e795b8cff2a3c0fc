package dev.hostplane.apiserver.openapi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.registry.GroupVersionKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles OpenAPI v2 definitions ({@code {"io.k8s.api.core.v1.Pod": {...}, ...}}) into a graph of
 * {@link CompiledSchema} nodes, one shared node per definition. Not API.
 */
public final class SchemaCompiler {
  private static final String REF_PREFIX = "#/definitions/";
  /** Upstream types that decode any JSON: their contents are never checked. */
  private static final Set<String> ANY_JSON = Set.of(
      "io.k8s.apimachinery.pkg.runtime.RawExtension",
      "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
      "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON",
      "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray",
      "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool",
      "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray");

  private final Map<String, CompiledSchema> definitions = new LinkedHashMap<>();
  private final List<Runnable> pending = new ArrayList<>();

  private SchemaCompiler() {}

  /** Compiles every definition; the map is in the source's order. */
  public static Map<String, CompiledSchema> compile(JsonNode definitions) {
    SchemaCompiler c = new SchemaCompiler();
    definitions.fieldNames().forEachRemaining(name -> c.definitions.put(name, new CompiledSchema()));
    definitions.fields().forEachRemaining(e -> c.fill(c.definitions.get(e.getKey()), e.getValue(), e.getKey()));
    c.pending.forEach(Runnable::run);
    return Map.copyOf(c.definitions);
  }

  private void fill(CompiledSchema node, JsonNode json, String definition) {
    node.definition = definition;
    if (ANY_JSON.contains(definition)) {
      node.shape = CompiledSchema.Shape.ANY;
      node.preserveUnknownFields = true;
      node.type = json.path("type").asText(null);
      return;
    }
    compileInto(node, json);
    if (definition.equals("io.k8s.apimachinery.pkg.api.resource.Quantity")) {
      node.shape = CompiledSchema.Shape.QUANTITY;
    }
    List<GroupVersionKind> gvks = new ArrayList<>();
    for (JsonNode g : json.path("x-kubernetes-group-version-kind")) {
      gvks.add(new GroupVersionKind(g.path("group").asText(), g.path("version").asText(), g.path("kind").asText()));
    }
    node.gvks = List.copyOf(gvks);
  }

  /** A node for an inline schema (property, items, values). */
  private CompiledSchema inline(JsonNode json) {
    String ref = json.path("$ref").asText(null);
    if (ref != null) {
      CompiledSchema target = target(ref);
      if (!hasExtensions(json)) {
        return target;
      }
      CompiledSchema node = new CompiledSchema();
      extensions(node, json);
      pending.add(() -> node.copyStructureFrom(target));
      return node;
    }
    CompiledSchema node = new CompiledSchema();
    compileInto(node, json);
    return node;
  }

  private CompiledSchema target(String ref) {
    String name = ref.startsWith(REF_PREFIX) ? ref.substring(REF_PREFIX.length()) : ref;
    CompiledSchema t = definitions.get(name);
    if (t == null) {
      throw new IllegalArgumentException("unresolved reference " + ref);
    }
    return t;
  }

  private void compileInto(CompiledSchema node, JsonNode json) {
    node.type = json.path("type").asText(null);
    node.format = json.path("format").asText(null);
    extensions(node, json);
    List<String> required = new ArrayList<>();
    json.path("required").forEach(r -> required.add(r.asText()));
    node.required = List.copyOf(required);
    if ("int-or-string".equals(node.format) || json.path("x-kubernetes-int-or-string").asBoolean(false)) {
      node.intOrString = true;
      node.shape = CompiledSchema.Shape.INT_OR_STRING;
      return;
    }
    String type = node.type == null ? "" : node.type;
    switch (type) {
      case "object" -> {
        JsonNode props = json.get("properties");
        JsonNode additional = json.get("additionalProperties");
        if (props != null && props.size() > 0) {
          Map<String, CompiledSchema> p = new HashMap<>();
          props.fields().forEachRemaining(e -> p.put(e.getKey(), inline(e.getValue())));
          node.setProperties(p);
          node.shape = CompiledSchema.Shape.OBJECT;
        } else if (additional != null && additional.isObject()) {
          node.additionalProperties = inline(additional);
          node.shape = CompiledSchema.Shape.MAP;
        } else {
          // An object of no declared fields (RawExtension-like): anything goes.
          node.shape = CompiledSchema.Shape.ANY;
          node.preserveUnknownFields = true;
        }
        if (node.shape == CompiledSchema.Shape.OBJECT && additional != null && additional.isObject()) {
          node.additionalProperties = inline(additional);
        }
      }
      case "array" -> {
        node.items = inline(json.path("items"));
        node.shape = CompiledSchema.Shape.ARRAY;
      }
      case "string" -> {
        node.shape = CompiledSchema.Shape.STRING;
      }
      case "integer" -> {
        node.shape = CompiledSchema.Shape.INTEGER;
      }
      case "number" -> {
        node.shape = CompiledSchema.Shape.NUMBER;
      }
      case "boolean" -> {
        node.shape = CompiledSchema.Shape.BOOLEAN;
      }
      default -> {
        node.shape = CompiledSchema.Shape.ANY;
        node.preserveUnknownFields = true;
      }
    }
    if (json.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
      node.preserveUnknownFields = true;
    }
  }

  private static boolean hasExtensions(JsonNode json) {
    for (var it = json.fieldNames(); it.hasNext(); ) {
      if (it.next().startsWith("x-kubernetes-")) {
        return true;
      }
    }
    return false;
  }

  private static void extensions(CompiledSchema node, JsonNode json) {
    node.patchMergeKey = json.path("x-kubernetes-patch-merge-key").asText(null);
    node.patchStrategy = json.path("x-kubernetes-patch-strategy").asText(null);
    node.listType = json.path("x-kubernetes-list-type").asText(null);
    List<String> keys = new ArrayList<>();
    json.path("x-kubernetes-list-map-keys").forEach(k -> keys.add(k.asText()));
    node.listMapKeys = List.copyOf(keys);
    node.mapType = json.path("x-kubernetes-map-type").asText(null);
    node.preserveUnknownFields = json.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    node.embeddedResource = json.path("x-kubernetes-embedded-resource").asBoolean(false);
  }

}

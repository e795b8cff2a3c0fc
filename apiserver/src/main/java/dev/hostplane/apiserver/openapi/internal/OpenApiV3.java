package dev.hostplane.apiserver.openapi.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.hostplane.apiserver.openapi.Schemas;
import dev.hostplane.apiserver.registry.GroupVersionKind;
import dev.hostplane.apiserver.registry.ResourceCatalog;
import dev.hostplane.apiserver.registry.ResourceType;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds one OpenAPI 3.0 document per served group-version, as upstream's {@code /openapi/v3/<gv>}: the schemas
 * that group-version's kinds need (under {@code components.schemas}, references rewritten to match) and a PATCH
 * operation per resource path. Not API.
 */
public final class OpenApiV3 {
  private static final String V2_REF = "#/definitions/";
  private static final String V3_REF = "#/components/schemas/";

  private OpenApiV3() {}

  /** Documents by key ({@code api/v1}, {@code apis/apps/v1}), in the catalogue's order. */
  public static Map<String, ObjectNode> build(ResourceCatalog catalog, Schemas schemas, String version) {
    ObjectNode all = schemas.definitionsJson();
    Map<String, ObjectNode> docs = new LinkedHashMap<>();
    Map<String, Map<String, JsonNode>> components = new LinkedHashMap<>();
    for (ResourceType t : catalog.all()) {
      String key = PatchOperations.groupVersionPath(t.group(), t.version());
      ObjectNode doc = docs.computeIfAbsent(key, k -> {
        ObjectNode d = PatchOperations.F.objectNode();
        d.put("openapi", "3.0.0");
        d.putObject("info").put("title", "Kubernetes").put("version", version);
        d.putObject("paths");
        return d;
      });
      Map<String, JsonNode> schemasOfGv = components.computeIfAbsent(key, k -> new TreeMap<>());
      String def = schemas.byGvk(t.gvk()).map(n -> n.definition()).orElse(null);
      if (def == null) {
        continue;
      }
      collect(all, def, schemasOfGv);
      String listDef = schemas.byGvk(new GroupVersionKind(t.group(), t.version(), t.listKind()))
          .map(n -> n.definition()).orElse(null);
      if (listDef != null) {
        collect(all, listDef, schemasOfGv);
      }
      ((ObjectNode) doc.get("paths")).set(PatchOperations.path(t), pathItem(t, def));
    }
    docs.forEach((key, doc) -> {
      ObjectNode schemasNode = doc.putObject("components").putObject("schemas");
      components.get(key).forEach((name, s) -> schemasNode.set(name, rewriteRefs(s.deepCopy())));
    });
    return docs;
  }

  private static ObjectNode pathItem(ResourceType t, String def) {
    ObjectNode item = PatchOperations.F.objectNode();
    item.set("parameters", PatchOperations.pathParameters(t, true));
    ObjectNode op = item.putObject("patch");
    op.put("operationId", PatchOperations.operationId(t));
    ArrayNode params = op.putArray("parameters");
    for (String q : PatchOperations.QUERY) {
      params.add(PatchOperations.param(q, "query", false, true));
    }
    ObjectNode body = op.putObject("requestBody").put("required", true);
    ObjectNode content = body.putObject("content");
    for (String type : PatchOperations.PATCH_TYPES) {
      content.putObject(type).putObject("schema").put("type", "object");
    }
    ObjectNode responses = op.putObject("responses");
    for (String code : new String[] {"200", "201"}) {
      ObjectNode r = responses.putObject(code).put("description", code.equals("200") ? "OK" : "Created");
      ObjectNode c = r.putObject("content");
      for (String type : PatchOperations.PRODUCES) {
        c.putObject(type).putObject("schema").put("$ref", V3_REF + def);
      }
    }
    op.put("x-kubernetes-action", "patch");
    op.set("x-kubernetes-group-version-kind", PatchOperations.gvk(t));
    return item;
  }

  /** Adds {@code root} and every definition it references, transitively. */
  private static void collect(ObjectNode all, String root, Map<String, JsonNode> out) {
    Deque<String> queue = new ArrayDeque<>();
    queue.add(root);
    while (!queue.isEmpty()) {
      String name = queue.poll();
      if (out.containsKey(name) || !all.has(name)) {
        continue;
      }
      JsonNode s = all.get(name);
      out.put(name, s);
      refs(s, queue);
    }
  }

  private static void refs(JsonNode n, Deque<String> queue) {
    if (n.isObject()) {
      JsonNode ref = n.get("$ref");
      if (ref != null && ref.asText().startsWith(V2_REF)) {
        queue.add(ref.asText().substring(V2_REF.length()));
      }
      n.elements().forEachRemaining(c -> refs(c, queue));
    } else if (n.isArray()) {
      n.forEach(c -> refs(c, queue));
    }
  }

  private static JsonNode rewriteRefs(JsonNode n) {
    if (n instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("$ref") && e.getValue().asText().startsWith(V2_REF)) {
          e.setValue(TextNode.valueOf(V3_REF + e.getValue().asText().substring(V2_REF.length())));
        } else {
          rewriteRefs(e.getValue());
        }
      }
    } else if (n.isArray()) {
      n.forEach(OpenApiV3::rewriteRefs);
    }
    return n;
  }
}

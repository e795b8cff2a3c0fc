package dev.hostplane.apiserver.openapi.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.openapi.Schemas;
import dev.hostplane.apiserver.registry.ResourceCatalog;
import dev.hostplane.apiserver.registry.ResourceType;

/** Builds the {@code /openapi/v2} Swagger 2.0 document. Not API. */
public final class SwaggerV2 {
  private SwaggerV2() {}

  /** Every definition, and a PATCH operation per served resource path. */
  public static ObjectNode build(ResourceCatalog catalog, Schemas schemas, String version) {
    ObjectNode doc = PatchOperations.F.objectNode();
    doc.put("swagger", "2.0");
    doc.putObject("info").put("title", "Kubernetes").put("version", version);
    ObjectNode paths = doc.putObject("paths");
    for (ResourceType t : catalog.all()) {
      String def = schemas.byGvk(t.gvk()).map(n -> n.definition()).orElse(null);
      if (def == null) {
        continue; // a kind without a schema gets no operation, so kubectl validates it on the client
      }
      ObjectNode item = paths.putObject(PatchOperations.path(t));
      item.set("parameters", PatchOperations.pathParameters(t, false));
      ObjectNode op = item.putObject("patch");
      op.put("operationId", PatchOperations.operationId(t));
      ArrayNode consumes = op.putArray("consumes");
      PatchOperations.PATCH_TYPES.forEach(consumes::add);
      ArrayNode produces = op.putArray("produces");
      PatchOperations.PRODUCES.forEach(produces::add);
      ArrayNode params = op.putArray("parameters");
      ObjectNode body = params.addObject().put("name", "body").put("in", "body").put("required", true);
      body.putObject("schema").put("type", "object");
      for (String q : PatchOperations.QUERY) {
        params.add(PatchOperations.param(q, "query", false, false));
      }
      ObjectNode responses = op.putObject("responses");
      for (String code : new String[] {"200", "201"}) {
        ObjectNode r = responses.putObject(code).put("description", code.equals("200") ? "OK" : "Created");
        r.putObject("schema").put("$ref", "#/definitions/" + def);
      }
      op.put("x-kubernetes-action", "patch");
      op.set("x-kubernetes-group-version-kind", PatchOperations.gvk(t));
    }
    doc.set("definitions", schemas.definitionsJson());
    return doc;
  }
}

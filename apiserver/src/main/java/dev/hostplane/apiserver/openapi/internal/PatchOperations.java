package dev.hostplane.apiserver.openapi.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.registry.ResourceType;
import java.util.List;

/**
 * The PATCH operation of each served resource path, in upstream's shape, for both document versions. kubectl
 * looks for it (by {@code x-kubernetes-group-version-kind}) and for its {@code fieldValidation} query parameter
 * to decide that the server validates fields, so that it need not validate on the client. Not API.
 */
public final class PatchOperations {
  static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final List<String> PATCH_TYPES = List.of("application/json-patch+json", "application/merge-patch+json",
      "application/strategic-merge-patch+json", "application/apply-patch+yaml");
  static final List<String> PRODUCES = List.of("application/json", "application/yaml",
      "application/vnd.kubernetes.protobuf");
  /** The PATCH query parameters: name and type. */
  static final List<String> QUERY = List.of("dryRun", "fieldManager", "fieldValidation", "force");

  private PatchOperations() {}

  /** {@code /api/v1/namespaces/{namespace}/pods/{name}}. */
  public static String path(ResourceType t) {
    String base = t.group().isEmpty() ? "/api/" + t.version() : "/apis/" + t.group() + "/" + t.version();
    return base + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.resource() + "/{name}";
  }

  /** The document key of a group-version: {@code api/v1}, {@code apis/apps/v1}. */
  public static String groupVersionPath(String group, String version) {
    return group.isEmpty() ? "api/" + version : "apis/" + group + "/" + version;
  }

  /** {@code patchCoreV1NamespacedPod}, {@code patchRbacAuthorizationV1ClusterRole}. */
  public static String operationId(ResourceType t) {
    StringBuilder sb = new StringBuilder("patch");
    if (t.group().isEmpty()) {
      sb.append("Core");
    } else {
      String g = t.group().endsWith(".k8s.io") ? t.group().substring(0, t.group().length() - 7) : t.group();
      for (String part : g.split("[.-]")) {
        sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    sb.append(Character.toUpperCase(t.version().charAt(0))).append(t.version().substring(1));
    if (t.namespaced()) {
      sb.append("Namespaced");
    }
    return sb.append(t.kind()).toString();
  }

  static ObjectNode gvk(ResourceType t) {
    return F.objectNode().put("group", t.group()).put("kind", t.kind()).put("version", t.version());
  }

  /** The path-level parameters (name, namespace) in v2 form, or v3 form with a {@code schema}. */
  static ArrayNode pathParameters(ResourceType t, boolean v3) {
    ArrayNode params = F.arrayNode();
    params.add(param("name", "path", true, v3));
    if (t.namespaced()) {
      params.add(param("namespace", "path", true, v3));
    }
    return params;
  }

  static ObjectNode param(String name, String in, boolean required, boolean v3) {
    ObjectNode p = F.objectNode().put("name", name).put("in", in);
    if (required) {
      p.put("required", true);
    }
    if (v3) {
      p.putObject("schema").put("type", "string");
    } else {
      p.put("type", "string");
    }
    if (in.equals("query")) {
      p.put("uniqueItems", true);
    }
    return p;
  }
}

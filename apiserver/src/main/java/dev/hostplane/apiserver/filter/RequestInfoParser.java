package dev.hostplane.apiserver.filter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Parses request paths into {@link RequestInfo}, with upstream's rules (including the legacy /watch/ prefix). */
public final class RequestInfoParser {
  private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

  private RequestInfoParser() {}

  /**
   * @param method the HTTP method
   * @param path the decoded path, without query
   * @param query the decoded query parameters (only {@code watch} is read)
   */
  public static RequestInfo parse(String method, String path, Map<String, List<String>> query) {
    String verb = method.toLowerCase(Locale.ROOT);
    List<String> parts = split(path);
    RequestInfo nonResource = new RequestInfo(false, path, verb, "", "", "", "", "", "", "", parts);
    if (parts.isEmpty() || !(parts.get(0).equals("api") || parts.get(0).equals("apis"))) {
      return nonResource;
    }
    String prefix = parts.get(0);
    List<String> rest = new ArrayList<>(parts.subList(1, parts.size()));
    String group = "";
    if (prefix.equals("apis")) {
      if (rest.size() < 2) {
        return nonResource; // /apis or /apis/<group>: discovery
      }
      group = rest.remove(0);
    } else if (rest.isEmpty()) {
      return nonResource; // /api
    }
    String version = rest.remove(0);
    if (rest.isEmpty()) {
      return nonResource; // /api/v1, /apis/g/v: discovery
    }
    boolean watchPrefix = false;
    if (rest.get(0).equals("watch")) {
      watchPrefix = true;
      rest.remove(0);
      if (rest.isEmpty()) {
        return nonResource;
      }
    }
    String namespace = "";
    if (rest.get(0).equals("namespaces")) {
      if (rest.size() > 1) {
        namespace = rest.get(1);
        if (rest.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(rest.get(2))) {
          rest = new ArrayList<>(rest.subList(2, rest.size()));
        }
      }
    }
    String resource = rest.get(0);
    String name = rest.size() > 1 ? rest.get(1) : "";
    String subresource = rest.size() > 2 ? rest.get(2) : ""; // what follows (a proxy path) stays in parts
    if (resource.equals("namespaces") && rest.size() > 1 && namespace.isEmpty()) {
      namespace = name;
    }
    String v = switch (verb) {
      case "post" -> "create";
      case "put" -> "update";
      case "patch" -> "patch";
      case "delete" -> name.isEmpty() ? "deletecollection" : "delete";
      case "get", "head" -> {
        if (watchPrefix || isWatch(query)) {
          yield "watch";
        }
        yield name.isEmpty() ? "list" : "get";
      }
      default -> verb;
    };
    return new RequestInfo(true, path, v, prefix, group, version, namespace, resource, subresource, name, parts);
  }

  private static boolean isWatch(Map<String, List<String>> query) {
    List<String> w = query.get("watch");
    if (w == null || w.isEmpty()) {
      return false;
    }
    String value = w.get(0);
    return value.equals("true") || value.equals("1");
  }

  private static List<String> split(String path) {
    List<String> out = new ArrayList<>();
    Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).forEach(out::add);
    return out;
  }
}

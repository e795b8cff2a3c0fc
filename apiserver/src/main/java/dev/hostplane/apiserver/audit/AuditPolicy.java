package dev.hostplane.apiserver.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.api.MediaType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code --audit-policy-file}: an {@code audit.k8s.io/v1 Policy} (YAML or JSON). Rules are tried in order and the
 * first that matches a request decides its level, the stages left out (the rule's and the policy's
 * {@code omitStages}) and whether {@code metadata.managedFields} is left out of logged bodies (the rule's
 * {@code omitManagedFields}, else the policy's). A request no rule matches is not audited. Immutable.
 */
public final class AuditPolicy {
  /** What the policy decides for one request. */
  public record Decision(Level level, Set<Stage> omitStages, boolean omitManagedFields) {
    public static final Decision NONE = new Decision(Level.None, Set.of(), false);
  }

  /** What a rule matches a request by. */
  public record Attributes(String user, List<String> groups, String verb, boolean resourceRequest,
      String apiGroup, String resource, String subresource, String namespace, String name, String path) {}

  record GroupResources(String group, List<String> resources, List<String> resourceNames) {}

  record Rule(Level level, List<String> users, List<String> userGroups, List<String> verbs,
      List<GroupResources> resources, List<String> namespaces, List<String> nonResourceURLs,
      Set<Stage> omitStages, Boolean omitManagedFields) {}

  private final List<Rule> rules;
  private final Set<Stage> omitStages;
  private final boolean omitManagedFields;

  private AuditPolicy(List<Rule> rules, Set<Stage> omitStages, boolean omitManagedFields) {
    this.rules = List.copyOf(rules);
    this.omitStages = omitStages;
    this.omitManagedFields = omitManagedFields;
  }

  /** Reads {@code file}; a bad policy is an {@link IllegalArgumentException} naming the problem. */
  public static AuditPolicy load(Path file) throws IOException {
    JsonNode doc;
    try {
      doc = Codecs.readTree(Files.readAllBytes(file), MediaType.YAML);
    } catch (ApiException e) {
      throw new IllegalArgumentException("failed decoding: " + e.status().message());
    }
    return parse(doc);
  }

  /** Validates and compiles a decoded policy document. */
  public static AuditPolicy parse(JsonNode doc) {
    if (doc == null || !doc.isObject()) {
      throw new IllegalArgumentException("failed decoding: the policy is not an object");
    }
    String kind = doc.path("kind").asText("");
    String apiVersion = doc.path("apiVersion").asText("");
    if (!kind.equals("Policy") || !apiVersion.equals("audit.k8s.io/v1")) {
      throw new IllegalArgumentException("failed decoding: no kind \"" + kind + "\" is registered for version \""
          + apiVersion + "\" (expected audit.k8s.io/v1, Kind=Policy)");
    }
    Set<Stage> policyOmit = stages("omitStages", doc.path("omitStages"));
    boolean policyOmitManaged = doc.path("omitManagedFields").asBoolean(false);
    JsonNode rules = doc.path("rules");
    if (!rules.isArray() || rules.isEmpty()) {
      throw new IllegalArgumentException("loaded illegal policy with 0 rules");
    }
    List<Rule> out = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      out.add(rule("rules[" + i + "]", rules.get(i)));
    }
    return new AuditPolicy(out, policyOmit, policyOmitManaged);
  }

  /** A policy that audits every request at {@code level}, for tests and embedding. */
  public static AuditPolicy everything(Level level) {
    return new AuditPolicy(List.of(new Rule(level, List.of(), List.of(), List.of(), List.of(), List.of(),
        List.of(), Set.of(), null)), Set.of(), false);
  }

  private static Rule rule(String at, JsonNode r) {
    String levelText = r.path("level").asText("");
    Level level;
    try {
      level = Level.valueOf(levelText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(at + ".level: " + (levelText.isEmpty() ? "Required value"
          : "Unsupported value: \"" + levelText + "\": supported values: \"None\", \"Metadata\", \"Request\", "
              + "\"RequestResponse\""));
    }
    List<String> nonResourceURLs = strings(at + ".nonResourceURLs", r.path("nonResourceURLs"));
    List<String> namespaces = strings(at + ".namespaces", r.path("namespaces"));
    List<GroupResources> resources = new ArrayList<>();
    JsonNode res = r.path("resources");
    for (int j = 0; j < res.size(); j++) {
      JsonNode g = res.get(j);
      String gat = at + ".resources[" + j + "]";
      List<String> names = strings(gat + ".resources", g.path("resources"));
      List<String> resourceNames = strings(gat + ".resourceNames", g.path("resourceNames"));
      for (String n : names) {
        if (n.contains("*") && !n.equals("*") && !n.startsWith("*/") && !n.endsWith("/*")) {
          throw new IllegalArgumentException(gat + ".resources: Invalid value: \"" + n + "\": wildcards are "
              + "only allowed as \"*\", \"*/subresource\" or \"resource/*\"");
        }
      }
      if (!resourceNames.isEmpty() && names.stream().anyMatch(n -> n.contains("*"))) {
        throw new IllegalArgumentException(gat + ".resourceNames: Invalid value: " + resourceNames
            + ": using resource names with wildcard resources is not supported");
      }
      resources.add(new GroupResources(g.path("group").asText(""), names, resourceNames));
    }
    if (!nonResourceURLs.isEmpty() && (!resources.isEmpty() || !namespaces.isEmpty())) {
      throw new IllegalArgumentException(at + ".nonResourceURLs: Invalid value: " + nonResourceURLs
          + ": rules cannot apply to both regular resources and non-resource URLs");
    }
    for (String u : nonResourceURLs) {
      int star = u.indexOf('*');
      if (star >= 0 && star != u.length() - 1) {
        throw new IllegalArgumentException(at + ".nonResourceURLs: Invalid value: \"" + u + "\": a '*' is only "
            + "allowed at the end");
      }
    }
    JsonNode omf = r.path("omitManagedFields");
    return new Rule(level, strings(at + ".users", r.path("users")),
        strings(at + ".userGroups", r.path("userGroups")), strings(at + ".verbs", r.path("verbs")), resources,
        namespaces, nonResourceURLs, stages(at + ".omitStages", r.path("omitStages")),
        omf.isBoolean() ? omf.booleanValue() : null);
  }

  private static List<String> strings(String at, JsonNode n) {
    if (n.isMissingNode() || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new IllegalArgumentException(at + ": Invalid value: expected a list of strings");
    }
    List<String> out = new ArrayList<>();
    n.forEach(e -> out.add(e.asText()));
    return List.copyOf(out);
  }

  private static Set<Stage> stages(String at, JsonNode n) {
    Set<Stage> out = EnumSet.noneOf(Stage.class);
    for (String s : strings(at, n)) {
      try {
        out.add(Stage.valueOf(s));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(at + ": Unsupported value: \"" + s + "\": supported values: "
            + "\"RequestReceived\", \"ResponseStarted\", \"ResponseComplete\", \"Panic\"");
      }
    }
    return Set.copyOf(out);
  }

  /** The first matching rule's decision, or {@link Decision#NONE}. */
  public Decision evaluate(Attributes a) {
    for (Rule r : rules) {
      if (matches(r, a)) {
        if (r.level() == Level.None) {
          return Decision.NONE;
        }
        Set<Stage> omit = EnumSet.noneOf(Stage.class);
        omit.addAll(omitStages);
        omit.addAll(r.omitStages());
        return new Decision(r.level(), Set.copyOf(omit),
            r.omitManagedFields() != null ? r.omitManagedFields() : omitManagedFields);
      }
    }
    return Decision.NONE;
  }

  private static boolean matches(Rule r, Attributes a) {
    if (!r.users().isEmpty() && !r.users().contains(a.user())) {
      return false;
    }
    if (!r.userGroups().isEmpty() && r.userGroups().stream().noneMatch(a.groups()::contains)) {
      return false;
    }
    if (!r.verbs().isEmpty() && !r.verbs().contains(a.verb())) {
      return false;
    }
    if (!r.namespaces().isEmpty() || !r.resources().isEmpty()) {
      return matchesResource(r, a);
    }
    if (!r.nonResourceURLs().isEmpty()) {
      return !a.resourceRequest() && matchesPath(r.nonResourceURLs(), a.path());
    }
    return true;
  }

  private static boolean matchesPath(List<String> patterns, String path) {
    for (String p : patterns) {
      if (p.equals("*") || p.equals(path) || p.endsWith("*") && path.startsWith(p.substring(0, p.length() - 1))) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchesResource(Rule r, Attributes a) {
    if (!a.resourceRequest()) {
      return false;
    }
    if (!r.namespaces().isEmpty() && !r.namespaces().contains(a.namespace())) {
      return false;
    }
    if (r.resources().isEmpty()) {
      return true;
    }
    String combined = a.subresource().isEmpty() ? a.resource() : a.resource() + "/" + a.subresource();
    for (GroupResources g : r.resources()) {
      if (!g.group().equals(a.apiGroup())) {
        continue;
      }
      if (g.resources().isEmpty()) {
        return true;
      }
      for (String res : g.resources()) {
        if (!g.resourceNames().isEmpty() && !g.resourceNames().contains(a.name())) {
          continue;
        }
        if (res.equals(combined) || res.equals("*")) {
          return true;
        }
        if (!a.subresource().isEmpty() && res.startsWith("*/") && res.substring(2).equals(a.subresource())) {
          return true;
        }
        if (res.endsWith("/*") && res.substring(0, res.length() - 2).equals(a.resource())) {
          return true;
        }
      }
    }
    return false;
  }
}

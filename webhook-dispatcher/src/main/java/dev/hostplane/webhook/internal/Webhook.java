package dev.hostplane.webhook.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.LabelSelector;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One webhook of a Mutating- or ValidatingWebhookConfiguration, parsed once when the configuration changes.
 * Values are the stored (defaulted) ones; a field missing from an object stored before defaulting takes
 * upstream's default.
 *
 * @param configuration the configuration's name (mutating webhooks run sorted by it)
 * @param index the webhook's position in its configuration
 * @param reviewVersion {@code v1}, or {@code v1beta1} when that is the only version the webhook accepts
 * @param conditions compiled matchConditions, null when none
 */
public record Webhook(
    String configuration,
    int index,
    String name,
    boolean mutating,
    List<Rule> rules,
    boolean exactMatch,
    LabelSelector namespaceSelector,
    LabelSelector objectSelector,
    ClientConfig client,
    boolean failOpen,
    String sideEffects,
    int timeoutSeconds,
    String reviewVersion,
    boolean reinvokeIfNeeded,
    MatchConditions conditions) {

  /** One rule: operations, groups, versions, resources (with {@code res/sub} forms) and scope. */
  public record Rule(List<String> operations, List<String> groups, List<String> versions,
      List<String> resources, String scope) {}

  /**
   * Where the webhook is: {@code url}, or the Service {@code namespace/name} on {@code port} with {@code path}.
   * {@code caBundle} is PEM, empty for the system's roots.
   */
  public record ClientConfig(String url, String serviceNamespace, String serviceName, String path, int port,
      byte[] caBundle) {
    public boolean isService() {
      return url == null;
    }

    /** The TLS server name (and Host) of a Service reference: {@code <name>.<namespace>.svc}. */
    public String serviceHost() {
      return serviceName + "." + serviceNamespace + ".svc";
    }
  }

  /** Every webhook of a configuration object. */
  public static List<Webhook> parse(ObjectNode config, boolean mutating) {
    String configName = config.path("metadata").path("name").asText("");
    List<Webhook> out = new ArrayList<>();
    JsonNode hooks = config.path("webhooks");
    for (int i = 0; i < hooks.size(); i++) {
      out.add(parseOne(configName, i, hooks.get(i), mutating));
    }
    return out;
  }

  private static Webhook parseOne(String configName, int index, JsonNode h, boolean mutating) {
    List<Rule> rules = new ArrayList<>();
    for (JsonNode r : h.path("rules")) {
      rules.add(new Rule(strings(r.path("operations")), strings(r.path("apiGroups")),
          strings(r.path("apiVersions")), strings(r.path("resources")), r.path("scope").asText("*")));
    }
    JsonNode cc = h.path("clientConfig");
    byte[] ca = cc.hasNonNull("caBundle") ? Base64.getDecoder().decode(cc.get("caBundle").asText()) : new byte[0];
    ClientConfig client;
    if (cc.hasNonNull("url")) {
      client = new ClientConfig(cc.get("url").asText(), null, null, null, 0, ca);
    } else {
      JsonNode s = cc.path("service");
      client = new ClientConfig(null, s.path("namespace").asText(), s.path("name").asText(),
          s.path("path").asText("/"), s.path("port").asInt(443), ca);
    }
    List<String> versions = strings(h.path("admissionReviewVersions"));
    String reviewVersion = !versions.contains("v1") && versions.contains("v1beta1") ? "v1beta1" : "v1";
    return new Webhook(configName, index, h.path("name").asText(), mutating, List.copyOf(rules),
        h.path("matchPolicy").asText("Equivalent").equals("Exact"),
        selector(h.get("namespaceSelector")), selector(h.get("objectSelector")), client,
        h.path("failurePolicy").asText("Fail").equals("Ignore"), h.path("sideEffects").asText("Unknown"),
        h.path("timeoutSeconds").asInt(10), reviewVersion,
        mutating && h.path("reinvocationPolicy").asText("Never").equals("IfNeeded"),
        MatchConditions.compile(h.get("matchConditions")));
  }

  private static LabelSelector selector(JsonNode s) {
    if (s == null || s.isNull() || s.isEmpty()) {
      return LabelSelector.EVERYTHING;
    }
    return LabelSelector.fromJson(s);
  }

  private static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(x -> out.add(x.asText()));
    return List.copyOf(out);
  }
}

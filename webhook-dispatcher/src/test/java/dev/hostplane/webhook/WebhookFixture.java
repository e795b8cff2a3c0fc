package dev.hostplane.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.ApiServer;
import dev.hostplane.apiserver.admission.AdmissionPluginFactory;
import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.testing.TestApiServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** An in-process apiserver with the webhook plugin registered, and helpers to configure webhooks and write. */
final class WebhookFixture implements AutoCloseable {
  static final String CONFIGS = "/apis/admissionregistration.k8s.io/v1/";
  final TestApiServer api;
  final WebhookAdmission plugin;
  final AdmissionPluginFactory.Context context;
  final CertificateAuthority ca = CertificateAuthority.generate("webhook-test-ca", Duration.ofDays(1));

  private WebhookFixture(TestApiServer api, WebhookAdmission plugin, AdmissionPluginFactory.Context context) {
    this.api = api;
    this.plugin = plugin;
    this.context = context;
  }

  /** Starts an apiserver in {@code dir} with the webhook plugin (idle connections closed after {@code idle}). */
  static WebhookFixture start(Path dir, Duration idle, String... flags) throws Exception {
    AtomicReference<WebhookAdmission> plugin = new AtomicReference<>();
    AtomicReference<AdmissionPluginFactory.Context> context = new AtomicReference<>();
    ApiServer server = ApiServer.start(TestApiServer.config(dir, flags), null, List.of(c -> {
      context.set(c);
      plugin.set((WebhookAdmission) WebhookAdmission.factory(idle).create(c));
      return plugin.get();
    }));
    return new WebhookFixture(TestApiServer.of(server, dir), plugin.get(), context.get());
  }

  WebhookServer server(List<String> dnsNames, java.util.function.Function<JsonNode, WebhookServer.Reply> r)
      throws Exception {
    return WebhookServer.start(ca, dnsNames, r);
  }

  /** A webhook on {@code server} for CREATE and UPDATE of core v1 configmaps; Fail, sideEffects None, 5 s. */
  static ObjectNode hook(String name, WebhookServer server, String path) {
    ObjectNode h = WebhookServer.JSON.createObjectNode();
    h.put("name", name);
    h.putObject("clientConfig").put("url", server.url(path)).put("caBundle", server.caBundle());
    rules(h, List.of("CREATE", "UPDATE"), "", "v1", "configmaps");
    h.put("sideEffects", "None");
    h.putArray("admissionReviewVersions").add("v1");
    h.put("failurePolicy", "Fail");
    h.put("timeoutSeconds", 5);
    return h;
  }

  static ObjectNode rules(ObjectNode hook, List<String> ops, String group, String version, String... resources) {
    ArrayNode rules = hook.putArray("rules");
    ObjectNode r = rules.addObject();
    ArrayNode o = r.putArray("operations");
    ops.forEach(o::add);
    r.putArray("apiGroups").add(group);
    r.putArray("apiVersions").add(version);
    ArrayNode res = r.putArray("resources");
    for (String s : resources) {
      res.add(s);
    }
    return hook;
  }

  /** Creates a Mutating- ({@code mutating}) or ValidatingWebhookConfiguration and waits until it is in force. */
  void register(boolean mutating, String name, ObjectNode... hooks) throws Exception {
    ObjectNode cfg = WebhookServer.JSON.createObjectNode();
    cfg.put("apiVersion", "admissionregistration.k8s.io/v1");
    cfg.put("kind", mutating ? "MutatingWebhookConfiguration" : "ValidatingWebhookConfiguration");
    cfg.putObject("metadata").put("name", name);
    ArrayNode list = cfg.putArray("webhooks");
    for (ObjectNode h : hooks) {
      list.add(h);
    }
    HttpResponse<String> r = api.send("POST", CONFIGS + resource(mutating), "application/json", cfg.toString());
    assertEquals(201, r.statusCode(), r.body());
    awaitWebhooks(hooks.length == 0 ? null : hooks[hooks.length - 1].path("name").asText(), true);
  }

  static String resource(boolean mutating) {
    return mutating ? "mutatingwebhookconfigurations" : "validatingwebhookconfigurations";
  }

  /** Waits until the webhook {@code name} is (or is no longer) in force. */
  void awaitWebhooks(String name, boolean present) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (name == null || plugin.webhooks().contains(name) == present) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("webhook " + name + (present ? " never came into force" : " stayed in force"));
  }

  /** Deletes every webhook configuration and waits until none is in force. */
  void clearWebhooks() throws Exception {
    for (boolean mutating : new boolean[] {true, false}) {
      api.send("DELETE", CONFIGS + resource(mutating), null, null);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!plugin.webhooks().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(List.of(), plugin.webhooks());
  }

  void namespace(String name, String... labels) throws Exception {
    ObjectNode ns = WebhookServer.JSON.createObjectNode();
    ns.put("apiVersion", "v1").put("kind", "Namespace");
    ObjectNode meta = ns.putObject("metadata").put("name", name);
    ObjectNode l = meta.putObject("labels");
    for (int i = 0; i + 1 < labels.length; i += 2) {
      l.put(labels[i], labels[i + 1]);
    }
    HttpResponse<String> r = api.send("POST", "/api/v1/namespaces", "application/json", ns.toString());
    assertEquals(201, r.statusCode(), r.body());
  }

  static String configMap(String name, String... labels) {
    ObjectNode cm = WebhookServer.JSON.createObjectNode();
    cm.put("apiVersion", "v1").put("kind", "ConfigMap");
    ObjectNode meta = cm.putObject("metadata").put("name", name);
    if (labels.length > 0) {
      ObjectNode l = meta.putObject("labels");
      for (int i = 0; i + 1 < labels.length; i += 2) {
        l.put(labels[i], labels[i + 1]);
      }
    }
    cm.putObject("data").put("k", "v");
    return cm.toString();
  }

  HttpResponse<String> createConfigMap(String ns, String name, String... labels) throws Exception {
    return api.send("POST", "/api/v1/namespaces/" + ns + "/configmaps", "application/json",
        configMap(name, labels));
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return WebhookServer.JSON.readTree(r.body());
  }

  @Override
  public void close() {
    api.close();
  }
}

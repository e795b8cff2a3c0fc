package dev.hostplane.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.ApiServer;
import dev.hostplane.apiserver.ApiServerConfig;
import dev.hostplane.apiserver.admission.AdmissionPluginFactory;
import dev.hostplane.apiserver.api.Codecs;
import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.konnectivity.agent.Agent;
import dev.hostplane.ops.bench.ClientConfig;
import dev.hostplane.ops.node.internal.ApiClient;
import dev.hostplane.webhook.WebhookAdmission;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admission webhooks served by a pod of a {@code hostplane up} cluster and registered by Service reference: the
 * apiserver reaches them through the Konnectivity tunnel (the agent dials the pod), a mutating patch is stored, a
 * validating denial and a CONNECT denial are printed by kubectl, a stopped agent fails the call under Fail and skips
 * it under Ignore, and an agent restart during a stream of creates neither hangs nor leaves creates failing.
 *
 * <p>The webhooks run in a second apiserver on the cluster's storage, started with {@code up}'s flags and the plugin
 * {@code hostplane apiserver} registers, so that the test holds the plugin (to wait until a configuration is in
 * force); kubectl talks to that one. {@code up}'s own apiserver registers the same plugin.
 */
@Tag("slow")
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TunnelWebhookTest {
  private static final String CONFIGS = "/apis/admissionregistration.k8s.io/v1/";
  private static final String POD_IP = "127.0.0.2";
  private static final List<String> KUBECTL_VERSIONS = List.of("1.27", "1.30", "1.33");

  @TempDir
  static Path dir;

  static UpCommand.Cluster cluster;
  static ApiServer webhookApiserver;
  static WebhookAdmission plugin;
  static AdmissionPluginFactory.Context context;
  static ApiClient api;
  static Path kubeconfig;
  static String caBundle;
  static int podPort;
  /** The agent now serving the tunnel (replaced when a test restarts it). */
  static Agent agent;

  @BeforeAll
  static void startClusterAndWebhookPod() throws Exception {
    cluster = UpCommand.start(dir.resolve("up"), 1, 0, 0);
    agent = cluster.agent();
    Path up = dir.resolve("up").toAbsolutePath();
    Path pki = up.resolve("pki");
    kubeconfig = dir.resolve("webhooks.kubeconfig");
    Flags flags = ApiServerConfig.flags();
    flags.parse(List.of("--secure-port=0", "--bind-address=127.0.0.1", "--data-dir=" + up.resolve("data"),
        "--cert-dir=" + pki, "--write-kubeconfig=" + kubeconfig,
        "--kubelet-client-certificate=" + pki.resolve("apiserver-kubelet-client.crt"),
        "--kubelet-client-key=" + pki.resolve("apiserver-kubelet-client.key"),
        "--kubelet-certificate-authority=" + pki.resolve("ca.crt"),
        "--kubelet-preferred-address-types=InternalIP,Hostname,InternalDNS,ExternalDNS,ExternalIP",
        "--egress-selector-config-file=" + up.resolve("egress-selector-configuration.yaml")));
    AtomicReference<WebhookAdmission> p = new AtomicReference<>();
    AtomicReference<AdmissionPluginFactory.Context> c = new AtomicReference<>();
    webhookApiserver = ApiServer.start(ApiServerConfig.from(flags), cluster.apiserver().storage(), List.of(ctx -> {
      c.set(ctx);
      // What `hostplane apiserver` registers.
      p.set((WebhookAdmission) ApiServerCommand.admissionPlugins().get(0).create(ctx));
      return p.get();
    }));
    plugin = p.get();
    context = c.get();
    api = ApiClient.create(ClientConfig.load(kubeconfig));
    eventually("the agent", () -> cluster.proxy().connectedAgents() == 1);

    // The webhook's serving certificate: <svc>.<ns>.svc (and the pod IP, for the by-URL comparison) from a test CA.
    CertificateAuthority ca = CertificateAuthority.generate("webhook-test-ca", Duration.ofDays(1));
    Path hookDir = Files.createDirectories(dir.resolve("hook"));
    CertifiedKey serving = ca.issueServing("hooks.webhooks.svc", List.of("hooks.webhooks.svc"),
        List.of(InetAddress.getByName(POD_IP)), Duration.ofDays(1));
    serving.write(hookDir.resolve("tls.crt"), hookDir.resolve("tls.key"));
    caBundle = Base64.getEncoder().encodeToString(("-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(ca.certificate().getEncoded())
        + "\n-----END CERTIFICATE-----\n").getBytes(StandardCharsets.US_ASCII));
    Path script = hookDir.resolve("webhook_pod.py");
    try (InputStream in = TunnelWebhookTest.class.getResourceAsStream("webhook_pod.py")) {
      Files.write(script, in.readAllBytes());
    }
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(POD_IP))) {
      podPort = s.getLocalPort();
    }

    // The webhook pod, its Service (no selector) and the Service's Endpoints at the pod's IP.
    ObjectNode ns = ApiClient.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Namespace");
    ns.putObject("metadata").put("name", "webhooks");
    assertEquals(201, api.post("/api/v1/namespaces", ns).code());
    ObjectNode pod = ApiClient.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", "hook");
    ArrayNode cmd = pod.putObject("spec").putArray("containers").addObject().put("name", "hook")
        .put("image", "python:3").putArray("command");
    List.of("python3", script.toString(), POD_IP, String.valueOf(podPort), hookDir.resolve("tls.crt").toString(),
        hookDir.resolve("tls.key").toString()).forEach(cmd::add);
    ApiClient.Response created = api.post("/api/v1/namespaces/webhooks/pods", pod);
    assertEquals(201, created.code(), created.body());
    String podIp = eventually("the webhook pod Running", () -> {
      JsonNode got = api.get("/api/v1/namespaces/webhooks/pods/hook").json();
      return got.path("status").path("phase").asText().equals("Running")
          ? got.path("status").path("podIP").asText() : null;
    });
    assertEquals(POD_IP, podIp);
    eventually("the webhook pod listening", () -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(POD_IP, podPort), 500);
        return true;
      } catch (java.io.IOException e) {
        return false;
      }
    });
    ObjectNode svc = (ObjectNode) ApiClient.JSON.readTree("{\"apiVersion\":\"v1\",\"kind\":\"Service\","
        + "\"metadata\":{\"name\":\"hooks\"},\"spec\":{\"ports\":[{\"name\":\"https\",\"port\":443,"
        + "\"targetPort\":" + podPort + "}]}}");
    assertEquals(201, api.post("/api/v1/namespaces/webhooks/services", svc).code());
    // Endpoints on loopback addresses do not pass validation (upstream refuses them): written to storage as an
    // endpoints controller's would be.
    ObjectNode eps = ApiClient.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Endpoints");
    eps.putObject("metadata").put("name", "hooks").put("namespace", "webhooks")
        .put("uid", UUID.randomUUID().toString()).put("creationTimestamp", "2025-01-01T00:00:00Z");
    ObjectNode subset = eps.putArray("subsets").addObject();
    subset.putArray("addresses").addObject().put("ip", POD_IP);
    subset.putArray("ports").addObject().put("name", "https").put("port", podPort).put("protocol", "TCP");
    var store = context.registry().store("", "v1", "endpoints");
    store.storage().create(store.key("webhooks", "hooks"), Codecs.writeJson(eps)).toCompletableFuture().get();
  }

  @AfterAll
  static void stop() {
    if (webhookApiserver != null) {
      webhookApiserver.close();
    }
    if (cluster != null) {
      if (agent != cluster.agent()) {
        agent.close();
      }
      cluster.close();
    }
  }

  @AfterEach
  void clearWebhooks() throws Exception {
    for (String kind : List.of("mutatingwebhookconfigurations", "validatingwebhookconfigurations")) {
      api.send("DELETE", CONFIGS + kind, null, null);
    }
    eventually("no webhooks in force", () -> plugin.webhooks().isEmpty());
  }

  // ---------------------------------------------------------------------------------------------------------------

  @Test
  @Order(1)
  void mutatingPatchIsStoredAndValidatingDenialIsPrintedByKubectlThroughTheTunnel() throws Exception {
    register(true, "tunnel-mutate", hook("mutate.tunnel.hostplane.dev", "/mutate", "Fail", "CREATE", "", "v1",
        "configmaps"));
    register(false, "tunnel-validate", hook("validate.tunnel.hostplane.dev", "/validate", "Fail", "CREATE", "",
        "v1", "configmaps"));
    long dialsBefore = agentDials();

    Kubectl.Result ok = kubectl("1.33", configMapYaml("patched"), "create", "-f", "-");
    assertEquals(0, ok.code(), ok.toString());
    JsonNode stored = api.get("/api/v1/namespaces/default/configmaps/patched").json();
    assertEquals("tunnel-pod", stored.path("metadata").path("labels").path("hooked-by").asText(), stored.toString());
    assertTrue(agentDials() > dialsBefore, "the agent dialled the webhook pod");

    for (String version : KUBECTL_VERSIONS) {
      Kubectl.Result denied = kubectl(version, configMapYaml("forbidden-one"), "create", "-f", "-");
      assertNotEquals(0, denied.code(), denied.toString());
      assertTrue(denied.err().contains("admission webhook \"validate.tunnel.hostplane.dev\" denied the request: "
          + "configmaps named forbidden-* are refused by the pod"), version + ": " + denied);
    }
    assertEquals(404, api.get("/api/v1/namespaces/default/configmaps/forbidden-one").code());
  }

  @Test
  @Order(2)
  void stoppedAgentFailsTheCallUnderFailAndSkipsItUnderIgnore() throws Exception {
    register(false, "tunnel-fail", hook("fail.tunnel.hostplane.dev", "/allow", "Fail", "CREATE", "", "v1",
        "configmaps"));
    assertEquals(201, createConfigMap("before-stop").code());
    agent.close();
    eventually("the agent gone", () -> cluster.proxy().connectedAgents() == 0);
    try {
      ApiClient.Response failed = createConfigMap("agent-down-fail");
      assertEquals(500, failed.code(), failed.body());
      String message = failed.json().path("message").asText();
      assertTrue(message.startsWith("Internal error occurred: failed calling webhook \"fail.tunnel.hostplane.dev\": "
          + "failed to call webhook: "), message);

      clearWebhooks();
      register(false, "tunnel-ignore", hook("ignore.tunnel.hostplane.dev", "/validate", "Ignore", "CREATE", "",
          "v1", "configmaps"));
      ApiClient.Response skipped = createConfigMap("forbidden-but-skipped");
      assertEquals(201, skipped.code(), skipped.body());
    } finally {
      restartAgent();
    }
    ApiClient.Response denied = createConfigMap("forbidden-after-restart");
    assertEquals(403, denied.code(), denied.body());
  }

  @Test
  @Order(3)
  void agentRestartDuringAStreamOfCreatesNeverHangsAndCreatesRecover() throws Exception {
    ObjectNode h = hook("stream.tunnel.hostplane.dev", "/mutate", "Fail", "CREATE", "", "v1", "configmaps");
    h.put("timeoutSeconds", 5);
    register(true, "tunnel-stream", h);
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicLong lastFailure = new AtomicLong();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger slowest = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    long end = System.nanoTime() + Duration.ofSeconds(6).toNanos();
    List<Future<?>> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      int writer = w;
      writers.add(pool.submit(() -> {
        for (int i = 0; System.nanoTime() < end; i++) {
          long t0 = System.nanoTime();
          ApiClient.Response r = createConfigMap("stream-" + writer + "-" + i);
          int ms = (int) ((System.nanoTime() - t0) / 1_000_000);
          slowest.accumulateAndGet(ms, Math::max);
          if (r.code() == 201) {
            ok.incrementAndGet();
          } else {
            failures.add(r.code() + " " + r.json().path("message").asText());
            lastFailure.accumulateAndGet(System.nanoTime(), Math::max);
          }
        }
        return null;
      }));
    }
    Thread.sleep(1500);
    agent.close();
    Thread.sleep(1000);
    restartAgent();
    long back = System.nanoTime();
    for (Future<?> f : writers) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    System.out.printf("agent restart during creates: %d created, %d refused (first: %s), slowest %d ms%n",
        ok.get(), failures.size(), failures.isEmpty() ? "none" : failures.get(0), slowest.get());
    assertTrue(!failures.isEmpty(), "creates were refused while the agent was down");
    assertTrue(lastFailure.get() < back + Duration.ofSeconds(1).toNanos(),
        "refusals went on " + (lastFailure.get() - back) / 1_000_000 + " ms after the agent was back");
    for (String f : failures) {
      assertTrue(f.startsWith("500 Internal error occurred: failed calling webhook \"stream.tunnel.hostplane.dev\""),
          f);
    }
    assertTrue(slowest.get() < 10_000, "a create took " + slowest.get() + " ms");
    assertTrue(ok.get() > 0);
    // Once the agent is back, every create goes through the webhook again.
    for (int i = 0; i < 5; i++) {
      ApiClient.Response r = createConfigMap("after-restart-" + i);
      assertEquals(201, r.code(), r.body());
      assertEquals("tunnel-pod", r.json().path("metadata").path("labels").path("hooked-by").asText());
    }
  }

  @Test
  @Order(4)
  void connectWebhookDeniesKubectlExec() throws Exception {
    ObjectNode h = hook("exec.tunnel.hostplane.dev", "/connect", "Fail", "CONNECT", "", "v1", "pods/exec");
    register(false, "tunnel-connect", h);
    // 1.27 upgrades to SPDY; 1.30 and later try WebSocket first.
    for (String version : KUBECTL_VERSIONS) {
      Kubectl.Result r = kubectlNs(version, "webhooks", null, "exec", "hook", "--", "true");
      assertNotEquals(0, r.code(), r.toString());
      assertTrue(r.err().contains("admission webhook \"exec.tunnel.hostplane.dev\" denied the request: "
          + "exec of pod hook is refused by the pod"), version + ": " + r);
    }
  }

  @Test
  @Order(5)
  void benchmark() throws Exception {
    // Both webhooks at once, each selecting its own objects by label; creates of the three kinds (neither, by URL,
    // through the tunnel) interleaved, so that load from the rest of the machine falls on all three alike.
    int samples = 600;
    ObjectNode byService = hook("bench-svc.tunnel.hostplane.dev", "/allow", "Fail", "CREATE", "", "v1",
        "configmaps");
    byService.putObject("objectSelector").putObject("matchLabels").put("bench", "tunnel");
    ObjectNode urlHook = byUrl(byService, "/allow").put("name", "bench-url.tunnel.hostplane.dev");
    ((ObjectNode) urlHook.path("objectSelector").path("matchLabels")).put("bench", "url");
    register(false, "bench-url", urlHook);
    register(false, "bench-svc", byService);
    String[] kinds = {"none", "url", "tunnel"};
    long[][] took = new long[3][samples];
    for (int i = -20; i < samples; i++) {
      for (int k = 0; k < 3; k++) {
        long t0 = System.nanoTime();
        ApiClient.Response r = createConfigMap("bench-" + kinds[k] + "-" + i, "bench", kinds[k]);
        long t = System.nanoTime() - t0;
        assertEquals(201, r.code(), r.body());
        if (i >= 0) {
          took[k][i] = t;
        }
      }
    }
    clearWebhooks();
    for (long[] t : took) {
      Arrays.sort(t);
    }
    long[] none = took[0];
    long[] direct = took[1];
    long[] tunnel = took[2];
    System.out.printf("webhook bench: create latency without webhooks p50 %.2f ms p99 %.2f ms (%d sequential "
        + "creates of each kind, interleaved)%n", pct(none, 50), pct(none, 99), samples);
    System.out.printf("webhook bench: create latency with a webhook by URL p50 %.2f ms p99 %.2f ms, by Service "
        + "through the tunnel p50 %.2f ms p99 %.2f ms%n", pct(direct, 50), pct(direct, 99), pct(tunnel, 50),
        pct(tunnel, 99));
    System.out.printf("webhook bench: added per call, by URL directly: p50 %.2f ms p99 %.2f ms%n",
        pct(direct, 50) - pct(none, 50), pct(direct, 99) - pct(none, 99));
    System.out.printf("webhook bench: added per call, by Service through the tunnel: p50 %.2f ms p99 %.2f ms%n",
        pct(tunnel, 50) - pct(none, 50), pct(tunnel, 99) - pct(none, 99));

    double without = throughput("rate-none");
    ObjectNode mutate = hook("bench-mutate.tunnel.hostplane.dev", "/mutate", "Fail", "CREATE", "", "v1",
        "configmaps");
    ObjectNode validate = hook("bench-validate.tunnel.hostplane.dev", "/validate", "Fail", "CREATE", "", "v1",
        "configmaps");
    register(true, "bench-mutate", byUrl(mutate, "/mutate"));
    register(false, "bench-validate", byUrl(validate, "/validate"));
    double withUrl = throughput("rate-url");
    clearWebhooks();
    register(true, "bench-mutate", mutate);
    register(false, "bench-validate", validate);
    double with = throughput("rate-hooks");
    System.out.printf("webhook bench: creates/s without webhooks %.0f, with one mutating and one validating "
        + "webhook through the tunnel %.0f (ratio %.2f); the same two by URL directly %.0f (ratio %.2f)%n", without,
        with, with / without, withUrl, withUrl / without);
    assertTrue(with > 0 && without > 0);
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static double pct(long[] sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, i)] / 1e6;
  }

  /** Creates/s of 8 concurrent writers over 4 seconds (after a 1 s warm-up). */
  private static double throughput(String prefix) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicInteger counted = new AtomicInteger();
    long start = System.nanoTime();
    long warm = start + Duration.ofSeconds(1).toNanos();
    long end = warm + Duration.ofSeconds(4).toNanos();
    List<Future<?>> fs = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      int writer = w;
      fs.add(pool.submit(() -> {
        for (int i = 0; System.nanoTime() < end; i++) {
          ApiClient.Response r = createConfigMap(prefix + "-" + writer + "-" + i);
          assertEquals(201, r.code(), r.body());
          long now = System.nanoTime();
          if (now > warm && now <= end) {
            counted.incrementAndGet();
          }
        }
        return null;
      }));
    }
    for (Future<?> f : fs) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    return counted.get() / 4.0;
  }

  private static void restartAgent() throws Exception {
    agent = Agent.start(cluster.agent().options());
    eventually("the agent back", () -> cluster.proxy().connectedAgents() == 1);
  }

  /** The agent's successful dials so far ({@code konnectivity_network_proxy_agent_dial_duration_seconds_count}). */
  private static long agentDials() {
    Matcher m = Pattern.compile("(?m)^konnectivity_network_proxy_agent_dial_duration_seconds_count (\\d+)")
        .matcher(agent.metrics().render());
    assertTrue(m.find());
    return Long.parseLong(m.group(1));
  }

  /** A copy of {@code hook} that calls the pod by URL (its IP and port) at {@code path}. */
  private static ObjectNode byUrl(ObjectNode hook, String path) {
    ObjectNode copy = hook.deepCopy();
    ((ObjectNode) copy.path("clientConfig")).remove("service");
    ((ObjectNode) copy.path("clientConfig")).put("url", "https://" + POD_IP + ":" + podPort + path);
    return copy;
  }

  /** A webhook on the pod by Service reference, for {@code operation} on {@code resource}; 10 s timeout. */
  private static ObjectNode hook(String name, String path, String failurePolicy, String operation, String group,
      String version, String resource) {
    ObjectNode h = ApiClient.JSON.createObjectNode();
    h.put("name", name);
    h.putObject("clientConfig").put("caBundle", caBundle).putObject("service").put("namespace", "webhooks")
        .put("name", "hooks").put("path", path);
    ObjectNode rule = h.putArray("rules").addObject();
    rule.putArray("operations").add(operation);
    rule.putArray("apiGroups").add(group);
    rule.putArray("apiVersions").add(version);
    rule.putArray("resources").add(resource);
    h.put("failurePolicy", failurePolicy);
    h.put("sideEffects", "None");
    h.putArray("admissionReviewVersions").add("v1");
    return h;
  }

  private static void register(boolean mutating, String name, ObjectNode hook) throws Exception {
    ObjectNode cfg = ApiClient.JSON.createObjectNode();
    cfg.put("apiVersion", "admissionregistration.k8s.io/v1");
    cfg.put("kind", mutating ? "MutatingWebhookConfiguration" : "ValidatingWebhookConfiguration");
    cfg.putObject("metadata").put("name", name);
    cfg.putArray("webhooks").add(hook);
    ApiClient.Response r = api.post(CONFIGS + (mutating ? "mutating" : "validating") + "webhookconfigurations", cfg);
    assertEquals(201, r.code(), r.body());
    String hookName = hook.path("name").asText();
    eventually("webhook " + hookName + " in force", () -> plugin.webhooks().contains(hookName));
  }

  private static ApiClient.Response createConfigMap(String name, String... labels) throws Exception {
    ObjectNode cm = ApiClient.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
    ObjectNode meta = cm.putObject("metadata").put("name", name);
    if (labels.length > 0) {
      ObjectNode l = meta.putObject("labels");
      for (int i = 0; i + 1 < labels.length; i += 2) {
        l.put(labels[i], labels[i + 1]);
      }
    }
    cm.putObject("data").put("k", "v");
    return api.post("/api/v1/namespaces/default/configmaps", cm);
  }

  private static String configMapYaml(String name) {
    return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  k: v\n";
  }

  private static Kubectl.Result kubectl(String version, String stdin, String... args) throws Exception {
    return kubectlNs(version, "default", stdin, args);
  }

  private static Kubectl.Result kubectlNs(String version, String ns, String stdin, String... args)
      throws Exception {
    return Kubectl.run(version, kubeconfig, dir.resolve("kubectl-home-" + version), ns, stdin, args);
  }

  static <T> T eventually(String what, java.util.concurrent.Callable<T> probe) throws Exception {
    return UpCommandTest.eventually(what, probe);
  }

  /** A real kubectl ({@code kubectl.<version>} beside the one on the PATH), with a 30 s timeout. */
  static final class Kubectl {
    record Result(int code, String out, String err) {}

    static Result run(String version, Path kubeconfig, Path home, String ns, String stdin, String... args)
        throws Exception {
      Process which = new ProcessBuilder("sh", "-c", "readlink -f \"$(command -v kubectl)\"").start();
      String real = new String(which.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      which.waitFor();
      Path binary = Path.of(real).resolveSibling("kubectl." + version);
      assertTrue(Files.isExecutable(binary), binary + " is required");
      Files.createDirectories(home);
      List<String> command = new ArrayList<>(List.of(binary.toString(), "--kubeconfig=" + kubeconfig,
          "--namespace=" + ns));
      command.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().put("HOME", home.toString());
      pb.environment().put("KUBECACHEDIR", home.resolve("cache").toString());
      Path out = Files.createTempFile(home, "out", ".txt");
      Path err = Files.createTempFile(home, "err", ".txt");
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      try (var in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 30 s");
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }
  }
}

package dev.hostplane.ops.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.apiserver.pki.Kubeconfig;
import dev.hostplane.apiserver.pki.Pem;
import dev.hostplane.apiserver.testing.TestApiServer;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox node against a real in-process apiserver, as the node identity {@code system:node:n1} (so the Node
 * authorizer and NodeRestriction apply): registration and Lease, pods as processes with truthful status, restarts,
 * graceful deletion, and the kubelet API (logs, exec, attach, port-forward) through its TLS port with a client
 * certificate.
 */
@Timeout(120)
class SandboxNodeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;

  static TestApiServer api;
  static SandboxNode node;
  static Path kubeletCa;
  static SslContext kubeletTls;
  static HttpClient kubeletHttp;
  static CertifiedKey kubeletClient;

  @BeforeAll
  static void start() throws Exception {
    api = TestApiServer.start(dir.resolve("apiserver"));
    CertificateAuthority clientCa = CertificateAuthority.generate("kubelet-client-ca", Duration.ofDays(1));
    kubeletCa = dir.resolve("kubelet-client-ca.crt");
    clientCa.write(kubeletCa, dir.resolve("kubelet-client-ca.key"));
    node = startNode("n1", dir.resolve("n1"));
    CertifiedKey apiserverClient = clientCa.issueClient("kube-apiserver-kubelet-client", List.of(),
        Duration.ofDays(1));
    kubeletClient = apiserverClient;
    List<X509Certificate> serving = Pem.readCertificates(dir.resolve("n1/pki/kubelet.crt"));
    kubeletTls = SslContextBuilder.forClient().keyManager(apiserverClient.privateKey(), apiserverClient.certificate())
        .trustManager(serving).build();
    kubeletHttp = HttpClient.newBuilder().sslContext(jdkContext(apiserverClient, serving))
        .version(HttpClient.Version.HTTP_1_1).build();
  }

  static SandboxNode startNode(String name, Path root) throws Exception {
    CertifiedKey identity = api.issueClient("system:node:" + name, "system:nodes");
    Path kubeconfig = dir.resolve(name + ".kubeconfig");
    Kubeconfig.write(kubeconfig, "hostplane", api.uri("").toString(), api.ca(), identity);
    return SandboxNode.start(new NodeOptions(kubeconfig, name, "127.0.0.1", 0, root, kubeletCa, null, null,
        Duration.ofSeconds(1), Duration.ofMillis(500)));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (api != null) {
      api.close();
    }
  }

  private static SSLContext jdkContext(CertifiedKey client, List<X509Certificate> trusted) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    for (int i = 0; i < trusted.size(); i++) {
      trust.setCertificateEntry("t" + i, trusted.get(i));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("c", client.privateKey(), new char[0], new Certificate[] {client.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  // ---- helpers ----

  static JsonNode get(String path) throws Exception {
    HttpResponse<String> r = api.get(path);
    return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
  }

  static <T> T eventually(String what, Callable<T> probe) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        T v = probe.call();
        if (v != null && !Boolean.FALSE.equals(v)) {
          return v;
        }
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("timed out waiting for " + what, last);
  }

  /**
   * Creates a pod bound to n1 with one container "c" running {@code sh -c script}; {@code extra} fields are merged
   * into the container (initContainers into the spec).
   */
  static String createPod(String restartPolicy, String script, ObjectNode... extra) throws Exception {
    String name = "p-" + UUID.randomUUID().toString().substring(0, 8);
    ObjectNode pod = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", name);
    ObjectNode spec = pod.putObject("spec").put("nodeName", "n1").put("restartPolicy", restartPolicy);
    ObjectNode c = spec.putArray("containers").addObject().put("name", "c").put("image", "busybox:1.36");
    if (script != null) {
      c.putArray("command").add("sh").add("-c").add(script);
    }
    for (ObjectNode e : extra) {
      // Pod-level fields go to the spec, the rest to the container.
      if (e.has("initContainers")) {
        spec.setAll(e);
      } else {
        c.setAll(e);
      }
    }
    HttpResponse<String> r = api.send("POST", "/api/v1/namespaces/default/pods", "application/json",
        JSON.writeValueAsString(pod));
    assertEquals(201, r.statusCode(), r.body());
    return name;
  }

  static JsonNode pod(String name) throws Exception {
    return get("/api/v1/namespaces/default/pods/" + name);
  }

  static JsonNode awaitPod(String name, String what, java.util.function.Predicate<JsonNode> p) throws Exception {
    return eventually(what, () -> {
      JsonNode pod = pod(name);
      return pod != null && p.test(pod) ? pod : null;
    });
  }

  static JsonNode containerStatus(JsonNode pod) {
    return pod.path("status").path("containerStatuses").path(0);
  }

  static HttpResponse<String> kubelet(String method, String path) throws Exception {
    return kubeletHttp.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.kubeletPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static void assertAccepted(HttpResponse<String> r) {
    assertTrue(r.statusCode() == 200 || r.statusCode() == 202, r.statusCode() + " " + r.body());
  }

  static boolean processesMatching(String marker) throws Exception {
    Process p = new ProcessBuilder("pgrep", "-f", marker).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor();
    return !out.isEmpty();
  }

  // ---- tests ----

  @Test
  void registersAReadyNodeWithItsKubeletEndpointAndRenewsItsLease() throws Exception {
    JsonNode n = eventually("node n1", () -> get("/api/v1/nodes/n1"));
    JsonNode status = n.path("status");
    assertEquals(node.kubeletPort(), status.path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt());
    assertEquals("v1.33.0-hostplane", status.path("nodeInfo").path("kubeletVersion").asText());
    assertTrue(status.path("capacity").has("cpu") && status.path("allocatable").has("pods"), status.toString());
    String addresses = status.path("addresses").toString();
    assertTrue(addresses.contains("{\"type\":\"InternalIP\",\"address\":\"127.0.0.1\"}"), addresses);
    assertTrue(addresses.contains("{\"type\":\"Hostname\",\"address\":\"n1\"}"), addresses);
    JsonNode ready = null;
    for (JsonNode c : status.path("conditions")) {
      if (c.path("type").asText().equals("Ready")) {
        ready = c;
      }
    }
    assertEquals("True", ready.path("status").asText());

    String lease = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1";
    String first = eventually("lease", () -> get(lease)).path("spec").path("renewTime").asText();
    String later = eventually("lease renewal", () -> {
      String t = get(lease).path("spec").path("renewTime").asText();
      return t.equals(first) ? null : t;
    });
    assertTrue(Instant.parse(later).isAfter(Instant.parse(first)));
    assertEquals("n1", get(lease).path("spec").path("holderIdentity").asText());
    assertEquals("ok", kubelet("GET", "/healthz").body());
  }

  @Test
  void aDeletedNodeRegistersAgain() throws Exception {
    Path root = dir.resolve("n4");
    CertifiedKey identity = api.issueClient("system:node:n4", "system:nodes");
    Path kubeconfig = dir.resolve("n4.kubeconfig");
    Kubeconfig.write(kubeconfig, "hostplane", api.uri("").toString(), api.ca(), identity);
    try (SandboxNode n4 = SandboxNode.start(new NodeOptions(kubeconfig, "n4", "127.0.0.1", 0, root, kubeletCa, null,
        null, Duration.ofMillis(300), Duration.ofMillis(500)))) {
      String uid = eventually("n4", () -> get("/api/v1/nodes/n4")).path("metadata").path("uid").asText();
      assertEquals(200, api.send("DELETE", "/api/v1/nodes/n4", null, null).statusCode());
      JsonNode again = eventually("n4 again", () -> {
        JsonNode n = get("/api/v1/nodes/n4");
        return n != null && !n.path("metadata").path("uid").asText().equals(uid)
            && n.path("status").has("daemonEndpoints") ? n : null;
      });
      assertEquals(n4.kubeletPort(), again.path("status").path("daemonEndpoints").path("kubeletEndpoint")
          .path("Port").asInt());
    }
  }

  @Test
  void kubeletApiRefusesClientsWithoutAVerifiedCertificate() throws Exception {
    HttpClient anonymous = HttpClient.newBuilder().sslContext(api.tlsContext(false)).build();
    try {
      HttpResponse<String> r = anonymous.send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + node.kubeletPort() + "/healthz")).build(),
          HttpResponse.BodyHandlers.ofString());
      throw new AssertionError("answered without a client certificate: " + r.statusCode());
    } catch (IOException expected) {
      // The handshake fails: the server requires a certificate from its client CA.
    }
  }

  @Test
  void aShellLoopRunsAndItsLogsAreServedWithAllOptions() throws Exception {
    String name = createPod("Always", "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done");
    JsonNode pod = awaitPod(name, "Running", p -> p.path("status").path("phase").asText().equals("Running"));
    JsonNode cs = containerStatus(pod);
    assertTrue(cs.path("state").has("running"), cs.toString());
    assertTrue(cs.path("ready").asBoolean());
    assertEquals("busybox:1.36", cs.path("image").asText());
    assertTrue(cs.path("containerID").asText().startsWith("hostplane://"));
    assertEquals("127.0.0.1", pod.path("status").path("podIP").asText());
    assertEquals("127.0.0.1", pod.path("status").path("hostIP").asText());
    assertTrue(pod.path("status").has("startTime"));
    String conditions = pod.path("status").path("conditions").toString();
    for (String type : List.of("PodScheduled", "Initialized", "ContainersReady", "Ready")) {
      assertTrue(conditions.contains("\"type\":\"" + type + "\",\"status\":\"True\""), conditions);
    }

    String logs = "/containerLogs/default/" + name + "/c";
    eventually("three lines", () -> kubelet("GET", logs).body().lines().count() >= 3);
    HttpResponse<String> all = kubelet("GET", logs);
    assertEquals(200, all.statusCode());
    assertTrue(all.body().startsWith("line 0\nline 1\n"), all.body());

    assertEquals(2, kubelet("GET", logs + "?tailLines=2").body().lines().count());
    assertEquals("line ", kubelet("GET", logs + "?limitBytes=5").body());
    String stamped = kubelet("GET", logs + "?timestamps=true").body().lines().findFirst().orElseThrow();
    String[] parts = stamped.split(" ", 2);
    assertTrue(Instant.parse(parts[0]).isBefore(Instant.now()), stamped);
    assertEquals("line 0", parts[1]);
    String future = Instant.now().plusSeconds(3600).toString();
    assertEquals("", kubelet("GET", logs + "?sinceTime=" + future).body());

    // follow: lines written after the request arrive on the open response.
    HttpResponse<InputStream> follow = kubeletHttp.send(HttpRequest.newBuilder(URI.create(
        "https://127.0.0.1:" + node.kubeletPort() + logs + "?follow=true&tailLines=1")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader in = new BufferedReader(new InputStreamReader(follow.body(), StandardCharsets.UTF_8))) {
      int firstSeen = Integer.parseInt(in.readLine().substring(5));
      int next = Integer.parseInt(in.readLine().substring(5));
      int after = Integer.parseInt(in.readLine().substring(5));
      assertEquals(firstSeen + 1, next);
      assertEquals(next + 1, after);
    }

    HttpResponse<String> previous = kubelet("GET", logs + "?previous=true");
    assertEquals(400, previous.statusCode());
    assertEquals("previous terminated container \"c\" in pod \"" + name + "\" not found", previous.body().trim());
    assertEquals(404, kubelet("GET", "/containerLogs/default/nope/c").statusCode());
    assertEquals(404, kubelet("GET", logs.replace("/c", "/other")).statusCode());
  }

  @Test
  void aFailingContainerIsRestartedWithBackoffAndKeepsItsPreviousLogs() throws Exception {
    String name = createPod("Always", "echo run at $(date +%s%N); exit 3");
    JsonNode pod = awaitPod(name, "a restart", p -> containerStatus(p).path("restartCount").asInt() >= 1);
    JsonNode last = containerStatus(pod).path("lastState").path("terminated");
    assertEquals(3, last.path("exitCode").asInt(), pod.toString());
    assertEquals("Error", last.path("reason").asText());
    assertTrue(last.has("startedAt") && last.has("finishedAt"));
    assertEquals("Running", pod.path("status").path("phase").asText());
    awaitPod(name, "CrashLoopBackOff", p -> containerStatus(p).path("state").path("waiting").path("reason")
        .asText().equals("CrashLoopBackOff"));
    String previous = kubelet("GET", "/containerLogs/default/" + name + "/c?previous=true").body();
    assertTrue(previous.startsWith("run at "), previous);
    java.util.Set<String> reasons = eventually("events", () -> {
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (JsonNode e : get("/api/v1/namespaces/default/events").path("items")) {
        if (e.path("involvedObject").path("name").asText().equals(name)) {
          assertEquals("kubelet", e.path("source").path("component").asText());
          assertEquals("n1", e.path("source").path("host").asText());
          seen.add(e.path("reason").asText());
        }
      }
      return seen.containsAll(List.of("Created", "Started", "BackOff")) ? seen : null;
    });
    assertTrue(reasons.contains("Started"));
  }

  @Test
  void readinessAndLivenessProbesDecideReadyAndRestarts() throws Exception {
    ObjectNode readiness = (ObjectNode) JSON.readTree("{\"readinessProbe\":{\"exec\":{\"command\":"
        + "[\"test\",\"-f\",\"ready.flag\"]},\"periodSeconds\":1}}");
    String name = createPod("Always", "while true; do sleep 0.2; done", readiness);
    JsonNode running = awaitPod(name, "Running", p -> p.path("status").path("phase").asText().equals("Running"));
    assertFalse(containerStatus(running).path("ready").asBoolean(), running.toString());
    assertTrue(running.path("status").path("conditions").toString()
        .contains("\"type\":\"Ready\",\"status\":\"False\""));
    assertEquals(200, kubelet("POST", "/run/default/" + name + "/c?cmd=touch+ready.flag").statusCode());
    awaitPod(name, "ready", p -> containerStatus(p).path("ready").asBoolean());

    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    ObjectNode liveness = (ObjectNode) JSON.readTree("{\"livenessProbe\":{\"tcpSocket\":{\"port\":" + closedPort
        + "},\"periodSeconds\":1,\"failureThreshold\":2}}");
    String dying = createPod("Always", "while true; do sleep 0.2; done", liveness);
    JsonNode restarted = awaitPod(dying, "a restart", p -> containerStatus(p).path("restartCount").asInt() >= 1);
    assertEquals(143, containerStatus(restarted).path("lastState").path("terminated").path("exitCode").asInt(),
        restarted.toString());
  }

  @Test
  void completedAndFailedPodsReportTheirPhaseAndExitCode() throws Exception {
    String ok = createPod("Never", "echo done");
    String bad = createPod("OnFailure", "exit 0");
    String failed = createPod("Never", "exit 7");
    JsonNode p1 = awaitPod(ok, "Succeeded", p -> p.path("status").path("phase").asText().equals("Succeeded"));
    JsonNode t1 = containerStatus(p1).path("state").path("terminated");
    assertEquals(0, t1.path("exitCode").asInt());
    assertEquals("Completed", t1.path("reason").asText());
    assertFalse(containerStatus(p1).path("ready").asBoolean());
    awaitPod(bad, "Succeeded", p -> p.path("status").path("phase").asText().equals("Succeeded"));
    JsonNode p3 = awaitPod(failed, "Failed", p -> p.path("status").path("phase").asText().equals("Failed"));
    assertEquals(7, containerStatus(p3).path("state").path("terminated").path("exitCode").asInt());
    assertEquals(0, containerStatus(p3).path("restartCount").asInt());
    assertEquals("done\n", kubelet("GET", "/containerLogs/default/" + ok + "/c").body());
  }

  @Test
  void initContainersRunInOrderBeforeTheContainers() throws Exception {
    ObjectNode inits = JSON.createObjectNode();
    ArrayNode list = inits.putArray("initContainers");
    list.addObject().put("name", "first").put("image", "x").putArray("command").add("sh").add("-c")
        .add("echo one > order.txt; echo first done");
    list.addObject().put("name", "second").put("image", "x").putArray("command").add("sh").add("-c")
        .add("sleep 0.5; echo two >> order.txt");
    String name = createPod("Always", "cat order.txt; while true; do sleep 1; done", inits);
    JsonNode pending = awaitPod(name, "initializing", p -> p.path("status").has("initContainerStatuses"));
    assertTrue(pending.path("status").path("phase").asText().matches("Pending|Running"), pending.toString());
    JsonNode pod = awaitPod(name, "Running", p -> p.path("status").path("phase").asText().equals("Running"));
    for (JsonNode init : pod.path("status").path("initContainerStatuses")) {
      assertEquals("Completed", init.path("state").path("terminated").path("reason").asText(), pod.toString());
      assertTrue(init.path("ready").asBoolean());
    }
    assertTrue(pod.path("status").path("conditions").toString()
        .contains("\"type\":\"Initialized\",\"status\":\"True\""));
    eventually("logs", () -> kubelet("GET", "/containerLogs/default/" + name + "/c").body().equals("one\ntwo\n"));
    assertEquals("first done\n", kubelet("GET", "/containerLogs/default/" + name + "/first").body());

    ObjectNode failing = JSON.createObjectNode();
    failing.putArray("initContainers").addObject().put("name", "fails").put("image", "x").putArray("command")
        .add("sh").add("-c").add("exit 5");
    String failed = createPod("Never", "echo never runs", failing);
    JsonNode f = awaitPod(failed, "Failed", p -> p.path("status").path("phase").asText().equals("Failed"));
    assertEquals(5, f.path("status").path("initContainerStatuses").path(0).path("state").path("terminated")
        .path("exitCode").asInt());
    assertEquals("PodInitializing", containerStatus(f).path("state").path("waiting").path("reason").asText());
  }

  @Test
  void aContainerWithoutCommandWaitsWithAClearReason() throws Exception {
    String name = createPod("Always", null);
    JsonNode pod = awaitPod(name, "waiting", p -> containerStatus(p).path("state").has("waiting")
        && containerStatus(p).path("state").path("waiting").path("reason").asText()
        .equals("CreateContainerConfigError"));
    assertEquals("Pending", pod.path("status").path("phase").asText());
    assertTrue(containerStatus(pod).path("state").path("waiting").path("message").asText()
        .contains("needs a command"), pod.toString());
    HttpResponse<String> logs = kubelet("GET", "/containerLogs/default/" + name + "/c");
    assertEquals(400, logs.statusCode());
    assertEquals("container \"c\" in pod \"" + name + "\" is waiting to start: CreateContainerConfigError",
        logs.body().trim());
    try (SpdyTestClient c = SpdyTestClient.connect(kubeletTls, "127.0.0.1", node.kubeletPort(),
        "/exec/default/" + name + "/c?command=true&output=1", "v4.channel.k8s.io")) {
      assertEquals(404, c.status);
      assertEquals("container not found (\"c\")", c.body.trim());
    }
  }

  @Test
  void deletionTerminatesGracefullyThenKillsAndRemovesThePod() throws Exception {
    String polite = "polite-" + UUID.randomUUID();
    String stubborn = "stubborn-" + UUID.randomUUID();
    String a = createPod("Always", "trap 'echo bye; exit 0' TERM; while true; do sleep 0.1; done # " + polite);
    String b = createPod("Always", "trap '' TERM; while true; do sleep 0.1; done # " + stubborn);
    for (String p : List.of(a, b)) {
      awaitPod(p, "Running", x -> x.path("status").path("phase").asText().equals("Running"));
    }
    assertTrue(processesMatching(polite));
    long start = System.nanoTime();
    assertAccepted(api.send("DELETE", "/api/v1/namespaces/default/pods/" + a, "application/json",
        "{\"gracePeriodSeconds\":30}"));
    eventually("pod " + a + " gone", () -> pod(a) == null);
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10, "TERM was not honoured quickly");
    assertFalse(processesMatching(polite));

    start = System.nanoTime();
    assertAccepted(api.send("DELETE", "/api/v1/namespaces/default/pods/" + b, "application/json",
        "{\"gracePeriodSeconds\":2}"));
    eventually("pod " + b + " gone", () -> pod(b) == null);
    long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
    assertTrue(took >= 1900, "killed before the grace period ended: " + took + " ms");
    assertFalse(processesMatching(stubborn));
  }

  @Test
  void execCarriesStdoutStderrAndTheExitCodeOverSpdyV4() throws Exception {
    String name = runningPod();
    try (SpdyTestClient c = SpdyTestClient.connect(kubeletTls, "127.0.0.1", node.kubeletPort(),
        "/exec/default/" + name + "/c?command=sh&command=-c&command=echo+out%3B+echo+err+%3E%262%3B+exit+2"
            + "&output=1&error=1", "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io",
        "channel.k8s.io")) {
      assertEquals(101, c.status, c.body);
      assertEquals("v4.channel.k8s.io", c.protocol);
      int error = c.open("streamtype", "error");
      int out = c.open("streamtype", "stdout");
      int err = c.open("streamtype", "stderr");
      // Go's SPDY framer cannot parse a SYN_REPLY without a header block: every reply carries one.
      assertTrue(c.replyHeaderCount(error) > 0);
      assertTrue(c.awaitFinished(error, 20));
      assertTrue(c.awaitClosed(10));
      assertEquals("out\n", c.text(out));
      assertEquals("err\n", c.text(err));
      JsonNode status = JSON.readTree(c.text(error));
      assertEquals("Failure", status.path("status").asText());
      assertEquals("NonZeroExitCode", status.path("reason").asText());
      assertEquals("command terminated with non-zero exit code: exit status 2", status.path("message").asText());
      assertEquals("2", status.path("details").path("causes").path(0).path("message").asText());
    }
  }

  @Test
  void execPipesStdinUntilEofAndReportsSuccess() throws Exception {
    String name = runningPod();
    try (SpdyTestClient c = SpdyTestClient.connect(kubeletTls, "127.0.0.1", node.kubeletPort(),
        "/exec/default/" + name + "/c?command=cat&input=1&output=1&error=1", "v4.channel.k8s.io")) {
      int error = c.open("streamtype", "error");
      int in = c.open("streamtype", "stdin");
      int out = c.open("streamtype", "stdout");
      c.open("streamtype", "stderr");
      c.send(in, "hello ");
      c.send(in, "world");
      assertTrue(c.awaitBytes(out, 11, 10));
      c.finish(in);
      assertTrue(c.awaitFinished(error, 20));
      assertEquals("hello world", c.text(out));
      assertEquals("{\"metadata\":{},\"status\":\"Success\"}", c.text(error));
    }
  }

  @Test
  void execWithTtyRunsUnderAPseudoTerminalThatCanBeResized() throws Exception {
    String name = runningPod();
    try (SpdyTestClient c = SpdyTestClient.connect(kubeletTls, "127.0.0.1", node.kubeletPort(),
        "/exec/default/" + name + "/c?command=sh&command=-c&command=sleep+1%3B+tty%3B+stty+size"
            + "&input=1&output=1&tty=1", "v4.channel.k8s.io")) {
      int error = c.open("streamtype", "error");
      c.open("streamtype", "stdin");
      int out = c.open("streamtype", "stdout");
      int resize = c.open("streamtype", "resize");
      c.send(resize, "{\"Width\":100,\"Height\":40}");
      assertTrue(c.awaitFinished(error, 20));
      String text = c.text(out);
      assertTrue(text.contains("/dev/pts/"), text);
      assertTrue(text.contains("40 100"), text + " / " + c.text(error));
      assertEquals("{\"metadata\":{},\"status\":\"Success\"}", c.text(error));
    }
  }

  @Test
  void olderProtocolsAreNegotiatedAndUnknownOnesRefused() throws Exception {
    String name = runningPod();
    try (SpdyTestClient c = SpdyTestClient.connect(kubeletTls, "127.0.0.1", node.kubeletPort(),
        "/exec/default/" + name + "/c?command=sh&command=-c&command=exit+4&output=1", "v5.channel.k8s.io",
        "v2.channel.k8s.io")) {
      assertEquals("v2.channel.k8s.io", c.protocol);
      int error = c.open("streamtype", "error");
      c.open("streamtype", "stdout");
      assertTrue(c.awaitFinished(error, 20));
      assertEquals("command terminated with non-zero exit code: exit status 4", c.text(error));
    }
    try (SpdyTestClient c = SpdyTestClient.connect(kubeletTls, "127.0.0.1", node.kubeletPort(),
        "/exec/default/" + name + "/c?command=true&output=1", "v9.channel.k8s.io")) {
      assertEquals(403, c.status);
      assertTrue(c.body.contains("unable to negotiate protocol"), c.body);
    }
  }

  @Test
  void attachJoinsTheContainersStdinAndStdout() throws Exception {
    ObjectNode stdin = JSON.createObjectNode().put("stdin", true);
    String name = createPod("Always", "while read l; do echo got $l; done", stdin);
    awaitPod(name, "Running", p -> p.path("status").path("phase").asText().equals("Running"));
    try (SpdyTestClient c = SpdyTestClient.connect(kubeletTls, "127.0.0.1", node.kubeletPort(),
        "/attach/default/" + name + "/c?input=1&output=1&error=1", "v4.channel.k8s.io")) {
      c.open("streamtype", "error");
      int in = c.open("streamtype", "stdin");
      int out = c.open("streamtype", "stdout");
      c.open("streamtype", "stderr");
      c.send(in, "ping\n");
      assertTrue(c.awaitBytes(out, 9, 10), c.text(out));
      assertEquals("got ping\n", c.text(out));
    }
  }

  @Test
  void attachToATtyContainerSharesItsTerminalAndResizesIt() throws Exception {
    ObjectNode tty = JSON.createObjectNode().put("stdin", true).put("tty", true);
    String name = createPod("Always", "while read l; do echo got $l; stty size; done", tty);
    awaitPod(name, "Running", p -> p.path("status").path("phase").asText().equals("Running"));
    try (SpdyTestClient c = SpdyTestClient.connect(kubeletTls, "127.0.0.1", node.kubeletPort(),
        "/attach/default/" + name + "/c?input=1&output=1&tty=1", "v4.channel.k8s.io")) {
      c.open("streamtype", "error");
      int in = c.open("streamtype", "stdin");
      int out = c.open("streamtype", "stdout");
      int resize = c.open("streamtype", "resize");
      c.send(resize, "{\"Width\":90,\"Height\":20}");
      eventually("the resize", () -> {
        c.send(in, "x\n");
        Thread.sleep(200);
        return c.text(out).contains("20 90") ? true : null;
      });
      assertTrue(c.text(out).contains("got x"), c.text(out));
    }
  }

  @Test
  void idleSpdySessionsArePinged() throws Exception {
    Path root = dir.resolve("n3");
    CertifiedKey identity = api.issueClient("system:node:n3", "system:nodes");
    Path kubeconfig = dir.resolve("n3.kubeconfig");
    Kubeconfig.write(kubeconfig, "hostplane", api.uri("").toString(), api.ca(), identity);
    try (SandboxNode n3 = SandboxNode.start(new NodeOptions(kubeconfig, "n3", "127.0.0.1", 0, root, kubeletCa, null,
        null, Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofMillis(300)))) {
      ObjectNode pod = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
      pod.putObject("metadata").put("name", "idle");
      pod.putObject("spec").put("nodeName", "n3").putArray("containers").addObject().put("name", "c")
          .put("image", "x").putArray("command").add("sleep").add("300");
      assertEquals(201, api.send("POST", "/api/v1/namespaces/default/pods", "application/json",
          JSON.writeValueAsString(pod)).statusCode());
      awaitPod("idle", "Running", p -> p.path("status").path("phase").asText().equals("Running"));
      SslContext tls = SslContextBuilder.forClient().keyManager(kubeletClient.privateKey(),
          kubeletClient.certificate()).trustManager(Pem.readCertificates(root.resolve("pki/kubelet.crt"))).build();
      try (SpdyTestClient c = SpdyTestClient.connect(tls, "127.0.0.1", n3.kubeletPort(),
          "/portForward/default/idle", "portforward.k8s.io")) {
        Integer first = c.nextPing(5);
        Integer second = c.nextPing(5);
        assertTrue(first != null && first % 2 == 0, "server pings use even ids: " + first);
        assertEquals(first + 2, second);
      }
    }
  }

  @Test
  void spdyPingsAreAnswered() throws Exception {
    String name = runningPod();
    try (SpdyTestClient c = SpdyTestClient.connect(kubeletTls, "127.0.0.1", node.kubeletPort(),
        "/portForward/default/" + name, "portforward.k8s.io")) {
      assertEquals("portforward.k8s.io", c.protocol);
      c.ping(7);
      assertEquals(7, c.nextPing(10));
    }
  }

  @Test
  void portForwardCarriesHttpToAServerStartedByThePod() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String name = createPod("Always", "echo hello-from-pod > index.html; exec python3 -m http.server " + port
        + " --bind 127.0.0.1");
    awaitPod(name, "Running", p -> p.path("status").path("phase").asText().equals("Running"));
    int p = port;
    eventually("the pod's server", () -> {
      try (Socket s = new Socket("127.0.0.1", p)) {
        return s.isConnected();
      }
    });
    try (SpdyTestClient c = SpdyTestClient.connect(kubeletTls, "127.0.0.1", node.kubeletPort(),
        "/portForward/default/" + name, "portforward.k8s.io")) {
      for (int request = 0; request < 2; request++) {
        String id = String.valueOf(request);
        int error = c.open("streamtype", "error", "port", String.valueOf(port), "requestid", id);
        int data = c.open("streamtype", "data", "port", String.valueOf(port), "requestid", id);
        c.send(data, "GET /index.html HTTP/1.0\r\nHost: pod\r\n\r\n");
        assertTrue(c.awaitFinished(data, 20));
        String response = c.text(data);
        assertTrue(response.startsWith("HTTP/1.0 200"), response);
        assertTrue(response.endsWith("hello-from-pod\n"), response);
        assertEquals("", c.text(error));
      }
      int closedPort;
      try (ServerSocket s = new ServerSocket(0)) {
        closedPort = s.getLocalPort();
      }
      int error = c.open("streamtype", "error", "port", String.valueOf(closedPort), "requestid", "9");
      int data = c.open("streamtype", "data", "port", String.valueOf(closedPort), "requestid", "9");
      assertTrue(c.awaitFinished(error, 20));
      assertTrue(c.text(error).contains("connection refused"), c.text(error));
      assertNotEquals(-1, data);
    }
  }

  @Test
  void runExecutesACommandAndReturnsItsOutput() throws Exception {
    String name = runningPod();
    HttpResponse<String> r = kubelet("POST", "/run/default/" + name + "/c?cmd=echo+hi+there");
    assertEquals(200, r.statusCode());
    assertEquals("hi there\n", r.body());
  }

  @Test
  void stoppingTheNodeLeavesNoProcessBehind() throws Exception {
    String marker = "left-behind-" + UUID.randomUUID();
    SandboxNode n2 = startNode("n2", dir.resolve("n2"));
    try {
      ObjectNode pod = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
      pod.putObject("metadata").put("name", "orphans");
      ObjectNode spec = pod.putObject("spec").put("nodeName", "n2");
      ArrayNode cmd = spec.putArray("containers").addObject().put("name", "c").put("image", "x")
          .putArray("command");
      cmd.add("sh").add("-c").add("(sleep 300 # " + marker + "\n) & trap '' TERM; sleep 300 # " + marker);
      assertEquals(201, api.send("POST", "/api/v1/namespaces/default/pods", "application/json",
          JSON.writeValueAsString(pod)).statusCode());
      awaitPod("orphans", "Running", p -> p.path("status").path("phase").asText().equals("Running"));
      eventually("processes", () -> processesMatching(marker));
    } finally {
      n2.close();
    }
    assertFalse(processesMatching(marker));
  }

  private static String runningPodName;

  private static synchronized String runningPod() throws Exception {
    if (runningPodName == null) {
      runningPodName = createPod("Always", "while true; do sleep 1; done");
      awaitPod(runningPodName, "Running", p -> p.path("status").path("phase").asText().equals("Running"));
    }
    return runningPodName;
  }
}

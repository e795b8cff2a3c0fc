package dev.hostplane.ops.node.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One pod bound to this node, run as local processes. A worker thread of its own reconciles: it starts containers,
 * restarts them per {@code restartPolicy} with a crash-loop back-off, reports the status through {@code pods/status}
 * when it changes, and on deletion terminates the processes (TERM, the grace period, KILL) and deletes the pod.
 * The pod object is replaced by the watch thread ({@link #update}); everything else happens on the worker.
 * {@link PodStatus} composes what is reported.
 */
public final class PodRuntime {
  private static final long MAX_BACKOFF_MS = 300_000;
  private static final Pattern VAR_REF = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

  /** One container of the pod across its restarts. Fields are written by the worker, read by the kubelet API. */
  public static final class Container {
    final JsonNode spec;
    final String name;
    volatile ContainerInstance current;
    volatile ContainerInstance previous;
    volatile int restartCount;
    volatile String configError;
    volatile String startError;
    /** Readiness as the last probes decided (true without a readinessProbe); written by the worker. */
    volatile boolean ready = true;
    Prober readiness;
    Prober liveness;
    /** When a container stopped for failing its liveness probe gets KILL if it is still running. */
    Instant killAt;
    Instant nextStart = Instant.EPOCH;
    boolean exitHandled;
    boolean done;

    Container(JsonNode spec) {
      this.spec = spec;
      this.name = spec.path("name").asText();
    }

    public String name() {
      return name;
    }

    public ContainerInstance current() {
      return current;
    }

    public ContainerInstance previous() {
      return previous;
    }

    public boolean tty() {
      return spec.path("tty").asBoolean(false);
    }

    /** Why a container that never started waits. */
    public String waitingReason() {
      return configError != null ? "CreateContainerConfigError"
          : startError != null ? "RunContainerError" : "ContainerCreating";
    }

    public boolean stdin() {
      return spec.path("stdin").asBoolean(false);
    }
  }

  private final ApiClient api;
  private final EventRecorder events;
  private final String nodeIp;
  private final Path dir;
  private final Duration backoff;
  private final Runnable onGone;
  private final String namespace;
  private final String name;
  private final String uid;
  private final Map<String, Container> containers = new LinkedHashMap<>();
  private final List<Container> initContainers = new ArrayList<>();
  private final Instant startTime = Instant.now();
  private volatile JsonNode pod;
  private volatile boolean removed;
  private volatile boolean stopping;
  private String lastReported = "";
  private final Thread worker;
  private final PodStatus statusBuilder = new PodStatus(this);

  public PodRuntime(ApiClient api, EventRecorder events, String nodeIp, Path rootDir, Duration backoff, JsonNode pod,
      Runnable onGone) {
    this.api = api;
    this.events = events;
    this.nodeIp = nodeIp;
    this.backoff = backoff;
    this.onGone = onGone;
    this.pod = pod;
    this.namespace = pod.path("metadata").path("namespace").asText();
    this.name = pod.path("metadata").path("name").asText();
    this.uid = pod.path("metadata").path("uid").asText();
    this.dir = rootDir.resolve("pods").resolve(namespace + "_" + name + "_" + uid);
    for (JsonNode c : pod.path("spec").path("initContainers")) {
      Container init = new Container(c);
      if (c.path("restartPolicy").asText("").equals("Always")) {
        init.configError = "init container \"" + init.name + "\" has restartPolicy Always (a sidecar), which the "
            + "sandbox node does not run";
      }
      initContainers.add(init);
    }
    for (JsonNode c : pod.path("spec").path("containers")) {
      containers.put(c.path("name").asText(), new Container(c));
    }
    this.worker = new Thread(this::run, "pod-" + namespace + "-" + name);
    this.worker.setDaemon(true);
  }

  public void start() {
    worker.start();
  }

  public String uid() {
    return uid;
  }

  public String namespace() {
    return namespace;
  }

  public String name() {
    return name;
  }

  public JsonNode pod() {
    return pod;
  }

  String nodeIp() {
    return nodeIp;
  }

  Instant startTime() {
    return startTime;
  }

  Iterable<Container> containers() {
    return containers.values();
  }

  int containerCount() {
    return containers.size();
  }

  List<Container> initContainers() {
    return initContainers;
  }

  /** The container of that name (regular first, then init), or null. */
  public Container container(String name) {
    Container c = containers.get(name);
    if (c == null) {
      for (Container init : initContainers) {
        if (init.name.equals(name)) {
          return init;
        }
      }
    }
    return c;
  }

  /** The pod's working directory: a container's default working directory. */
  public Path workDir() {
    return dir.resolve("work");
  }

  /** A newer version of the pod from the watch. */
  public void update(JsonNode newer) {
    pod = newer;
    wake();
  }

  /** The pod is gone from the apiserver: kill its processes at once and forget it. */
  public void removed() {
    removed = true;
    wake();
  }

  /** The node stops: the worker kills every process of the pod and ends. */
  public void stop() {
    stopping = true;
    wake();
  }

  /** Waits up to {@code millis} for the worker to end (after {@link #stop} or the pod's deletion). */
  public void awaitStopped(long millis) throws InterruptedException {
    worker.join(millis);
  }

  private synchronized void wake() {
    notifyAll();
  }

  private void run() {
    try {
      Files.createDirectories(workDir());
      while (true) {
        if (stopping || removed) {
          killAll();
          if (removed) {
            deleteDir();
          }
          return;
        }
        JsonNode p = pod;
        if (p.path("metadata").has("deletionTimestamp")) {
          terminate(p.path("metadata").path("deletionGracePeriodSeconds").asLong(30));
          report();
          deletePod();
          deleteDir();
          return;
        }
        reconcile();
        report();
        synchronized (this) {
          wait(500);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      killAll();
    } catch (IOException | RuntimeException e) {
      System.err.println("pod " + namespace + "/" + name + ": " + e);
      killAll();
    } finally {
      onGone.run();
    }
  }

  private void reconcile() {
    String policy = pod.path("spec").path("restartPolicy").asText("Always");
    Instant now = Instant.now();
    // Init containers one at a time, in order; regular containers once all of them succeeded.
    for (Container init : initContainers) {
      if (init.done && init.current != null && init.current.exitCode() == 0) {
        continue;
      }
      if (!init.done && init.configError == null) {
        step(init, now, false, !policy.equals("Never"));
      }
      return;
    }
    for (Container c : containers.values()) {
      if (!c.done && c.configError == null) {
        step(c, now, policy.equals("Always"), policy.equals("Always") || policy.equals("OnFailure"));
        probe(c, now);
      }
    }
  }

  /** Runs the running container's probes when due: readiness sets {@code ready}; a failed liveness kills it. */
  private void probe(Container c, Instant now) {
    ContainerInstance cur = c.current;
    if (cur == null || cur.finished()) {
      return;
    }
    if (c.killAt != null) {
      if (!now.isBefore(c.killAt)) {
        cur.kill();
      }
      return;
    }
    Map<String, String> env = environment(c);
    if (c.readiness != null) {
      boolean ready = c.readiness.check(now, env, workDir());
      if (ready != c.ready && !ready) {
        event(c, true, "Unhealthy", "Readiness probe failed");
      }
      c.ready = ready;
    }
    if (c.liveness != null && !c.liveness.check(now, env, workDir())) {
      event(c, true, "Unhealthy", "Liveness probe failed");
      event(c, false, "Killing", "Container " + c.name + " failed liveness probe, will be restarted");
      c.liveness = null;
      c.killAt = now.plusSeconds(pod.path("spec").path("terminationGracePeriodSeconds").asLong(30));
      cur.terminate();
    }
  }

  /** Advances one container: notes an exit (restart with back-off, or done), starts it when due. */
  private void step(Container c, Instant now, boolean restartOnSuccess, boolean restartOnFailure) {
    ContainerInstance cur = c.current;
    if (cur != null && cur.finished() && !c.exitHandled) {
      c.exitHandled = true;
      boolean failed = cur.exitCode() != 0;
      if (failed ? !restartOnFailure : !restartOnSuccess) {
        c.done = true;
        return;
      }
      long delay = Math.min(backoff.toMillis() << Math.min(c.restartCount, 20), MAX_BACKOFF_MS);
      c.nextStart = now.plusMillis(delay);
      if (failed) {
        event(c, true, "BackOff", "Back-off restarting failed container " + c.name + " in pod " + name + "_"
            + namespace + "(" + uid + ")");
      }
    }
    if ((cur == null || (cur.finished() && c.exitHandled)) && !now.isBefore(c.nextStart)) {
      startContainer(c);
    }
  }

  private void startContainer(Container c) {
    List<String> command = new ArrayList<>();
    c.spec.path("command").forEach(n -> command.add(n.asText()));
    if (command.isEmpty()) {
      c.configError = "the sandbox node runs containers as local processes and needs a command: container \""
          + c.name + "\" has none (image " + c.spec.path("image").asText() + " is not run)";
      event(c, true, "Failed", "Error: " + c.configError);
      return;
    }
    Map<String, String> env;
    try {
      env = environment(c);
    } catch (IllegalArgumentException e) {
      c.configError = e.getMessage();
      event(c, true, "Failed", "Error: " + c.configError);
      return;
    }
    c.spec.path("args").forEach(n -> command.add(n.asText()));
    List<String> expanded = command.stream().map(s -> expand(s, env)).toList();
    if (c.tty()) {
      // tty: true runs the process under a pseudo-terminal; attach resizes it.
      env.put("TERM", "xterm");
      expanded = ProcessGroups.underTerminal(expanded);
    }
    Path work = workDir();
    String wd = c.spec.path("workingDir").asText("");
    try {
      if (!wd.isEmpty()) {
        work = Path.of(wd);
        Files.createDirectories(work);
      }
      int n = c.current == null ? 0 : c.restartCount + 1;
      ContainerInstance inst = ContainerInstance.start(uid + "-" + c.name + "-" + n, expanded, env, work,
          dir.resolve("logs").resolve(c.name).resolve(n + ".log"), c.stdin());
      if (c.current != null) {
        c.previous = c.current;
        c.restartCount = n;
        // Only the current and the previous instance's logs are kept.
        Files.deleteIfExists(dir.resolve("logs").resolve(c.name).resolve((n - 2) + ".log"));
      }
      c.current = inst;
      c.exitHandled = false;
      JsonNode readinessProbe = c.spec.path("readinessProbe");
      JsonNode livenessProbe = c.spec.path("livenessProbe");
      c.readiness = readinessProbe.isObject()
          ? new Prober(readinessProbe, c.spec, nodeIp, inst.startedAt(), false) : null;
      c.liveness = livenessProbe.isObject()
          ? new Prober(livenessProbe, c.spec, nodeIp, inst.startedAt(), true) : null;
      c.ready = c.readiness == null;
      c.killAt = null;
      event(c, false, "Created", "Created container " + c.name);
      event(c, false, "Started", "Started container " + c.name);
    } catch (IOException e) {
      c.done = true;
      c.startError = "failed to start container \"" + c.name + "\": " + e.getMessage();
      event(c, true, "Failed", "Error: " + c.startError);
    }
  }

  private void event(Container c, boolean warning, String reason, String message) {
    events.record(namespace, name, uid, c.name, warning, reason, message);
  }

  /** The container's environment: a base PATH and HOSTNAME, then {@code env} with $(VAR) references expanded. */
  public Map<String, String> environment(Container c) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
    env.put("HOME", workDir().toString());
    env.put("HOSTNAME", name);
    for (JsonNode e : c.spec.path("env")) {
      String key = e.path("name").asText();
      if (e.has("value")) {
        env.put(key, expand(e.path("value").asText(), env));
      } else if (e.has("valueFrom")) {
        env.put(key, valueFrom(key, e.path("valueFrom")));
      } else {
        env.put(key, "");
      }
    }
    return env;
  }

  private String valueFrom(String key, JsonNode from) {
    String field = from.path("fieldRef").path("fieldPath").asText("");
    return switch (field) {
      case "metadata.name" -> name;
      case "metadata.namespace" -> namespace;
      case "metadata.uid" -> uid;
      case "spec.nodeName" -> pod.path("spec").path("nodeName").asText();
      case "spec.serviceAccountName" -> pod.path("spec").path("serviceAccountName").asText();
      case "status.podIP", "status.hostIP" -> nodeIp;
      default -> throw new IllegalArgumentException("environment variable \"" + key + "\": the sandbox node "
          + "supports values and fieldRef (metadata.name, metadata.namespace, metadata.uid, spec.nodeName, "
          + "spec.serviceAccountName, status.podIP, status.hostIP) only");
    };
  }

  static String expand(String s, Map<String, String> env) {
    Matcher m = VAR_REF.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String rep;
      if (m.group().equals("$$")) {
        rep = "$";
      } else {
        rep = env.getOrDefault(m.group(1), m.group());
      }
      m.appendReplacement(out, Matcher.quoteReplacement(rep));
    }
    m.appendTail(out);
    return out.toString();
  }

  private void terminate(long graceSeconds) throws InterruptedException {
    List<ContainerInstance> running = running();
    for (Container c : containers.values()) {
      if (c.current != null && !c.current.finished()) {
        event(c, false, "Killing", "Stopping container " + c.name);
      }
    }
    running.forEach(ContainerInstance::terminate);
    long deadline = System.currentTimeMillis() + Math.max(0, graceSeconds) * 1000;
    for (ContainerInstance i : running) {
      i.awaitFinished(Math.max(0, deadline - System.currentTimeMillis()));
    }
    running.forEach(ContainerInstance::kill);
    for (ContainerInstance i : running) {
      i.awaitFinished(5000);
    }
    for (Container c : containers.values()) {
      c.done = true;
    }
    for (Container c : initContainers) {
      c.done = true;
    }
  }

  private void killAll() {
    List<ContainerInstance> running = running();
    running.forEach(ContainerInstance::kill);
    for (ContainerInstance i : running) {
      try {
        i.awaitFinished(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private List<ContainerInstance> running() {
    List<ContainerInstance> r = new ArrayList<>();
    for (Container c : initContainers) {
      ContainerInstance i = c.current;
      if (i != null) {
        r.add(i);
      }
    }
    for (Container c : containers.values()) {
      ContainerInstance i = c.current;
      if (i != null) {
        r.add(i);
      }
    }
    return r;
  }

  private void deletePod() throws IOException, InterruptedException {
    ObjectNode options = ApiClient.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "DeleteOptions")
        .put("gracePeriodSeconds", 0);
    options.putObject("preconditions").put("uid", uid);
    ApiClient.Response r = api.delete(podPath(), options);
    if (!r.ok() && r.code() != 404 && r.code() != 409) {
      System.err.println("pod " + namespace + "/" + name + ": delete failed: " + r.code() + " " + r.body());
    }
  }

  private void deleteDir() {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Already gone, or not ours to remove.
    }
  }

  private String podPath() {
    return "/api/v1/namespaces/" + namespace + "/pods/" + name;
  }

  private void report() throws IOException, InterruptedException {
    ObjectNode status = statusBuilder.build();
    String s = ApiClient.JSON.writeValueAsString(status);
    if (s.equals(lastReported)) {
      return;
    }
    ObjectNode patch = ApiClient.JSON.createObjectNode();
    patch.set("status", status);
    patch.putObject("metadata").put("uid", uid);
    ApiClient.Response r = api.mergePatch(podPath() + "/status", patch);
    if (r.ok()) {
      lastReported = s;
    } else if (r.code() != 404 && r.code() != 409) {
      System.err.println("pod " + namespace + "/" + name + ": status update failed: " + r.code() + " " + r.body());
    }
  }

  /** True once every init container succeeded (at once without any). */
  boolean initialized() {
    for (Container c : initContainers) {
      if (!c.done || c.current == null || !c.current.finished() || c.current.exitCode() != 0) {
        return false;
      }
    }
    return true;
  }}

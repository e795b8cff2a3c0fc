package dev.hostplane.ops.node.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A pod's status as its node reports it through {@code pods/status}: phase, conditions (with stable transition
 * times), and the state of every init and regular container. Used by the pod's worker thread only.
 */
final class PodStatus {
  private final PodRuntime runtime;

  PodStatus(PodRuntime runtime) {
    this.runtime = runtime;
  }

  /** How a container counts towards the pod's phase. */
  private enum Standing { PENDING, RUNNING, SUCCEEDED, FAILED }

  /** The pod's status as the node sees it now. */
  ObjectNode build() {
    JsonNode pod = runtime.pod();
    String nodeIp = runtime.nodeIp();
    Instant startTime = runtime.startTime();
    List<PodRuntime.Container> initContainers = runtime.initContainers();
    String policy = pod.path("spec").path("restartPolicy").asText("Always");
    ObjectNode status = ApiClient.JSON.createObjectNode();
    boolean initialized = true;
    boolean initFailed = false;
    List<String> incomplete = new ArrayList<>();
    ArrayNode initStatuses = ApiClient.JSON.createArrayNode();
    for (PodRuntime.Container c : initContainers) {
      Standing s = containerStatus(initStatuses.addObject(), c, true);
      if (s != Standing.SUCCEEDED) {
        initialized = false;
        incomplete.add(c.name);
      }
      if (s == Standing.FAILED) {
        initFailed = true;
      }
    }
    ArrayNode statuses = ApiClient.JSON.createArrayNode();
    int pending = 0;
    int running = 0;
    int failed = 0;
    int ready = 0;
    for (PodRuntime.Container c : runtime.containers()) {
      ObjectNode cs = statuses.addObject();
      switch (containerStatus(cs, c, false)) {
        case PENDING -> pending++;
        case RUNNING -> running++;
        case FAILED -> failed++;
        case SUCCEEDED -> { }
      }
      if (cs.path("ready").asBoolean()) {
        ready++;
      }
    }
    String phase;
    if (initFailed) {
      phase = "Failed";
    } else if (!initialized || pending > 0) {
      phase = "Pending";
    } else if (running > 0) {
      phase = "Running";
    } else if (failed > 0 && !policy.equals("Always")) {
      phase = "Failed";
    } else {
      phase = "Succeeded";
    }
    boolean allReady = ready == runtime.containerCount() && phase.equals("Running");
    String now = NodeStatusReporter.time(Instant.now());
    ArrayNode conditions = status.putArray("conditions");
    String scheduledAt = NodeStatusReporter.time(startTime);
    for (JsonNode cond : pod.path("status").path("conditions")) {
      if (cond.path("type").asText().equals("PodScheduled")) {
        scheduledAt = cond.path("lastTransitionTime").asText(scheduledAt);
      }
    }
    String start = NodeStatusReporter.time(startTime);
    ObjectNode init = conditions.addObject().put("type", "Initialized").put("status", initialized ? "True" : "False")
        .put("lastTransitionTime", initializedSince(initialized, now));
    if (!initialized) {
      init.put("reason", "ContainersNotInitialized")
          .put("message", "containers with incomplete status: [" + String.join(" ", incomplete) + "]");
    }
    conditions.addObject().put("type", "Ready").put("status", allReady ? "True" : "False")
        .put("lastTransitionTime", readySince(allReady, now));
    conditions.addObject().put("type", "ContainersReady").put("status", allReady ? "True" : "False")
        .put("lastTransitionTime", readySince(allReady, now));
    conditions.addObject().put("type", "PodScheduled").put("status", "True").put("lastTransitionTime", scheduledAt);
    if (!allReady) {
      for (int i = 1; i <= 2; i++) {
        ((ObjectNode) conditions.get(i)).put("reason", phase.equals("Succeeded") || phase.equals("Failed")
            ? "PodCompleted" : "ContainersNotReady");
      }
    }
    status.put("phase", phase).put("hostIP", nodeIp).put("podIP", nodeIp).put("startTime", start);
    status.putArray("hostIPs").addObject().put("ip", nodeIp);
    status.putArray("podIPs").addObject().put("ip", nodeIp);
    if (!initContainers.isEmpty()) {
      status.set("initContainerStatuses", initStatuses);
    }
    status.set("containerStatuses", statuses);
    return status;
  }

  /** Fills one containerStatuses entry; returns how the container counts towards the phase. */
  private Standing containerStatus(ObjectNode cs, PodRuntime.Container c, boolean init) {
    cs.put("name", c.name);
    ObjectNode state = cs.putObject("state");
    ContainerInstance cur = c.current;
    boolean isReady = false;
    Standing standing;
    if (c.configError != null || c.startError != null) {
      state.putObject("waiting").put("reason", c.waitingReason())
          .put("message", c.configError != null ? c.configError : c.startError);
      standing = init && c.startError != null ? Standing.FAILED : Standing.PENDING;
    } else if (cur == null) {
      state.putObject("waiting").put("reason", runtime.initialized() ? "ContainerCreating" : "PodInitializing");
      standing = Standing.PENDING;
    } else if (!cur.finished()) {
      state.putObject("running").put("startedAt", NodeStatusReporter.time(cur.startedAt()));
      standing = init ? Standing.PENDING : Standing.RUNNING;
      isReady = !init && c.ready;
    } else if (c.done || !c.exitHandled) {
      terminated(state, cur);
      boolean ok = cur.exitCode() == 0;
      standing = !c.done ? (init ? Standing.PENDING : Standing.RUNNING) : ok ? Standing.SUCCEEDED : Standing.FAILED;
      isReady = init && c.done && ok;
    } else {
      state.putObject("waiting").put("reason", "CrashLoopBackOff").put("message", "back-off "
          + Math.max(1, Duration.between(cur.finishedAt(), c.nextStart).toSeconds())
          + "s restarting failed container=" + c.name + " pod=" + runtime.name() + "_" + runtime.namespace() + "(" + runtime.uid() + ")");
      standing = init ? Standing.PENDING : Standing.RUNNING;
    }
    ContainerInstance last = cur != null && cur.finished() && !c.done && c.exitHandled ? cur : c.previous;
    ObjectNode lastState = cs.putObject("lastState");
    if (last != null && last.finished()) {
      terminated(lastState, last);
    }
    cs.put("ready", isReady).put("restartCount", c.restartCount).put("image", c.spec.path("image").asText())
        .put("imageID", "").put("started", cur != null && !cur.finished());
    if (cur != null) {
      cs.put("containerID", "hostplane://" + cur.id());
    }
    return standing;
  }



  private String initializedTransition;
  private boolean initializedValue;

  private String initializedSince(boolean initialized, String now) {
    if (initializedTransition == null || initializedValue != initialized) {
      initializedTransition = now;
      initializedValue = initialized;
    }
    return initializedTransition;
  }

  private String readyTransition = null;
  private boolean readyValue;

  private String readySince(boolean ready, String now) {
    if (readyTransition == null || readyValue != ready) {
      readyTransition = now;
      readyValue = ready;
    }
    return readyTransition;
  }

  private static void terminated(ObjectNode state, ContainerInstance i) {
    int code = i.exitCode();
    state.putObject("terminated").put("exitCode", code).put("reason", code == 0 ? "Completed" : "Error")
        .put("startedAt", NodeStatusReporter.time(i.startedAt()))
        .put("finishedAt", NodeStatusReporter.time(i.finishedAt()))
        .put("containerID", "hostplane://" + i.id());
  }
}

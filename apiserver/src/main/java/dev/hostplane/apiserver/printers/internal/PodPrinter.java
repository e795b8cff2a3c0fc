package dev.hostplane.apiserver.printers.internal;

import static dev.hostplane.apiserver.printers.internal.Cells.integer;
import static dev.hostplane.apiserver.printers.internal.Cells.or;
import static dev.hostplane.apiserver.printers.internal.Cells.present;
import static dev.hostplane.apiserver.printers.internal.Cells.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pods, as upstream's {@code printPod}: READY counts ready containers (plus started restartable init containers,
 * "sidecars") over containers plus sidecars; STATUS is the reason kubectl users know ({@code Init:0/2},
 * {@code Init:CrashLoopBackOff}, {@code ContainerCreating}, {@code CrashLoopBackOff}, {@code Completed},
 * {@code Error}, {@code Terminating}, {@code Evicted}, ...), worked out from the phase, the pod's reason, the init
 * container statuses in order, then the container statuses from last to first, then the deletion timestamp;
 * RESTARTS adds {@code (5m ago)} from the latest {@code lastState.terminated.finishedAt}. Succeeded and Failed pods
 * carry a {@code Completed} row condition. Not API.
 */
final class PodPrinter {
  private PodPrinter() {}

  static final Printer PRINTER = Printer.of(PodPrinter::print,
      Column.NAME, Column.string("Ready"), Column.string("Status"), Column.string("Restarts"), Column.AGE,
      Column.wide("IP"), Column.wide("Node"), Column.wide("Nominated Node"), Column.wide("Readiness Gates"));

  private static final Row.Condition SUCCEEDED =
      new Row.Condition("Completed", "True", "Succeeded", "The pod has completed successfully.");
  private static final Row.Condition FAILED = new Row.Condition("Completed", "True", "Failed", "The pod failed.");

  static Row print(ObjectNode pod, Ages ages) {
    JsonNode spec = pod.path("spec");
    JsonNode status = pod.path("status");
    String phase = text(status.path("phase"));
    Summary s = summarize(pod);
    String restarts = Long.toString(s.restarts);
    if (s.restarts != 0 && s.lastRestart != null) {
      restarts = s.restarts + " (" + ages.since(s.lastRestart) + " ago)";
    }
    JsonNode podIps = status.path("podIPs");
    String podIp = podIps.size() > 0 ? text(podIps.get(0).path("ip")) : text(status.path("podIP"));
    Row row = Row.of(text(pod.path("metadata").path("name")), s.ready + "/" + s.total, s.reason, restarts,
        ages.since(pod.path("metadata").path("creationTimestamp")),
        or(podIp, "<none>"), or(text(spec.path("nodeName")), "<none>"),
        or(text(status.path("nominatedNodeName")), "<none>"), readinessGates(spec, status));
    return switch (phase) {
      case "Succeeded" -> row.withConditions(List.of(SUCCEEDED));
      case "Failed" -> row.withConditions(List.of(FAILED));
      default -> row;
    };
  }

  /** READY numerator and denominator, STATUS, and the restart count with the time of the latest restart. */
  record Summary(int ready, int total, String reason, long restarts, Instant lastRestart) {}

  static Summary summarize(ObjectNode pod) {
    JsonNode spec = pod.path("spec");
    JsonNode status = pod.path("status");
    String phase = text(status.path("phase"));
    String reason = or(text(status.path("reason")), phase);
    for (JsonNode c : status.path("conditions")) {
      if (text(c.path("type")).equals("PodScheduled") && text(c.path("reason")).equals("SchedulingGated")) {
        reason = "SchedulingGated";
      }
    }

    int total = spec.path("containers").size();
    int ready = 0;
    Map<String, JsonNode> initContainers = new HashMap<>();
    for (JsonNode c : spec.path("initContainers")) {
      initContainers.put(text(c.path("name")), c);
      if (restartable(c)) {
        total++;
      }
    }

    long restarts = 0;
    long sidecarRestarts = 0;
    Instant lastRestart = null;
    Instant lastSidecarRestart = null;
    boolean initializing = false;
    JsonNode initStatuses = status.path("initContainerStatuses");
    for (int i = 0; i < initStatuses.size(); i++) {
      JsonNode c = initStatuses.get(i);
      restarts += integer(c.path("restartCount"));
      Instant finished = lastFinished(c);
      lastRestart = later(lastRestart, finished);
      boolean sidecar = restartable(initContainers.get(text(c.path("name"))));
      if (sidecar) {
        sidecarRestarts += integer(c.path("restartCount"));
        lastSidecarRestart = later(lastSidecarRestart, finished);
      }
      JsonNode terminated = c.path("state").path("terminated");
      JsonNode waiting = c.path("state").path("waiting");
      if (present(terminated) && integer(terminated.path("exitCode")) == 0) {
        continue;
      }
      if (sidecar && c.path("started").asBoolean(false)) {
        if (c.path("ready").asBoolean(false)) {
          ready++;
        }
        continue;
      }
      if (present(terminated)) {
        String r = text(terminated.path("reason"));
        if (r.isEmpty()) {
          long signal = integer(terminated.path("signal"));
          reason = signal != 0 ? "Init:Signal:" + signal : "Init:ExitCode:" + integer(terminated.path("exitCode"));
        } else {
          reason = "Init:" + r;
        }
      } else if (present(waiting) && !text(waiting.path("reason")).isEmpty()
          && !text(waiting.path("reason")).equals("PodInitializing")) {
        reason = "Init:" + text(waiting.path("reason"));
      } else {
        reason = "Init:" + i + "/" + spec.path("initContainers").size();
      }
      initializing = true;
      break;
    }

    if (!initializing || initializedConditionTrue(status)) {
      restarts = sidecarRestarts;
      lastRestart = lastSidecarRestart;
      boolean hasRunning = false;
      JsonNode statuses = status.path("containerStatuses");
      for (int i = statuses.size() - 1; i >= 0; i--) {
        JsonNode c = statuses.get(i);
        restarts += integer(c.path("restartCount"));
        lastRestart = later(lastRestart, lastFinished(c));
        JsonNode waiting = c.path("state").path("waiting");
        JsonNode terminated = c.path("state").path("terminated");
        if (present(waiting) && !text(waiting.path("reason")).isEmpty()) {
          reason = text(waiting.path("reason"));
        } else if (present(terminated) && !text(terminated.path("reason")).isEmpty()) {
          reason = text(terminated.path("reason"));
        } else if (present(terminated)) {
          long signal = integer(terminated.path("signal"));
          reason = signal != 0 ? "Signal:" + signal : "ExitCode:" + integer(terminated.path("exitCode"));
        } else if (c.path("ready").asBoolean(false) && present(c.path("state").path("running"))) {
          hasRunning = true;
          ready++;
        }
      }
      // A container still running turns a "Completed" pod back to Running (or NotReady).
      if (reason.equals("Completed") && hasRunning) {
        reason = conditionTrue(status, "Ready") ? "Running" : "NotReady";
      }
    }

    boolean deleting = !text(pod.path("metadata").path("deletionTimestamp")).isEmpty();
    if (deleting && text(status.path("reason")).equals("NodeLost")) {
      reason = "Unknown";
    } else if (deleting && !phase.equals("Succeeded") && !phase.equals("Failed")) {
      reason = "Terminating";
    }
    return new Summary(ready, total, reason, restarts, lastRestart);
  }

  /** A sidecar: an init container with {@code restartPolicy: Always}. */
  private static boolean restartable(JsonNode initContainer) {
    return initContainer != null && text(initContainer.path("restartPolicy")).equals("Always");
  }

  private static Instant lastFinished(JsonNode containerStatus) {
    JsonNode terminated = containerStatus.path("lastState").path("terminated");
    return present(terminated) ? Ages.instant(terminated.path("finishedAt")).orElse(null) : null;
  }

  private static Instant later(Instant a, Instant b) {
    if (b == null) {
      return a;
    }
    return a == null || a.isBefore(b) ? b : a;
  }

  /** Upstream's {@code isPodInitializedConditionTrue}: the first Initialized condition decides. */
  private static boolean initializedConditionTrue(JsonNode status) {
    for (JsonNode c : status.path("conditions")) {
      if (text(c.path("type")).equals("Initialized")) {
        return text(c.path("status")).equals("True");
      }
    }
    return false;
  }

  /** Upstream's {@code hasPodReadyCondition}: any condition of the type with status True. */
  private static boolean conditionTrue(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (text(c.path("type")).equals(type) && text(c.path("status")).equals("True")) {
        return true;
      }
    }
    return false;
  }

  /** {@code true/total} over the spec's readiness gates, {@code <none>} without gates. */
  private static String readinessGates(JsonNode spec, JsonNode status) {
    JsonNode gates = spec.path("readinessGates");
    if (gates.size() == 0) {
      return "<none>";
    }
    int trueConditions = 0;
    for (JsonNode gate : gates) {
      JsonNode c = Cells.find(status.path("conditions"), "type", text(gate.path("conditionType")));
      if (text(c.path("status")).equals("True")) {
        trueConditions++;
      }
    }
    return trueConditions + "/" + gates.size();
  }
}

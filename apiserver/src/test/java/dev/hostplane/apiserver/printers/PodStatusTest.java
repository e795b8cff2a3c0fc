package dev.hostplane.apiserver.printers;

import static dev.hostplane.apiserver.printers.Tables.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The pod READY / STATUS / RESTARTS reasoning, case by case, as upstream's printPod decides it. */
class PodStatusTest {
  private static final String ONE = "{containers: [{name: 'app', image: 'nginx'}]}";
  private static final String TWO = "{containers: [{name: 'app', image: 'nginx'}, {name: 'log', image: 'fluent'}]}";
  private static final String TWO_INITS = "{initContainers: [{name: 'migrate', image: 'm'},"
      + " {name: 'seed', image: 's'}], containers: [{name: 'app', image: 'nginx'}]}";
  private static final String SIDECAR = "{initContainers: [{name: 'proxy', image: 'envoy', restartPolicy: 'Always'}],"
      + " containers: [{name: 'app', image: 'nginx'}]}";

  private static final String RUNNING_READY = "{name: 'app', ready: true, restartCount: 0, started: true,"
      + " state: {running: {startedAt: '2024-05-01T10:00:00Z'}}}";
  private static final String LOG_READY = "{name: 'log', ready: true, restartCount: 0, started: true,"
      + " state: {running: {startedAt: '2024-05-01T10:00:00Z'}}}";
  private static final String CRASHING = "{name: 'app', ready: false, restartCount: 5, started: false,"
      + " state: {waiting: {reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container'}},"
      + " lastState: {terminated: {exitCode: 1, reason: 'Error', startedAt: '2024-05-01T11:56:50Z',"
      + " finishedAt: '2024-05-01T11:57:00Z'}}}";
  private static final String DONE = "{name: 'migrate', ready: false, restartCount: 0,"
      + " state: {terminated: {exitCode: 0, reason: 'Completed', finishedAt: '2024-05-01T11:00:00Z'}}}";

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("unschedulable", ONE, "{}",
            "{phase: 'Pending', conditions: [{type: 'PodScheduled', status: 'False', reason: 'Unschedulable'}]}",
            "0/1", "Pending", "0"),
        Arguments.of("scheduling gated", ONE, "{}",
            "{phase: 'Pending', conditions: [{type: 'PodScheduled', status: 'False', reason: 'SchedulingGated'}]}",
            "0/1", "SchedulingGated", "0"),
        Arguments.of("creating", ONE, "{}", "{phase: 'Pending', containerStatuses: [{name: 'app', ready: false,"
            + " restartCount: 0, state: {waiting: {reason: 'ContainerCreating'}}}]}", "0/1", "ContainerCreating", "0"),
        Arguments.of("image pull", ONE, "{}", "{phase: 'Pending', containerStatuses: [{name: 'app', ready: false,"
            + " restartCount: 0, state: {waiting: {reason: 'ImagePullBackOff'}}}]}", "0/1", "ImagePullBackOff", "0"),
        Arguments.of("running", TWO, "{}",
            "{phase: 'Running', containerStatuses: [" + RUNNING_READY + ", " + LOG_READY + "]}",
            "2/2", "Running", "0"),
        Arguments.of("running, one not ready", TWO, "{}", "{phase: 'Running', containerStatuses: [" + RUNNING_READY
            + ", {name: 'log', ready: false, restartCount: 0, state: {running: {}}}]}", "1/2", "Running", "0"),
        Arguments.of("crash loop", ONE, "{}", "{phase: 'Running', containerStatuses: [" + CRASHING + "]}",
            "0/1", "CrashLoopBackOff", "5 (3m ago)"),
        Arguments.of("completed", ONE, "{}", "{phase: 'Succeeded', containerStatuses: [{name: 'app', ready: false,"
            + " restartCount: 0, state: {terminated: {exitCode: 0, reason: 'Completed'}}}]}", "0/1", "Completed", "0"),
        Arguments.of("error", ONE, "{}", "{phase: 'Failed', containerStatuses: [{name: 'app', ready: false,"
            + " restartCount: 0, state: {terminated: {exitCode: 1, reason: 'Error'}}}]}", "0/1", "Error", "0"),
        Arguments.of("killed by a signal, no reason", ONE, "{}", "{phase: 'Failed', containerStatuses: [{name: 'app',"
            + " restartCount: 0, state: {terminated: {exitCode: 137, signal: 9}}}]}", "0/1", "Signal:9", "0"),
        Arguments.of("exit code, no reason", ONE, "{}", "{phase: 'Failed', containerStatuses: [{name: 'app',"
            + " restartCount: 0, state: {terminated: {exitCode: 2}}}]}", "0/1", "ExitCode:2", "0"),
        Arguments.of("completed container beside a running one, pod ready", TWO, "{}", "{phase: 'Running',"
            + " conditions: [{type: 'Ready', status: 'True'}], containerStatuses: [{name: 'app', ready: false,"
            + " restartCount: 0, state: {terminated: {exitCode: 0, reason: 'Completed'}}}, " + LOG_READY + "]}",
            "1/2", "Running", "0"),
        Arguments.of("completed container beside a running one, pod not ready", TWO, "{}", "{phase: 'Running',"
            + " conditions: [{type: 'Ready', status: 'False'}], containerStatuses: [{name: 'app', ready: false,"
            + " restartCount: 0, state: {terminated: {exitCode: 0, reason: 'Completed'}}}, " + LOG_READY + "]}",
            "1/2", "NotReady", "0"),
        Arguments.of("first init container running", TWO_INITS, "{}", "{phase: 'Pending', initContainerStatuses: ["
            + "{name: 'migrate', ready: false, restartCount: 0, state: {running: {}}},"
            + " {name: 'seed', ready: false, restartCount: 0, state: {waiting: {reason: 'PodInitializing'}}}],"
            + " containerStatuses: [{name: 'app', ready: false, restartCount: 0,"
            + " state: {waiting: {reason: 'PodInitializing'}}}]}", "0/1", "Init:0/2", "0"),
        Arguments.of("second init container starting", TWO_INITS, "{}", "{phase: 'Pending', initContainerStatuses: ["
            + DONE + ", {name: 'seed', ready: false, restartCount: 0, state: {waiting: {reason: 'PodInitializing'}}}],"
            + " containerStatuses: [{name: 'app', ready: false, restartCount: 0,"
            + " state: {waiting: {reason: 'PodInitializing'}}}]}", "0/1", "Init:1/2", "0"),
        Arguments.of("init container crash loop", TWO_INITS, "{}", "{phase: 'Pending', initContainerStatuses: ["
            + "{name: 'migrate', ready: false, restartCount: 4, state: {waiting: {reason: 'CrashLoopBackOff'}},"
            + " lastState: {terminated: {exitCode: 1, reason: 'Error', finishedAt: '2024-05-01T11:59:00Z'}}},"
            + " {name: 'seed', restartCount: 0, state: {waiting: {reason: 'PodInitializing'}}}]}",
            "0/1", "Init:CrashLoopBackOff", "4 (60s ago)"),
        Arguments.of("init container failed", TWO_INITS, "{}", "{phase: 'Failed', initContainerStatuses: ["
            + "{name: 'migrate', restartCount: 0, state: {terminated: {exitCode: 1, reason: 'Error'}}}]}",
            "0/1", "Init:Error", "0"),
        Arguments.of("init container exit code, no reason", TWO_INITS, "{}", "{phase: 'Pending',"
            + " initContainerStatuses: [{name: 'migrate', restartCount: 0, state: {terminated: {exitCode: 3}}}]}",
            "0/1", "Init:ExitCode:3", "0"),
        Arguments.of("init container killed by a signal", TWO_INITS, "{}", "{phase: 'Pending',"
            + " initContainerStatuses: [{name: 'migrate', restartCount: 0,"
            + " state: {terminated: {exitCode: 137, signal: 9}}}]}", "0/1", "Init:Signal:9", "0"),
        Arguments.of("initialized pod reports its containers despite stale init statuses", TWO_INITS, "{}",
            "{phase: 'Running', conditions: [{type: 'Initialized', status: 'True'}], initContainerStatuses: ["
            + "{name: 'migrate', restartCount: 1, state: {waiting: {reason: 'PodInitializing'}}}],"
            + " containerStatuses: [" + CRASHING + "]}", "0/1", "CrashLoopBackOff", "5 (3m ago)"),
        Arguments.of("initialized pod keeps the init reason while its containers run", TWO_INITS, "{}",
            "{phase: 'Running', conditions: [{type: 'Initialized', status: 'True'}], initContainerStatuses: ["
            + "{name: 'migrate', restartCount: 1, state: {waiting: {reason: 'PodInitializing'}}}],"
            + " containerStatuses: [" + RUNNING_READY + "]}", "1/1", "Init:0/2", "0"),
        Arguments.of("sidecar started and ready", SIDECAR, "{}", "{phase: 'Running', initContainerStatuses: ["
            + "{name: 'proxy', ready: true, started: true, restartCount: 2, state: {running: {}},"
            + " lastState: {terminated: {exitCode: 1, finishedAt: '2024-05-01T11:00:00Z'}}}],"
            + " containerStatuses: [" + RUNNING_READY + "]}", "2/2", "Running", "2 (60m ago)"),
        Arguments.of("sidecar not started yet", SIDECAR, "{}", "{phase: 'Pending', initContainerStatuses: ["
            + "{name: 'proxy', ready: false, started: false, restartCount: 0, state: {running: {}}}],"
            + " containerStatuses: [{name: 'app', ready: false, restartCount: 0,"
            + " state: {waiting: {reason: 'PodInitializing'}}}]}", "0/2", "Init:0/1", "0"),
        Arguments.of("terminating", ONE, "{deletionTimestamp: '2024-05-01T11:59:30Z'}",
            "{phase: 'Running', containerStatuses: [" + RUNNING_READY + "]}", "1/1", "Terminating", "0"),
        Arguments.of("terminating after success stays completed", ONE, "{deletionTimestamp: '2024-05-01T11:59:30Z'}",
            "{phase: 'Succeeded', containerStatuses: [{name: 'app', restartCount: 0,"
            + " state: {terminated: {exitCode: 0, reason: 'Completed'}}}]}", "0/1", "Completed", "0"),
        Arguments.of("deleted on a lost node", ONE, "{deletionTimestamp: '2024-05-01T11:59:30Z'}",
            "{phase: 'Running', reason: 'NodeLost', containerStatuses: [" + RUNNING_READY + "]}",
            "1/1", "Unknown", "0"),
        Arguments.of("evicted", ONE, "{}", "{phase: 'Failed', reason: 'Evicted',"
            + " message: 'The node was low on resource: memory.'}", "0/1", "Evicted", "0"),
        Arguments.of("restarts add up over containers, latest restart wins", TWO, "{}", "{phase: 'Running',"
            + " containerStatuses: [{name: 'app', ready: true, restartCount: 1, state: {running: {}},"
            + " lastState: {terminated: {exitCode: 1, finishedAt: '2024-04-30T12:00:00Z'}}},"
            + " {name: 'log', ready: true, restartCount: 2, state: {running: {}},"
            + " lastState: {terminated: {exitCode: 1, finishedAt: '2024-05-01T11:30:00Z'}}}]}",
            "2/2", "Running", "3 (30m ago)"),
        Arguments.of("restarts without a finish time have no suffix", ONE, "{}", "{phase: 'Running',"
            + " containerStatuses: [{name: 'app', ready: true, restartCount: 7, state: {running: {}}}]}",
            "1/1", "Running", "7"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void readyStatusAndRestarts(String description, String spec, String meta, String status, String ready,
      String reason, String restarts) {
    ObjectNode pod = obj("{apiVersion: 'v1', kind: 'Pod', spec: " + spec + ", status: " + status + "}");
    ObjectNode metadata = obj(meta);
    metadata.put("name", "web");
    metadata.put("namespace", "default");
    metadata.put("creationTimestamp", "2024-05-01T10:00:00Z");
    pod.set("metadata", metadata);
    JsonNode cells = Tables.table("/v1/pods", pod).path("rows").path(0).path("cells");
    assertEquals(ready + " " + reason + " " + restarts,
        cells.get(1).asText() + " " + cells.get(2).asText() + " " + cells.get(3).asText());
  }
}

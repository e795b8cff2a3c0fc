package dev.hostplane.ops.node.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Posts core/v1 Events about a pod's containers as a kubelet does (source {@code kubelet}, host the node):
 * Created, Started, Killing, BackOff, Failed. Fire and forget: an event that cannot be posted is dropped.
 */
public final class EventRecorder {
  private final ApiClient api;
  private final String nodeName;

  public EventRecorder(ApiClient api, String nodeName) {
    this.api = api;
    this.nodeName = nodeName;
  }

  /** Records an event on {@code container} (null: the pod itself) of the pod. Any thread; does not block. */
  public void record(String namespace, String pod, String uid, String container, boolean warning, String reason,
      String message) {
    String now = NodeStatusReporter.time(Instant.now());
    ObjectNode event = ApiClient.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Event");
    event.putObject("metadata").put("namespace", namespace)
        .put("name", pod + "." + Long.toHexString(System.nanoTime() ^ ThreadLocalRandom.current().nextLong()));
    ObjectNode involved = event.putObject("involvedObject").put("apiVersion", "v1").put("kind", "Pod")
        .put("namespace", namespace).put("name", pod).put("uid", uid);
    if (container != null) {
      involved.put("fieldPath", "spec.containers{" + container + "}");
    }
    event.put("reason", reason).put("message", message).put("type", warning ? "Warning" : "Normal")
        .put("firstTimestamp", now).put("lastTimestamp", now).put("count", 1)
        .put("reportingComponent", "kubelet").put("reportingInstance", nodeName);
    event.putObject("source").put("component", "kubelet").put("host", nodeName);
    api.postAsync("/api/v1/namespaces/" + namespace + "/events", event);
  }
}

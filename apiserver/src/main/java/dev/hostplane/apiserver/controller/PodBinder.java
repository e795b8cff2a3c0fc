package dev.hostplane.apiserver.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Options;
import dev.hostplane.apiserver.registry.Registry;
import dev.hostplane.apiserver.registry.subresources.PodBinding;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.WatchEvent;
import dev.hostplane.apiserver.storage.WatchListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --bind-pods=round-robin}: binds every unbound pod meant for the default scheduler (empty
 * {@code spec.nodeName}, {@code spec.schedulerName} empty or {@code default-scheduler}, not being deleted) to the
 * Ready, schedulable Nodes in turn, through {@code pods/binding} (so the PodScheduled condition is set). Not a
 * scheduler: no resources, affinity or taints are considered. Pods wait while no Node qualifies.
 *
 * <p>Threading: passes run on {@code executor}, one at a time (serialized on this object); pod and node watches
 * trigger them, and a periodic resync catches anything missed.
 */
public final class PodBinder implements AutoCloseable {
  /** The flag's one mode. */
  public static final String ROUND_ROBIN = "round-robin";
  private static final Logger LOG = LoggerFactory.getLogger(PodBinder.class);
  private static final String DEFAULT_SCHEDULER = "default-scheduler";

  private final Registry registry;
  private final ScheduledExecutorService executor;
  private final Duration resync;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final List<Storage.Watch> watches = new ArrayList<>();
  private long turn;

  public PodBinder(Registry registry, ScheduledExecutorService executor, Duration resync) {
    this.registry = registry;
    this.executor = executor;
    this.resync = resync;
  }

  public void start() {
    for (GenericStore store : List.of(pods(), nodes())) {
      watches.add(registry.storage().watch(store.listPrefix(null), 0, new WatchListener() {
        @Override
        public void onEvent(WatchEvent event) {
          trigger();
        }

        @Override
        public void onError(StorageException error) {
          LOG.warn("pod binder: {} watch ended: {}; relying on resync", store.type().resource(),
              error.getMessage());
        }
      }));
    }
    executor.scheduleWithFixedDelay(this::trigger, 0, resync.toMillis(), TimeUnit.MILLISECONDS);
  }

  private GenericStore pods() {
    return registry.store("", "v1", "pods");
  }

  private GenericStore nodes() {
    return registry.store("", "v1", "nodes");
  }

  private void trigger() {
    if (scheduled.compareAndSet(false, true)) {
      // Thread hop: passes run on the controller executor.
      executor.execute(() -> {
        scheduled.set(false);
        try {
          pass();
        } catch (Exception e) {
          LOG.warn("pod binder pass failed: {}", e.toString());
        }
      });
    }
  }

  /**
   * One pass: every pending pod gets the next candidate node. Blocks this controller thread; passes never overlap
   * (a trigger during a pass queues the next one on another executor thread, which waits here).
   */
  private synchronized void pass() throws Exception {
    List<String> candidates = new ArrayList<>();
    for (JsonNode node : list(nodes())) {
      if (schedulable(node)) {
        candidates.add(ObjectMeta.name((ObjectNode) node));
      }
    }
    if (candidates.isEmpty()) {
      return;
    }
    candidates.sort(null);
    for (JsonNode pod : list(pods())) {
      if (!pending((ObjectNode) pod)) {
        continue;
      }
      String ns = pod.path("metadata").path("namespace").asText();
      String name = pod.path("metadata").path("name").asText();
      String node = candidates.get((int) (turn % candidates.size()));
      ObjectNode binding = JsonNodeFactory.instance.objectNode().put("apiVersion", "v1").put("kind", "Binding");
      binding.putObject("metadata").put("name", name).put("namespace", ns);
      binding.putObject("target").put("apiVersion", "v1").put("kind", "Node").put("name", node);
      try {
        PodBinding.bind(pods(), ns, name, binding).toCompletableFuture().get(30, TimeUnit.SECONDS);
        turn++; // only a pod actually bound takes a turn, so that the nodes alternate
        LOG.info("bound pod {}/{} to node {}", ns, name, node);
      } catch (ExecutionException e) {
        // Bound or deleted meanwhile (409, 404): the next pass sees the pod as it is now.
        LOG.debug("pod {}/{} not bound: {}", ns, name, e.getCause() instanceof ApiException a
            ? a.getMessage() : e.toString());
      }
    }
  }

  private static Iterable<JsonNode> list(GenericStore store) throws Exception {
    return store.list(null, Options.Read.DEFAULT).toCompletableFuture().get(30, TimeUnit.SECONDS)
        .withArray("items");
  }

  static boolean pending(ObjectNode pod) {
    String scheduler = pod.path("spec").path("schedulerName").asText("");
    String phase = pod.path("status").path("phase").asText("");
    return pod.path("spec").path("nodeName").asText("").isEmpty()
        && (scheduler.isEmpty() || scheduler.equals(DEFAULT_SCHEDULER))
        && !ObjectMeta.isDeleting(pod)
        && !phase.equals("Succeeded") && !phase.equals("Failed");
  }

  static boolean schedulable(JsonNode node) {
    if (node.path("spec").path("unschedulable").asBoolean(false)
        || ObjectMeta.isDeleting((ObjectNode) node)) {
      return false;
    }
    for (JsonNode c : node.path("status").path("conditions")) {
      if (c.path("type").asText().equals("Ready")) {
        return c.path("status").asText().equals("True");
      }
    }
    return false;
  }

  @Override
  public void close() {
    for (Storage.Watch w : watches) {
      w.close();
    }
  }
}

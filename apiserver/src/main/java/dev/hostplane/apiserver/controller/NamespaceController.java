package dev.hostplane.apiserver.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Options;
import dev.hostplane.apiserver.registry.Registry;
import dev.hostplane.apiserver.storage.StorageException;
import dev.hostplane.apiserver.storage.WatchEvent;
import dev.hostplane.apiserver.storage.WatchListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes namespace deletion, as upstream's namespace controller: once a namespace is Terminating, every object in
 * it is deleted; when none is left, the {@code kubernetes} finalizer is removed through the {@code finalize}
 * subresource and the store deletes the namespace. Objects held by their own finalizers (or pods waiting for their
 * kubelet) keep the namespace until they go.
 *
 * <p>Threading: all work runs on {@code executor}, one pass at a time; a namespace watch triggers passes, and a
 * periodic resync catches anything missed.
 */
public final class NamespaceController implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NamespaceController.class);
  static final UserInfo CONTROLLER = new UserInfo("system:serviceaccount:kube-system:namespace-controller", "",
      List.of("system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"), Map.of());

  private final Registry registry;
  private final ScheduledExecutorService executor;
  private final Duration resync;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile dev.hostplane.apiserver.storage.Storage.Watch watch;

  public NamespaceController(Registry registry, ScheduledExecutorService executor, Duration resync) {
    this.registry = registry;
    this.executor = executor;
    this.resync = resync;
  }

  public void start() {
    GenericStore namespaces = registry.store("", "v1", "namespaces");
    watch = registry.storage().watch(namespaces.listPrefix(null), 0, new WatchListener() {
      @Override
      public void onEvent(WatchEvent event) {
        trigger();
      }

      @Override
      public void onError(StorageException error) {
        LOG.warn("namespace watch ended: {}; relying on resync", error.getMessage());
      }
    });
    executor.scheduleWithFixedDelay(this::trigger, 0, resync.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void trigger() {
    if (scheduled.compareAndSet(false, true)) {
      // Thread hop: passes run on the controller executor.
      executor.execute(() -> {
        scheduled.set(false);
        pass();
      });
    }
  }

  private void pass() {
    GenericStore namespaces = registry.store("", "v1", "namespaces");
    ObjectNode list;
    try {
      list = namespaces.list(null, Options.Read.DEFAULT).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("namespace controller cannot list namespaces: {}", e.toString());
      return;
    }
    for (JsonNode ns : list.withArray("items")) {
      if (ObjectMeta.isDeleting((ObjectNode) ns) && hasKubernetesFinalizer((ObjectNode) ns)) {
        try {
          finalizeNamespace(ObjectMeta.name((ObjectNode) ns));
        } catch (Exception e) {
          LOG.warn("namespace {} not finalized yet: {}", ObjectMeta.name((ObjectNode) ns), e.toString());
        }
      }
    }
  }

  private static boolean hasKubernetesFinalizer(ObjectNode ns) {
    for (JsonNode f : ns.path("spec").path("finalizers")) {
      if ("kubernetes".equals(f.asText())) {
        return true;
      }
    }
    return false;
  }

  /** Deletes the namespace's content; when nothing remains, removes the finalizer. Blocks this controller thread. */
  private void finalizeNamespace(String name) throws Exception {
    Options.Delete background = new Options.Delete(false, null, null, null, "Background", CONTROLLER);
    Options.Read page = new Options.Read(Options.Read.DEFAULT.labelSelector(), Options.Read.DEFAULT.fieldSelector(),
        500, null, null, null, false, null, null);
    for (GenericStore store : registry.namespacedStores()) {
      // A page at a time, so that a namespace with many objects does not hold them all in memory at once.
      String previousFirst = null;
      for (int pages = 0; pages < 10_000; pages++) {
        ObjectNode gone = store.deleteCollection(name, page, background).toCompletableFuture()
            .get(120, TimeUnit.SECONDS);
        JsonNode items = gone.withArray("items");
        if (items.size() < 500 || gone.path("metadata").get("continue") == null) {
          break;
        }
        String first = items.get(0).path("metadata").path("uid").asText();
        if (first.equals(previousFirst)) {
          break; // the same objects again: they wait for their finalizers; the next pass looks again
        }
        previousFirst = first;
      }
    }
    for (GenericStore store : registry.namespacedStores()) {
      ObjectNode left = store.list(name, new Options.Read(Options.Read.DEFAULT.labelSelector(),
          Options.Read.DEFAULT.fieldSelector(), 1, null, null, null, false, null, null))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (!left.withArray("items").isEmpty()) {
        LOG.debug("namespace {} still has {} objects", name, store.type().resource());
        return;
      }
    }
    GenericStore namespaces = registry.store("", "v1", "namespaces");
    namespaces.updateWith("", name, "finalize", new Options.Write(false, "namespace-controller", CONTROLLER),
        false, current -> {
          ObjectNode next = current.deepCopy();
          ArrayNode kept = next.objectNode().arrayNode();
          for (JsonNode f : current.path("spec").path("finalizers")) {
            if (!"kubernetes".equals(f.asText())) {
              kept.add(f);
            }
          }
          ObjectMeta.child(next, "spec").set("finalizers", kept);
          return next;
        }).toCompletableFuture().get(30, TimeUnit.SECONDS);
    LOG.info("namespace {} finalized", name);
  }

  @Override
  public void close() {
    var w = watch;
    if (w != null) {
      w.close();
    }
  }
}

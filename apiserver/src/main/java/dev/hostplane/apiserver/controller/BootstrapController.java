package dev.hostplane.apiserver.controller;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.Options;
import dev.hostplane.apiserver.registry.Registry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the objects every cluster has: the system namespaces, and the {@code kubernetes} Service in
 * {@code default} (ClusterIP = the first IP of the service range, port 443 -> the advertised port). Reconciles at
 * start and then periodically, so that a deleted object comes back, as upstream's bootstrap controller does. The
 * Service's Endpoints and EndpointSlice are the {@link EndpointReconciler}'s.
 *
 * <p>Threading: runs on {@code executor} and blocks that thread on storage futures.
 */
public final class BootstrapController {
  private static final Logger LOG = LoggerFactory.getLogger(BootstrapController.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  public static final List<String> SYSTEM_NAMESPACES =
      List.of("default", "kube-system", "kube-public", "kube-node-lease");
  static final UserInfo APISERVER = new UserInfo("system:apiserver", "", List.of("system:masters",
      "system:authenticated"), Map.of());

  private final Registry registry;
  private final ScheduledExecutorService executor;
  private final String serviceIp;
  private final int advertisedPort;
  private final Duration interval;
  private final CompletableFuture<Void> firstPass = new CompletableFuture<>();
  private volatile ScheduledFuture<?> passes;

  public BootstrapController(Registry registry, ScheduledExecutorService executor, String serviceIp,
      int advertisedPort, Duration interval) {
    this.registry = registry;
    this.executor = executor;
    this.serviceIp = serviceIp;
    this.advertisedPort = advertisedPort;
    this.interval = interval;
  }

  /** Starts reconciling; {@link #isDone()} turns true after the first complete pass. */
  public void start() {
    passes = executor.scheduleWithFixedDelay(this::reconcile, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Stops reconciling (a pass in progress finishes). */
  public void stop() {
    ScheduledFuture<?> p = passes;
    if (p != null) {
      p.cancel(false);
    }
  }

  /** The poststarthook: true once the namespaces and the kubernetes Service exist. */
  public boolean isDone() {
    return firstPass.isDone();
  }

  /** Completes (on a controller thread) once the namespaces and the kubernetes Service exist. */
  public CompletionStage<Void> firstPass() {
    return firstPass;
  }

  void reconcile() {
    try {
      for (String ns : SYSTEM_NAMESPACES) {
        ensure(registry.store("", "v1", "namespaces"), "", namespace(ns));
      }
      ensure(registry.store("", "v1", "services"), "default", service());
      firstPass.complete(null);
    } catch (Exception e) {
      LOG.warn("bootstrap reconcile failed, will retry: {}", rootMessage(e));
    }
  }

  private void ensure(GenericStore store, String ns, ObjectNode desired) throws Exception {
    String name = desired.path("metadata").path("name").asText();
    try {
      store.get(ns, name, Options.Read.DEFAULT).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(cause(e) instanceof ApiException ae && ae.code() == 404)) {
        throw e;
      }
      create(store, ns, desired);
    }
  }

  /**
   * Creates {@code desired}. Another apiserver on the same storage may create it first: then this create fails
   * (409, or 422 for the Service, whose cluster IP the other one holds) and the object exists, which is success.
   */
  private static void create(GenericStore store, String ns, ObjectNode desired) throws Exception {
    try {
      store.create(ns, desired.deepCopy(), new Options.Write(false, "kube-apiserver", APISERVER))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(cause(e) instanceof ApiException ae && (ae.code() == 409 || ae.code() == 422))) {
        throw e;
      }
      String name = desired.path("metadata").path("name").asText();
      try {
        store.get(ns, name, Options.Read.DEFAULT).toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException notThere) {
        throw e;
      }
    }
  }

  private static ObjectNode namespace(String name) {
    ObjectNode n = NODES.objectNode();
    n.put("apiVersion", "v1");
    n.put("kind", "Namespace");
    n.putObject("metadata").put("name", name);
    return n;
  }

  private ObjectNode service() {
    ObjectNode s = NODES.objectNode();
    s.put("apiVersion", "v1");
    s.put("kind", "Service");
    ObjectNode meta = s.putObject("metadata");
    meta.put("name", "kubernetes");
    meta.put("namespace", "default");
    ObjectNode labels = meta.putObject("labels");
    labels.put("component", "apiserver");
    labels.put("provider", "kubernetes");
    ObjectNode spec = s.putObject("spec");
    spec.put("type", "ClusterIP");
    spec.put("clusterIP", serviceIp);
    spec.putArray("clusterIPs").add(serviceIp);
    spec.put("sessionAffinity", "None");
    ObjectNode port = spec.putArray("ports").addObject();
    port.put("name", "https");
    port.put("port", 443);
    port.put("protocol", "TCP");
    port.put("targetPort", advertisedPort);
    return s;
  }

  private static Throwable cause(Throwable t) {
    while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String rootMessage(Throwable t) {
    Throwable c = cause(t);
    return c.getClass().getSimpleName() + ": " + c.getMessage();
  }
}

package dev.hostplane.apiserver.controller;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.Options;
import dev.hostplane.apiserver.registry.Registry;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the objects every cluster has: the system namespaces, and the {@code kubernetes} Service in
 * {@code default} (ClusterIP = the first IP of the service range, port 443 -> the secure port) with Endpoints and an
 * EndpointSlice whose only address is the advertised one. Reconciles at start and then periodically, so that an
 * edited or deleted object comes back, as upstream's bootstrap controller and endpoint reconciler do.
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
  private final InetAddress advertise;
  private final int securePort;
  private final Duration interval;
  private final AtomicBoolean done = new AtomicBoolean();
  private volatile boolean warnedLoopback;

  public BootstrapController(Registry registry, ScheduledExecutorService executor, String serviceIp,
      InetAddress advertise, int securePort, Duration interval) {
    this.registry = registry;
    this.executor = executor;
    this.serviceIp = serviceIp;
    this.advertise = advertise;
    this.securePort = securePort;
    this.interval = interval;
  }

  /** Starts reconciling; {@link #isDone()} turns true after the first complete pass. */
  public void start() {
    executor.scheduleWithFixedDelay(this::reconcile, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The poststarthook: true once the namespaces and the kubernetes Service exist. */
  public boolean isDone() {
    return done.get();
  }

  void reconcile() {
    try {
      for (String ns : SYSTEM_NAMESPACES) {
        ensure(registry.store("", "v1", "namespaces"), "", namespace(ns));
      }
      ensure(registry.store("", "v1", "services"), "default", service());
      done.set(true);
      if (advertise.isLoopbackAddress() || advertise.isAnyLocalAddress()) {
        if (!warnedLoopback) {
          warnedLoopback = true;
          LOG.warn("advertise address {} is loopback or unspecified: the kubernetes Service gets no endpoints "
              + "(endpoint addresses may not be loopback); set --advertise-address", advertise.getHostAddress());
        }
        return;
      }
      ensureEqual(registry.store("", "v1", "endpoints"), "default", endpoints(), "subsets");
      ensureEqual(registry.store("discovery.k8s.io", "v1", "endpointslices"), "default", endpointSlice(),
          "endpoints", "ports", "addressType");
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

  /** Creates {@code desired}, or updates the listed top-level fields when they differ. */
  private void ensureEqual(GenericStore store, String ns, ObjectNode desired, String... fields) throws Exception {
    String name = desired.path("metadata").path("name").asText();
    ObjectNode current;
    try {
      current = store.get(ns, name, Options.Read.DEFAULT).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(cause(e) instanceof ApiException ae && ae.code() == 404)) {
        throw e;
      }
      create(store, ns, desired);
      return;
    }
    boolean same = true;
    for (String f : fields) {
      same &= desired.path(f).equals(current.path(f));
    }
    if (!same) {
      store.updateWith(ns, name, "", new Options.Write(false, "kube-apiserver", APISERVER), false, cur -> {
        ObjectNode next = cur.deepCopy();
        for (String f : fields) {
          next.set(f, desired.get(f).deepCopy());
        }
        return next;
      }).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static void create(GenericStore store, String ns, ObjectNode desired) throws Exception {
    try {
      store.create(ns, desired.deepCopy(), new Options.Write(false, "kube-apiserver", APISERVER))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(cause(e) instanceof ApiException ae && ae.code() == 409)) {
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
    port.put("targetPort", securePort);
    return s;
  }

  private ObjectNode endpoints() {
    ObjectNode e = NODES.objectNode();
    e.put("apiVersion", "v1");
    e.put("kind", "Endpoints");
    ObjectNode meta = e.putObject("metadata");
    meta.put("name", "kubernetes");
    meta.put("namespace", "default");
    meta.putObject("labels").put("endpointslice.kubernetes.io/skip-mirror", "true");
    ArrayNode subsets = e.putArray("subsets");
    ObjectNode subset = subsets.addObject();
    subset.putArray("addresses").addObject().put("ip", advertise.getHostAddress());
    ObjectNode port = subset.putArray("ports").addObject();
    port.put("name", "https");
    port.put("port", securePort);
    port.put("protocol", "TCP");
    return e;
  }

  private ObjectNode endpointSlice() {
    ObjectNode e = NODES.objectNode();
    e.put("apiVersion", "discovery.k8s.io/v1");
    e.put("kind", "EndpointSlice");
    ObjectNode meta = e.putObject("metadata");
    meta.put("name", "kubernetes");
    meta.put("namespace", "default");
    meta.putObject("labels").put("kubernetes.io/service-name", "kubernetes");
    e.put("addressType", advertise instanceof Inet6Address ? "IPv6" : "IPv4");
    ObjectNode ep = e.putArray("endpoints").addObject();
    ep.putArray("addresses").add(advertise.getHostAddress());
    ep.putObject("conditions").put("ready", true);
    ObjectNode port = e.putArray("ports").addObject();
    port.put("name", "https");
    port.put("port", securePort);
    port.put("protocol", "TCP");
    return e;
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

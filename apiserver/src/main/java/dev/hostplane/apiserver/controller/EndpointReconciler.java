package dev.hostplane.apiserver.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Options.Delete;
import dev.hostplane.apiserver.registry.Options.Read;
import dev.hostplane.apiserver.registry.Options.Write;
import dev.hostplane.apiserver.registry.Registry;
import dev.hostplane.apiserver.storage.Storage;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the Endpoints and EndpointSlice {@code default/kubernetes} listing every live apiserver, as upstream's lease
 * endpoint reconciler ({@code --endpoint-reconciler-type=lease}): every interval each apiserver refreshes its master
 * lease (see {@link MasterLeases}), lists the live ones and writes the two objects only when they differ from the
 * desired ones, with the resourceVersion it compared against (a replica that lost the race retries next interval,
 * from what the winner wrote, so all converge). On a graceful exit it withdraws its lease and reconciles once more
 * (upstream's RemoveEndpoints). Like upstream it never writes an empty list: with no live lease it leaves the
 * objects alone.
 *
 * <p>Shapes follow upstream: the Endpoints has one subset per advertised port (one, when replicas share the port)
 * with the addresses sorted, port {@code https}/TCP, and the label {@code endpointslice.kubernetes.io/skip-mirror:
 * "true"}; the EndpointSlice mirrors the first subset, one endpoint (ready) per address, label
 * {@code kubernetes.io/service-name: kubernetes}, addressType IPv6 when every address is IPv6, else IPv4.
 *
 * <p>An apiserver that advertises a loopback or unspecified address (endpoints may not be loopback) records no
 * lease and writes nothing; with {@link Type#NONE} nothing is written either.
 *
 * <p>Threading: passes run on {@code executor} and block it; {@link #close()} blocks until a pass in progress ends.
 */
public final class EndpointReconciler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointReconciler.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final String NAME = "kubernetes";
  static final String NAMESPACE = "default";

  /** {@code --endpoint-reconciler-type}. */
  public enum Type { LEASE, NONE }

  /**
   * @param interval how often the lease is refreshed and the objects reconciled (upstream: 10 s)
   * @param leaseTtl how long a lease lives without a refresh (upstream: 15 s); longer than the interval
   */
  public record Options(Type type, Duration interval, Duration leaseTtl) {
    public static final Options DEFAULT = new Options(Type.LEASE, Duration.ofSeconds(10), Duration.ofSeconds(15));
  }

  private enum State { NEW, RUNNING, STOPPED }

  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

  private final Registry registry;
  private final ScheduledExecutorService executor;
  private final MasterLeases leases;
  private final String holder;
  private final InetAddress advertise;
  private final int port;
  private final Options options;
  private final Object lock = new Object();
  // Guarded by lock:
  private State state = State.NEW;
  private ScheduledFuture<?> passes;
  private Duration backoff = FIRST_BACKOFF;

  /**
   * @param holder this apiserver's identity id, its entry in the shared lease of {@code advertise}
   * @param port the advertised port
   */
  public EndpointReconciler(Registry registry, Storage storage, String storagePrefix,
      ScheduledExecutorService executor, Clock clock, String holder, InetAddress advertise, int port,
      Options options) {
    this.registry = registry;
    this.executor = executor;
    this.leases = new MasterLeases(storage, storagePrefix, clock, options.leaseTtl());
    this.holder = holder;
    this.advertise = advertise;
    this.port = port;
    this.options = options;
  }

  /** True when this apiserver takes part: lease mode and an address that may be an endpoint. */
  public boolean active() {
    return options.type() == Type.LEASE && !advertise.isLoopbackAddress() && !advertise.isAnyLocalAddress();
  }

  /**
   * Reconciles at once, then every interval (nothing at all when not {@link #active()}). Start it once namespace
   * {@code default} exists. After {@link #close()} or {@link #abandon()} it does nothing.
   */
  public void start() {
    synchronized (lock) {
      if (state == State.STOPPED) {
        return;
      }
      if (state != State.NEW) {
        throw new IllegalStateException("already started");
      }
      state = State.RUNNING;
      if (options.type() == Type.NONE) {
        return;
      }
      if (!active()) {
        LOG.warn("advertise address {} is loopback or unspecified: the kubernetes Service gets no endpoint from "
            + "this apiserver (endpoint addresses may not be loopback); set --advertise-address",
            advertise.getHostAddress());
        return;
      }
      passes = executor.scheduleWithFixedDelay(this::reconcile, 0, options.interval().toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  /**
   * One pass: refresh this apiserver's lease (even if the rest fails), then reconcile the objects. A failure (for
   * one, namespace {@code default} may not exist yet right after the first start) is retried after 200 ms, doubling
   * up to the interval.
   */
  void reconcile() {
    synchronized (lock) {
      if (state != State.RUNNING || !active()) {
        return;
      }
      try {
        leases.refresh(advertise.getHostAddress(), port, holder);
        reconcileObjects(false);
        backoff = FIRST_BACKOFF;
      } catch (RuntimeException e) {
        Duration retry = backoff;
        backoff = retry.multipliedBy(2).compareTo(options.interval()) > 0 ? options.interval()
            : retry.multipliedBy(2);
        if (retry.compareTo(options.interval()) < 0) {
          LOG.debug("reconciling the kubernetes endpoints failed, retrying in {}: {}", retry,
              Blocking.describe(e));
          executor.schedule(this::reconcile, retry.toMillis(), TimeUnit.MILLISECONDS);
        } else {
          LOG.warn("reconciling the kubernetes endpoints failed, will retry: {}", Blocking.describe(e));
        }
      }
    }
  }

  /** Stops (or never starts) without withdrawing the lease, as a crash would (the lease expires after its TTL). */
  public void abandon() {
    synchronized (lock) {
      stop();
    }
  }

  /** Stops, withdraws this apiserver's lease and reconciles once more, so its address leaves the endpoints. */
  @Override
  public void close() {
    synchronized (lock) {
      boolean wasRunning = state == State.RUNNING;
      stop();
      if (!wasRunning || !active()) {
        return;
      }
      try {
        leases.remove(advertise.getHostAddress(), holder);
        reconcileObjects(true);
        LOG.info("withdrew {} from the kubernetes endpoints", advertise.getHostAddress());
      } catch (RuntimeException e) {
        LOG.warn("withdrawing from the kubernetes endpoints failed (the lease expires on its own): {}",
            Blocking.describe(e));
      }
    }
  }

  private void stop() {
    state = State.STOPPED;
    if (passes != null) {
      passes.cancel(false);
    }
  }

  /** @param leaving this apiserver has just withdrawn its own lease (no lease left is then expected) */
  private void reconcileObjects(boolean leaving) {
    List<MasterLeases.Endpoint> live = leases.live();
    if (live.isEmpty()) {
      if (leaving) {
        LOG.info("the last apiserver left; the kubernetes Service keeps its endpoints");
      } else {
        LOG.warn("no apiserver endpoint is listed in storage; refusing to erase every endpoint of the kubernetes "
            + "Service");
      }
      return;
    }
    ObjectNode endpoints = endpoints(live);
    ensure(registry.store("", "v1", "endpoints"), endpoints, "subsets");
    ensure(registry.store("discovery.k8s.io", "v1", "endpointslices"), slice(endpoints), "addressType",
        "endpoints", "ports");
  }

  /**
   * Creates {@code desired}, or replaces the listed fields and adds its labels when they differ, against the
   * resourceVersion that was compared. A conflict (another apiserver wrote first) waits for the next pass. An
   * EndpointSlice whose addressType changed is deleted and created again (the field is immutable).
   */
  private void ensure(GenericStore store, ObjectNode desired, String... fields) {
    ObjectNode current;
    try {
      current = Blocking.await(store.get(NAMESPACE, NAME, Read.DEFAULT));
    } catch (RuntimeException e) {
      if (!Blocking.isCode(e, 404)) {
        throw e;
      }
      create(store, desired);
      return;
    }
    if (same(current, desired, fields)) {
      return;
    }
    String rv = ObjectMeta.resourceVersion(current);
    try {
      if (desired.has("addressType") && !desired.get("addressType").equals(current.get("addressType"))) {
        Blocking.await(store.delete(NAMESPACE, NAME, new Delete(false, null, null, rv, null,
            BootstrapController.APISERVER)));
        create(store, desired);
        return;
      }
      Blocking.await(store.updateWith(NAMESPACE, NAME, "", write(), false, cur -> {
        ObjectNode next = cur.deepCopy();
        ObjectMeta.meta(next).put("resourceVersion", rv); // a precondition: 409 if anyone wrote since
        for (String f : fields) {
          next.set(f, desired.get(f).deepCopy());
        }
        ObjectMeta.child(ObjectMeta.meta(next), "labels").setAll(labels(desired).deepCopy());
        return next;
      }));
    } catch (RuntimeException e) {
      if (!Blocking.isCode(e, 409) && !Blocking.isCode(e, 404)) {
        throw e;
      }
      LOG.debug("{} {}/{} changed meanwhile; next pass", store.type().resource(), NAMESPACE, NAME);
    }
  }

  private static boolean same(ObjectNode current, ObjectNode desired, String... fields) {
    for (String f : fields) {
      if (!desired.path(f).equals(current.path(f))) {
        return false;
      }
    }
    JsonNode currentLabels = current.path("metadata").path("labels");
    for (Map.Entry<String, JsonNode> l : labels(desired).properties()) {
      if (!l.getValue().equals(currentLabels.get(l.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static ObjectNode labels(ObjectNode obj) {
    return (ObjectNode) obj.path("metadata").path("labels");
  }

  private static void create(GenericStore store, ObjectNode desired) {
    try {
      Blocking.await(store.create(NAMESPACE, desired.deepCopy(), write()));
    } catch (RuntimeException e) {
      if (!Blocking.isCode(e, 409)) {
        throw e;
      }
    }
  }

  private static Write write() {
    return new Write(false, "kube-apiserver", BootstrapController.APISERVER);
  }

  /** The desired Endpoints: one subset per port, addresses sorted (as {@code live} is). */
  static ObjectNode endpoints(List<MasterLeases.Endpoint> live) {
    Map<Integer, List<String>> byPort = new TreeMap<>();
    for (MasterLeases.Endpoint e : live) {
      byPort.computeIfAbsent(e.port(), p -> new ArrayList<>()).add(e.ip());
    }
    ObjectNode e = object("v1", "Endpoints");
    ObjectMeta.meta(e).putObject("labels").put("endpointslice.kubernetes.io/skip-mirror", "true");
    ArrayNode subsets = e.putArray("subsets");
    byPort.forEach((port, ips) -> {
      ObjectNode subset = subsets.addObject();
      ArrayNode addresses = subset.putArray("addresses");
      ips.forEach(ip -> addresses.addObject().put("ip", ip));
      subset.putArray("ports").add(port(port));
    });
    return e;
  }

  /** The desired EndpointSlice, mirroring the Endpoints' first subset as upstream's adapter does. */
  static ObjectNode slice(ObjectNode endpoints) {
    JsonNode subset = endpoints.path("subsets").path(0);
    ObjectNode s = object("discovery.k8s.io/v1", "EndpointSlice");
    ObjectMeta.meta(s).putObject("labels").put("kubernetes.io/service-name", NAME);
    boolean allV6 = true;
    ArrayNode list = NODES.arrayNode();
    for (JsonNode a : subset.path("addresses")) {
      String ip = a.path("ip").asText();
      allV6 &= isV6(ip);
      ObjectNode ep = list.addObject();
      ep.putArray("addresses").add(ip);
      ep.putObject("conditions").put("ready", true);
    }
    s.put("addressType", allV6 && !list.isEmpty() ? "IPv6" : "IPv4");
    s.set("endpoints", list);
    s.set("ports", subset.path("ports").deepCopy());
    return s;
  }

  private static ObjectNode object(String apiVersion, String kind) {
    ObjectNode o = NODES.objectNode();
    o.put("apiVersion", apiVersion);
    o.put("kind", kind);
    ObjectNode meta = o.putObject("metadata");
    meta.put("name", NAME);
    meta.put("namespace", NAMESPACE);
    return o;
  }

  private static ObjectNode port(int port) {
    ObjectNode p = NODES.objectNode();
    p.put("name", "https");
    p.put("port", port);
    p.put("protocol", "TCP");
    return p;
  }

  private static boolean isV6(String ip) {
    try {
      return InetAddress.getByName(ip) instanceof Inet6Address;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }
}

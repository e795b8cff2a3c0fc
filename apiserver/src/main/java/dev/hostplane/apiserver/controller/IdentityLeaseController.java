package dev.hostplane.apiserver.controller;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.Times;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Registry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this apiserver's identity lease, as upstream's {@code start-kube-apiserver-identity-lease-controller}: Lease
 * {@code kube-system/<identity id>} labelled {@code apiserver.kubernetes.io/identity: kube-apiserver} and
 * {@code kubernetes.io/hostname: <host>}, holder {@code <id>_<uuid>}, renewed (renewTime) every renew interval. The
 * lease is written through the registry, so watches and lists see it like any other object. {@link #close()}
 * deletes it (a graceful exit); {@link #abandon()} just stops, as a crash would, and the collector of some other
 * replica removes it once it expires.
 *
 * <p>Threading: renewals run on {@code executor}, whose thread they block on store futures; {@link #close()} blocks
 * its caller until a renewal in progress has finished, so a deleted lease is never written again.
 */
public final class IdentityLeaseController implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IdentityLeaseController.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  public static final String NAMESPACE = "kube-system";
  public static final String IDENTITY_LABEL = "apiserver.kubernetes.io/identity";
  public static final String HOSTNAME_LABEL = "kubernetes.io/hostname";
  public static final String COMPONENT = "kube-apiserver";

  /**
   * @param leaseDuration {@code spec.leaseDurationSeconds} (upstream: 3600 s)
   * @param renewInterval how often renewTime is refreshed (upstream: 10 s)
   * @param gcInterval how often every replica collects expired identity leases (upstream: the lease duration)
   */
  public record Options(Duration leaseDuration, Duration renewInterval, Duration gcInterval) {
    public static final Options DEFAULT =
        new Options(Duration.ofSeconds(3600), Duration.ofSeconds(10), Duration.ofSeconds(3600));

    public Options {
      if (leaseDuration.toSeconds() <= 0 || renewInterval.isZero() || renewInterval.isNegative()
          || gcInterval.isZero() || gcInterval.isNegative()) {
        throw new IllegalArgumentException("lease duration, renew and gc intervals must be positive, got "
            + leaseDuration + ", " + renewInterval + ", " + gcInterval);
      }
    }
  }

  private enum State { NEW, RUNNING, ABANDONED, CLOSED }

  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

  private final Registry registry;
  private final ScheduledExecutorService executor;
  private final Clock clock;
  private final ApiServerIdentity identity;
  private final Options options;
  private final Object lock = new Object();
  // Guarded by lock:
  private State state = State.NEW;
  private ScheduledFuture<?> renewals;
  private Duration backoff = FIRST_BACKOFF;

  public IdentityLeaseController(Registry registry, ScheduledExecutorService executor, Clock clock,
      ApiServerIdentity identity, Options options) {
    this.registry = registry;
    this.executor = executor;
    this.clock = clock;
    this.identity = identity;
    this.options = options;
  }

  public ApiServerIdentity identity() {
    return identity;
  }

  /** Writes the lease at once, then renews it every renew interval. */
  public void start() {
    synchronized (lock) {
      if (state != State.NEW) {
        throw new IllegalStateException("already started");
      }
      state = State.RUNNING;
      renewals = executor.scheduleWithFixedDelay(this::renew, 0, options.renewInterval().toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  private GenericStore leases() {
    return registry.store("coordination.k8s.io", "v1", "leases");
  }

  /**
   * One renewal. A failure (for one, {@code kube-system} may not exist yet right after the first start) is retried
   * with a backoff from 200 ms doubling up to the renew interval, as upstream's lease controller backs off.
   */
  void renew() {
    synchronized (lock) {
      if (state != State.RUNNING) {
        return;
      }
      try {
        Blocking.await(leases().updateWith(NAMESPACE, identity.id(), "", write(), true, this::renewed));
        backoff = FIRST_BACKOFF;
      } catch (RuntimeException e) {
        Duration retry = backoff;
        backoff = backoff.multipliedBy(2).compareTo(options.renewInterval()) > 0 ? options.renewInterval()
            : backoff.multipliedBy(2);
        if (retry.compareTo(options.renewInterval()) < 0) {
          LOG.debug("renewing identity lease {} failed, retrying in {}: {}", identity.id(), retry,
              Blocking.describe(e));
          executor.schedule(this::renew, retry.toMillis(), TimeUnit.MILLISECONDS);
        } else {
          LOG.warn("renewing identity lease {} failed, will retry: {}", identity.id(), Blocking.describe(e));
        }
      }
    }
  }

  /** The lease after a renewal of {@code current} (null when absent): holder, duration, renewTime and labels. */
  private ObjectNode renewed(ObjectNode current) {
    ObjectNode lease = current != null ? current : NODES.objectNode();
    lease.put("apiVersion", "coordination.k8s.io/v1");
    lease.put("kind", "Lease");
    ObjectNode meta = ObjectMeta.meta(lease);
    meta.put("name", identity.id());
    meta.put("namespace", NAMESPACE);
    ObjectNode labels = ObjectMeta.child(meta, "labels");
    labels.put(IDENTITY_LABEL, COMPONENT);
    labels.put(HOSTNAME_LABEL, identity.hostname());
    ObjectNode spec = ObjectMeta.child(lease, "spec");
    spec.put("holderIdentity", identity.holderIdentity());
    spec.put("leaseDurationSeconds", options.leaseDuration().toSeconds());
    spec.put("renewTime", Times.formatMicroTime(clock.instant()));
    return lease;
  }

  /** Stops renewing and leaves the lease in place, as a crash would (it expires after the lease duration). */
  public void abandon() {
    synchronized (lock) {
      stop(State.ABANDONED);
    }
  }

  /** Stops renewing and deletes this apiserver's lease. Blocks until done (bounded by the store timeout). */
  @Override
  public void close() {
    synchronized (lock) {
      if (state != State.RUNNING) {
        stop(State.CLOSED);
        return;
      }
      stop(State.CLOSED);
      try {
        Blocking.await(leases().delete(NAMESPACE, identity.id(), new dev.hostplane.apiserver.registry.Options.Delete(
            false, null, null, null, null, BootstrapController.APISERVER)));
        LOG.info("deleted identity lease {}", identity.id());
      } catch (RuntimeException e) {
        if (!Blocking.isCode(e, 404)) {
          LOG.warn("deleting identity lease {} failed (it expires on its own): {}", identity.id(),
              Blocking.describe(e));
        }
      }
    }
  }

  private void stop(State next) {
    state = next;
    if (renewals != null) {
      renewals.cancel(false);
    }
  }

  private static dev.hostplane.apiserver.registry.Options.Write write() {
    return new dev.hostplane.apiserver.registry.Options.Write(false, COMPONENT, BootstrapController.APISERVER);
  }
}

package dev.hostplane.apiserver.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.LabelSelector;
import dev.hostplane.apiserver.api.FieldSelector;
import dev.hostplane.apiserver.api.Times;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.ObjectMeta;
import dev.hostplane.apiserver.registry.Options;
import dev.hostplane.apiserver.registry.Registry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the identity leases of apiservers that are gone, as upstream's
 * {@code start-kube-apiserver-identity-lease-garbage-collector}: every interval, each identity lease (label
 * {@code apiserver.kubernetes.io/identity=kube-apiserver} in {@code kube-system}) whose renewTime plus
 * leaseDurationSeconds lies in the past, or which lacks either, is deleted. Every replica runs one; the delete
 * carries the resourceVersion that was judged expired, so a lease renewed meanwhile survives and two collectors
 * never delete twice (the loser sees 409 or 404 and moves on).
 *
 * <p>Threading: passes run on {@code executor} and block it on store futures.
 */
public final class IdentityLeaseCollector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IdentityLeaseCollector.class);
  private static final LabelSelector IDENTITY_LEASES = LabelSelector.parse(
      IdentityLeaseController.IDENTITY_LABEL + "=" + IdentityLeaseController.COMPONENT);

  private final Registry registry;
  private final ScheduledExecutorService executor;
  private final Clock clock;
  private final Duration interval;
  private volatile ScheduledFuture<?> passes;

  public IdentityLeaseCollector(Registry registry, ScheduledExecutorService executor, Clock clock,
      Duration interval) {
    this.registry = registry;
    this.executor = executor;
    this.clock = clock;
    this.interval = interval;
  }

  /** Collects at once, then every interval. */
  public void start() {
    passes = executor.scheduleWithFixedDelay(this::collect, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One pass; returns how many leases it deleted. */
  int collect() {
    GenericStore leases = registry.store("coordination.k8s.io", "v1", "leases");
    int deleted = 0;
    try {
      ObjectNode list = Blocking.await(leases.list(IdentityLeaseController.NAMESPACE, new Options.Read(
          IDENTITY_LEASES, FieldSelector.EVERYTHING, 0, null, null, null, false, null, null)));
      Instant now = clock.instant();
      for (JsonNode item : list.withArray("items")) {
        ObjectNode lease = (ObjectNode) item;
        if (isExpired(lease, now) && delete(leases, lease)) {
          deleted++;
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("collecting expired identity leases failed, will retry: {}", Blocking.describe(e));
    }
    return deleted;
  }

  private static boolean delete(GenericStore leases, ObjectNode lease) {
    String name = ObjectMeta.name(lease);
    try {
      Blocking.await(leases.delete(IdentityLeaseController.NAMESPACE, name, new Options.Delete(false, null, null,
          ObjectMeta.resourceVersion(lease), null, BootstrapController.APISERVER)));
      LOG.info("deleted expired identity lease {}", name);
      return true;
    } catch (RuntimeException e) {
      if (Blocking.isCode(e, 404) || Blocking.isCode(e, 409)) {
        return false; // another collector was first, or the lease was renewed meanwhile
      }
      throw e;
    }
  }

  /** Upstream's rule: expired when renewTime + leaseDurationSeconds is before now, or either is missing. */
  static boolean isExpired(ObjectNode lease, Instant now) {
    JsonNode spec = lease.path("spec");
    JsonNode duration = spec.get("leaseDurationSeconds");
    Optional<Instant> renewed = Times.tryParse(spec.path("renewTime").asText(null));
    if (renewed.isEmpty() || duration == null || !duration.canConvertToLong()) {
      return true;
    }
    return renewed.get().plusSeconds(duration.asLong()).isBefore(now);
  }

  @Override
  public void close() {
    ScheduledFuture<?> p = passes;
    if (p != null) {
      p.cancel(false);
    }
  }
}

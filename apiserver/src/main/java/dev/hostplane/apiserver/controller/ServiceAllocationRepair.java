package dev.hostplane.apiserver.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.Options;
import dev.hostplane.apiserver.registry.Registry;
import dev.hostplane.apiserver.registry.types.ServiceStrategy;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the Service cluster IP and node port allocations true to the stored Services, as upstream's repair loops
 * ({@code repairClusterIPs}, {@code repairNodePorts}, every 3 minutes). At start-up, before the server accepts
 * requests, it starts following every apiserver's claims into this apiserver's allocators and runs one pass; then
 * a pass every interval. A pass marks every stored Service's values used, claims values a Service holds without a
 * claim (Services stored before claims existed), and deletes claims no Service holds that are older than the leak
 * grace (a write that died between claiming and storing; younger ones may belong to a write in flight). Values two
 * Services hold are logged, as upstream reports them.
 *
 * <p>Threading: passes run on {@code executor} and block it; {@link #start} blocks its caller.
 */
public final class ServiceAllocationRepair implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceAllocationRepair.class);
  /** Upstream's repair interval. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(3);
  /** How old an unheld claim must be before it counts as leaked: well past any write's lifetime. */
  public static final Duration DEFAULT_LEAK_GRACE = Duration.ofMinutes(5);

  private final Registry registry;
  private final ServiceStrategy services;
  private final ScheduledExecutorService executor;
  private final Clock clock;
  private final Duration interval;
  private final Duration leakGrace;
  private volatile ScheduledFuture<?> passes;

  public ServiceAllocationRepair(Registry registry, ServiceStrategy services, ScheduledExecutorService executor,
      Clock clock, Duration interval, Duration leakGrace) {
    this.registry = registry;
    this.services = services;
    this.executor = executor;
    this.clock = clock;
    this.interval = interval;
    this.leakGrace = leakGrace;
  }

  /** Follows the claims, runs the first pass (blocking the start-up thread), then schedules the others. */
  public void start() throws IOException {
    try {
      Blocking.await(services.follow());
      ServiceStrategy.RepairResult r = pass();
      log(r);
    } catch (RuntimeException e) {
      throw new IOException("cannot rebuild the Service IP and node port allocations: " + Blocking.describe(e),
          e);
    }
    passes = executor.scheduleWithFixedDelay(() -> {
      try {
        log(pass());
      } catch (RuntimeException e) {
        LOG.warn("repairing Service allocations failed, will retry: {}", Blocking.describe(e));
      }
    }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One pass; blocks. */
  ServiceStrategy.RepairResult pass() {
    GenericStore store = registry.store("", "v1", "services");
    return Blocking.await(services.repair(() -> store.list(null, Options.Read.DEFAULT).thenApply(list -> {
      List<ObjectNode> out = new ArrayList<>();
      for (JsonNode svc : list.withArray("items")) {
        out.add((ObjectNode) svc);
      }
      return out;
    }), clock.instant(), leakGrace));
  }

  private static void log(ServiceStrategy.RepairResult r) {
    if (r.claimed() > 0) {
      LOG.info("claimed {} Service allocations that had no claim", r.claimed());
    }
    if (r.leaked() > 0) {
      LOG.info("released {} Service allocations no Service holds", r.leaked());
    }
    for (String d : r.duplicates()) {
      LOG.warn("allocated more than once: {}", d);
    }
  }

  /** Stops the passes and the following of claims. */
  @Override
  public void close() {
    ScheduledFuture<?> p = passes;
    if (p != null) {
      p.cancel(false);
    }
    services.stopFollowing();
  }
}

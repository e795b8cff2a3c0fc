package dev.hostplane.apiserver.controller;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.api.LabelSelector;
import dev.hostplane.apiserver.authz.PolicyRule;
import dev.hostplane.apiserver.authz.internal.RbacObjects;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.Mirror;
import dev.hostplane.apiserver.registry.Options;
import dev.hostplane.apiserver.registry.Registry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's clusterrole-aggregation controller: the rules of every ClusterRole with an {@code aggregationRule}
 * are kept the union of the rules of the ClusterRoles its selectors match (in selector order, then name order,
 * each rule once). Follows ClusterRoles through a {@link Mirror}; any change schedules one pass over every
 * aggregated role. Writes use the read resourceVersion as precondition; a lost race is redone by the next pass,
 * which the competing write's event schedules. Replicas all run it and converge on the same rules.
 *
 * <p>Threading: passes run on {@code executor} and block it on storage futures; the mirror's listener only
 * schedules.
 */
public final class ClusterRoleAggregator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterRoleAggregator.class);
  private static final Options.Write WRITE = new Options.Write(false, "clusterrole-aggregation-controller",
      BootstrapController.APISERVER);

  private final GenericStore store;
  private final ScheduledExecutorService executor;
  private final Mirror<RbacObjects.Role> roles;
  private final AtomicBoolean pending = new AtomicBoolean();
  private volatile boolean closed;

  public ClusterRoleAggregator(Registry registry, ScheduledExecutorService executor) {
    this.store = registry.store("rbac.authorization.k8s.io", "v1", "clusterroles");
    this.executor = executor;
    this.roles = new Mirror<>(store, RbacObjects.Role::parse, (key, before, after) -> schedule());
  }

  public CompletionStage<Void> start() {
    return roles.start();
  }

  private void schedule() {
    if (!closed && pending.compareAndSet(false, true)) {
      executor.execute(this::pass);
    }
  }

  private void pass() {
    pending.set(false);
    if (closed) {
      return;
    }
    List<RbacObjects.Role> all = new ArrayList<>();
    roles.values().forEach(all::add);
    all.sort(Comparator.comparing(RbacObjects.Role::name));
    for (RbacObjects.Role target : all) {
      if (target.aggregation() == null) {
        continue;
      }
      List<PolicyRule> rules = aggregate(target, all);
      if (rules.equals(target.rules())) {
        continue;
      }
      try {
        Blocking.await(store.updateWith("", target.name(), "", WRITE, false, current -> {
          ObjectNode next = current.deepCopy();
          ((ObjectNode) next.get("metadata")).put("resourceVersion", target.resourceVersion());
          ArrayNode array = next.putArray("rules");
          rules.forEach(r -> array.add(r.toJson()));
          return next;
        }));
      } catch (RuntimeException e) {
        if (Blocking.isCode(e, 409) || Blocking.isCode(e, 404)) {
          continue; // changed meanwhile: its event schedules another pass
        }
        LOG.warn("aggregating ClusterRole {} failed ({}); retrying", target.name(), Blocking.describe(e));
        executor.schedule(this::schedule, 1, TimeUnit.SECONDS);
      }
    }
  }

  /** The union of the matched roles' rules, in selector then name order, without repeats. */
  static List<PolicyRule> aggregate(RbacObjects.Role target, List<RbacObjects.Role> sortedRoles) {
    List<PolicyRule> out = new ArrayList<>();
    for (LabelSelector selector : target.aggregation()) {
      // As upstream, an empty selector selects every ClusterRole (only cluster admins may aggregate).
      for (RbacObjects.Role r : sortedRoles) {
        if (r.name().equals(target.name()) || !selector.matches(r.labels())) {
          continue;
        }
        for (PolicyRule rule : r.rules()) {
          if (!out.contains(rule)) {
            out.add(rule);
          }
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    closed = true;
    roles.close();
  }
}

package dev.hostplane.apiserver.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.authz.BootstrapPolicy;
import dev.hostplane.apiserver.authz.PolicyRule;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.Options;
import dev.hostplane.apiserver.registry.Registry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles the {@link BootstrapPolicy} at start-up, as upstream's {@code rbac/bootstrap-roles} post-start hook:
 * missing roles and bindings are created; existing ones whose {@code rbac.authorization.kubernetes.io/autoupdate}
 * annotation is absent or "true" get the missing labels, annotations, rules (those the existing rules do not
 * cover), aggregation selectors and subjects added, and a binding whose roleRef differs is recreated. Objects
 * annotated {@code autoupdate: "false"} are left as they are.
 *
 * <p>Safe with several replicas starting at once: creates that lose a race (409) and updates against a stale
 * resourceVersion (409) read again and retry. A pass that fails (storage unavailable, namespaces not created yet) is
 * retried every second until one completes.
 *
 * <p>Threading: runs on {@code executor} and blocks that thread on storage futures.
 */
public final class RbacBootstrapController {
  private static final Logger LOG = LoggerFactory.getLogger(RbacBootstrapController.class);
  private static final int ATTEMPTS = 10;
  private static final Options.Write WRITE = new Options.Write(false, "kube-apiserver", BootstrapController.APISERVER);

  private final Registry registry;
  private final ScheduledExecutorService executor;
  private final BootstrapPolicy policy;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile boolean stopped;

  public RbacBootstrapController(Registry registry, ScheduledExecutorService executor, BootstrapPolicy policy) {
    this.registry = registry;
    this.executor = executor;
    this.policy = policy;
  }

  /** Starts the first pass (and its retries) on the executor. */
  public void start() {
    executor.execute(this::pass);
  }

  public void stop() {
    stopped = true;
  }

  /** True once a pass completed: every bootstrap object exists with at least the policy's content. */
  public boolean isDone() {
    return done.isDone();
  }

  public CompletionStage<Void> firstPass() {
    return done;
  }

  private void pass() {
    if (stopped) {
      return;
    }
    try {
      String g = BootstrapPolicy.GROUP;
      reconcileAll(registry.store(g, "v1", "clusterroles"), policy.clusterRoles());
      reconcileAll(registry.store(g, "v1", "clusterrolebindings"), policy.clusterRoleBindings());
      reconcileAll(registry.store(g, "v1", "roles"), policy.roles());
      reconcileAll(registry.store(g, "v1", "rolebindings"), policy.roleBindings());
      LOG.info("bootstrap RBAC policy reconciled");
      done.complete(null);
    } catch (RuntimeException e) {
      LOG.info("bootstrap RBAC policy not reconciled yet ({}); retrying", Blocking.describe(e));
      executor.schedule(this::pass, 1, TimeUnit.SECONDS);
    }
  }

  /**
   * One list of the type, then: missing objects are created concurrently (a lost create race is reconciled one by
   * one), existing ones that lack something are reconciled one by one.
   */
  private void reconcileAll(GenericStore store, List<ObjectNode> desired) {
    ObjectNode list = Blocking.await(store.list(null, Options.Read.DEFAULT));
    Map<String, ObjectNode> existing = new HashMap<>();
    for (JsonNode item : list.path("items")) {
      existing.put(id(item), (ObjectNode) item);
    }
    List<ObjectNode> oneByOne = new ArrayList<>();
    List<CompletableFuture<?>> creates = new ArrayList<>();
    for (ObjectNode d : desired) {
      ObjectNode have = existing.get(id(d));
      if (have == null) {
        String ns = d.path("metadata").path("namespace").asText("");
        creates.add(store.create(ns, d.deepCopy(), WRITE).toCompletableFuture().handle((created, err) -> {
          if (err != null) {
            synchronized (oneByOne) {
              oneByOne.add(d); // raced with another apiserver, or failed: the careful path decides
            }
          }
          return null;
        }));
      } else if (next(have, d) != null) {
        oneByOne.add(d);
      }
    }
    Blocking.await(CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)));
    List<ObjectNode> careful;
    synchronized (oneByOne) {
      careful = List.copyOf(oneByOne);
    }
    for (ObjectNode d : careful) {
      reconcile(store, d);
    }
  }

  private static String id(JsonNode obj) {
    return obj.path("metadata").path("namespace").asText("") + "/" + obj.path("metadata").path("name").asText();
  }

  private void reconcile(GenericStore store, ObjectNode desired) {
    String ns = desired.path("metadata").path("namespace").asText("");
    String name = desired.path("metadata").path("name").asText();
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      ObjectNode existing;
      try {
        existing = Blocking.await(store.get(ns, name, Options.Read.DEFAULT));
      } catch (RuntimeException e) {
        if (!Blocking.isCode(e, 404)) {
          throw e;
        }
        try {
          Blocking.await(store.create(ns, desired.deepCopy(), WRITE));
          return;
        } catch (RuntimeException ce) {
          if (Blocking.isCode(ce, 409)) {
            continue; // another apiserver created it: reconcile what it wrote
          }
          throw ce;
        }
      }
      if (desired.has("roleRef") && autoupdate(existing)
          && !existing.path("roleRef").equals(desired.path("roleRef"))) {
        // roleRef is immutable: replace the binding (the uid precondition keeps a concurrent replacement safe).
        String uid = existing.path("metadata").path("uid").asText(null);
        try {
          Blocking.await(store.delete(ns, name, new Options.Delete(false, null, uid, null, null,
              BootstrapController.APISERVER)));
        } catch (RuntimeException de) {
          if (!Blocking.isCode(de, 404) && !Blocking.isCode(de, 409)) {
            throw de;
          }
        }
        continue;
      }
      ObjectNode next = next(existing, desired);
      if (next == null) {
        return;
      }
      try {
        Blocking.await(store.update(ns, name, "", next, WRITE)); // resourceVersion in the body: a precondition
        LOG.info("reconciled {} {}", store.type().resource(), name);
        return;
      } catch (RuntimeException ue) {
        if (!Blocking.isCode(ue, 409) && !Blocking.isCode(ue, 404)) {
          throw ue;
        }
      }
    }
    throw new IllegalStateException("could not reconcile " + store.type().resource() + " " + name + " after "
        + ATTEMPTS + " attempts");
  }

  private static boolean autoupdate(ObjectNode existing) {
    return !existing.path("metadata").path("annotations").path(BootstrapPolicy.AUTOUPDATE).asText("true")
        .equals("false");
  }

  /**
   * What {@code existing} should become: null when it is opted out or lacks nothing. A binding with another roleRef
   * is returned as is (not null): it must be replaced.
   */
  private static ObjectNode next(ObjectNode existing, ObjectNode desired) {
    if (!autoupdate(existing)) {
      return null;
    }
    boolean binding = desired.has("roleRef");
    if (binding && !existing.path("roleRef").equals(desired.path("roleRef"))) {
      return existing;
    }
    ObjectNode next = existing.deepCopy();
    mergeMap(next, desired, "labels");
    mergeMap(next, desired, "annotations");
    if (binding) {
      mergeSubjects(next, desired);
    } else {
      mergeRules(next, desired);
      mergeAggregation(next, desired);
    }
    return next.equals(existing) ? null : next;
  }

  private static void mergeMap(ObjectNode next, ObjectNode desired, String field) {
    JsonNode want = desired.path("metadata").path(field);
    ObjectNode meta = (ObjectNode) next.get("metadata");
    ObjectNode have = meta.has(field) && meta.get(field).isObject() ? (ObjectNode) meta.get(field)
        : meta.putObject(field);
    for (var it = want.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!have.has(e.getKey())) {
        have.set(e.getKey(), e.getValue());
      }
    }
  }

  /** Adds the desired rules the existing ones do not cover, broken down as upstream's reconciliation does. */
  private static void mergeRules(ObjectNode next, ObjectNode desired) {
    List<PolicyRule> have = PolicyRule.rulesOf(next);
    List<PolicyRule> add = new ArrayList<>();
    for (PolicyRule want : PolicyRule.rulesOf(desired)) {
      for (PolicyRule unit : want.breakdown()) {
        if (have.stream().noneMatch(h -> h.covers(unit)) && !add.contains(unit)) {
          add.add(unit);
        }
      }
    }
    if (add.isEmpty()) {
      return;
    }
    ArrayNode rules = next.has("rules") && next.get("rules").isArray() ? (ArrayNode) next.get("rules")
        : next.putArray("rules");
    add.forEach(r -> rules.add(r.toJson()));
  }

  private static void mergeAggregation(ObjectNode next, ObjectNode desired) {
    JsonNode want = desired.path("aggregationRule").path("clusterRoleSelectors");
    if (!want.isArray()) {
      return;
    }
    ObjectNode agg = next.path("aggregationRule").isObject() ? (ObjectNode) next.get("aggregationRule")
        : next.putObject("aggregationRule");
    ArrayNode have = agg.path("clusterRoleSelectors").isArray() ? (ArrayNode) agg.get("clusterRoleSelectors")
        : agg.putArray("clusterRoleSelectors");
    for (JsonNode sel : want) {
      boolean present = false;
      for (JsonNode h : have) {
        present |= h.equals(sel);
      }
      if (!present) {
        have.add(sel);
      }
    }
  }

  private static void mergeSubjects(ObjectNode next, ObjectNode desired) {
    ArrayNode have = next.path("subjects").isArray() ? (ArrayNode) next.get("subjects") : null;
    for (JsonNode s : desired.path("subjects")) {
      boolean present = false;
      if (have != null) {
        for (JsonNode h : have) {
          present |= h.path("kind").equals(s.path("kind")) && h.path("name").equals(s.path("name"))
              && h.path("namespace").asText("").equals(s.path("namespace").asText(""));
        }
      }
      if (!present) {
        if (have == null) {
          have = next.putArray("subjects");
        }
        have.add(s);
      }
    }
  }
}

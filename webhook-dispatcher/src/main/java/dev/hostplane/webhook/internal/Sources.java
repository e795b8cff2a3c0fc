package dev.hostplane.webhook.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.registry.Mirror;
import dev.hostplane.apiserver.registry.Registry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the dispatcher reads from storage, followed as it changes (no restart): the webhook configurations (parsed
 * into snapshots in upstream's order: configurations by name, webhooks in list order), Namespaces (their labels),
 * Services and Endpoints (where a Service-referenced webhook is).
 *
 * <p>Thread-safe: snapshots are immutable and replaced whole.
 */
public final class Sources implements AutoCloseable {
  private static final Comparator<Webhook> ORDER =
      Comparator.comparing(Webhook::configuration).thenComparingInt(Webhook::index);

  private final Mirror<List<Webhook>> mutatingConfigs;
  private final Mirror<List<Webhook>> validatingConfigs;
  private final Mirror<ObjectNode> namespaces;
  private final dev.hostplane.apiserver.registry.GenericStore namespaceStore;
  private final Mirror<ObjectNode> services;
  private final Mirror<ObjectNode> endpoints;
  private volatile List<Webhook> mutating = List.of();
  private volatile List<Webhook> validating = List.of();
  private final CompletionStage<Void> ready;
  private final ConcurrentHashMap<String, AtomicInteger> spread = new ConcurrentHashMap<>();

  /** A dialable backend of a Service. */
  public record Endpoint(String host, int port) {}

  public Sources(Registry registry) {
    String group = "admissionregistration.k8s.io";
    // Listeners run only once start() is called, below, when every field is set.
    this.mutatingConfigs = new Mirror<>(registry.store(group, "v1", "mutatingwebhookconfigurations"),
        o -> Webhook.parse(o, true), (k, b, a) -> rebuild(true));
    this.validatingConfigs = new Mirror<>(registry.store(group, "v1", "validatingwebhookconfigurations"),
        o -> Webhook.parse(o, false), (k, b, a) -> rebuild(false));
    this.namespaceStore = registry.store("", "v1", "namespaces");
    this.namespaces = new Mirror<>(namespaceStore, o -> o, (k, b, a) -> { });
    this.services = new Mirror<>(registry.store("", "v1", "services"), o -> o, (k, b, a) -> { });
    this.endpoints = new Mirror<>(registry.store("", "v1", "endpoints"), o -> o, (k, b, a) -> { });
    this.ready = CompletableFuture.allOf(mutatingConfigs.start().toCompletableFuture(),
        validatingConfigs.start().toCompletableFuture(), namespaces.start().toCompletableFuture(),
        services.start().toCompletableFuture(), endpoints.start().toCompletableFuture());
  }

  private void rebuild(boolean mutatingHooks) {
    if (mutatingHooks) {
      mutating = flatten(mutatingConfigs);
    } else {
      validating = flatten(validatingConfigs);
    }
  }

  private static List<Webhook> flatten(Mirror<List<Webhook>> mirror) {
    List<Webhook> all = new ArrayList<>();
    mirror.values().forEach(all::addAll);
    all.sort(ORDER);
    return List.copyOf(all);
  }

  /** Completes once every mirror has its first list. */
  public CompletionStage<Void> ready() {
    return ready;
  }

  public List<Webhook> mutating() {
    return mutating;
  }

  public List<Webhook> validating() {
    return validating;
  }

  /** The names of the webhooks in force, mutating ones first, each in call order. */
  public List<String> webhookNames() {
    List<String> names = new ArrayList<>();
    mutating.forEach(h -> names.add(h.name()));
    validating.forEach(h -> names.add(h.name()));
    return names;
  }

  /**
   * The Namespace named {@code name}: as last seen, else (one created a moment ago) read from storage; fails with
   * 404 when there is none.
   */
  public CompletionStage<ObjectNode> namespace(String name) {
    ObjectNode seen = namespaces.get("", name);
    if (seen != null) {
      return CompletableFuture.completedFuture(seen);
    }
    return namespaceStore.get("", name, dev.hostplane.apiserver.registry.Options.Read.DEFAULT);
  }

  /**
   * Where to dial the Service {@code namespace/name} on service port {@code port}: a ready address of its
   * Endpoints with the port of the same name (the Service port's targetPort), spreading calls in turn across
   * addresses; an ExternalName Service's name. Fails with upstream's reason when there is none.
   */
  public Endpoint resolve(String namespace, String name, int port) {
    ObjectNode svc = services.get(namespace, name);
    if (svc == null) {
      throw new WebhookClient.CallException("services \"" + name + "\" not found", false);
    }
    JsonNode spec = svc.path("spec");
    if (spec.path("type").asText("").equals("ExternalName")) {
      return new Endpoint(spec.path("externalName").asText(), port);
    }
    JsonNode servicePort = null;
    for (JsonNode p : spec.path("ports")) {
      if (p.path("port").asInt() == port) {
        servicePort = p;
        break;
      }
    }
    if (servicePort == null) {
      throw new WebhookClient.CallException("no service port " + port + " found for service \"" + name + "\"",
          false);
    }
    String portName = servicePort.path("name").asText("");
    List<Endpoint> candidates = new ArrayList<>();
    ObjectNode eps = endpoints.get(namespace, name);
    if (eps != null) {
      for (JsonNode subset : eps.path("subsets")) {
        for (JsonNode p : subset.path("ports")) {
          if (p.path("name").asText("").equals(portName)) {
            for (JsonNode addr : subset.path("addresses")) {
              candidates.add(new Endpoint(addr.path("ip").asText(), p.path("port").asInt()));
            }
          }
        }
      }
    }
    if (candidates.isEmpty()) {
      throw new WebhookClient.CallException("no endpoints available for service \"" + name + "\"", false);
    }
    int turn = spread.computeIfAbsent(namespace + "/" + name, k -> new AtomicInteger()).getAndIncrement();
    return candidates.get(Math.floorMod(turn, candidates.size()));
  }

  @Override
  public void close() {
    mutatingConfigs.close();
    validatingConfigs.close();
    namespaces.close();
    services.close();
    endpoints.close();
  }
}

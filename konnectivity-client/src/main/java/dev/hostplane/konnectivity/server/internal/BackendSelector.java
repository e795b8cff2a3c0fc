package dev.hostplane.konnectivity.server.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Upstream's backend managers as one ordered fall-through: the first strategy with a candidate picks at random
 * among its candidates, non-draining agents first.
 */
final class BackendSelector {
  private final List<String> strategies;

  BackendSelector(List<String> strategies) {
    this.strategies = List.copyOf(strategies);
  }

  /** Null when no strategy finds an agent. Called under the tunnel lock. */
  Backend pick(List<Backend> backends, String address) {
    for (String s : strategies) {
      List<Backend> candidates = new ArrayList<>();
      for (Backend b : backends) {
        if (matches(s, b, address)) {
          candidates.add(b);
        }
      }
      Backend chosen = preferActive(candidates);
      if (chosen != null) {
        return chosen;
      }
    }
    return null;
  }

  private static boolean matches(String strategy, Backend b, String address) {
    return switch (strategy) {
      case "default" -> true;
      case "defaultRoute" -> b.identifiers().getOrDefault("default-route", List.of()).contains("true");
      case "destHost" -> {
        String host = host(address);
        yield b.identifiers().getOrDefault("host", List.of()).contains(host)
            || b.identifiers().getOrDefault("ipv4", List.of()).contains(host)
            || b.identifiers().getOrDefault("ipv6", List.of()).contains(host);
      }
      default -> false;
    };
  }

  private static Backend preferActive(List<Backend> candidates) {
    List<Backend> active = candidates.stream().filter(b -> !b.draining()).toList();
    List<Backend> from = active.isEmpty() ? candidates : active;
    return from.isEmpty() ? null : from.get(ThreadLocalRandom.current().nextInt(from.size()));
  }

  /** The host of "host:port" or "[v6]:port", without brackets. */
  static String host(String address) {
    int colon = address.lastIndexOf(':');
    String h = colon < 0 ? address : address.substring(0, colon);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h;
  }
}

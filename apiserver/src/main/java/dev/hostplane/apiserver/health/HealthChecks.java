package dev.hostplane.apiserver.health;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The checks behind {@code /healthz}, {@code /livez} and {@code /readyz}, with upstream's output: {@code ok}, or with
 * {@code ?verbose} one {@code [+]name ok} line per check and a closing {@code <endpoint> check passed}; failures list
 * every check and answer 500 with the reason withheld. Thread-safe; checks are registered at start-up.
 */
public final class HealthChecks {
  /** A named check: returns null when healthy, else a reason (logged, not shown). */
  public record Check(String name, Supplier<String> probe) {}

  /** A rendered answer. */
  public record Answer(int code, String body) {
    public byte[] bytes() {
      return body.getBytes(StandardCharsets.UTF_8);
    }
  }

  private final Map<String, List<Check>> byEndpoint = new LinkedHashMap<>();

  public HealthChecks() {
    for (String e : List.of("healthz", "livez", "readyz")) {
      byEndpoint.put(e, new ArrayList<>());
    }
  }

  /** Adds a check to the named endpoints (healthz, livez, readyz). */
  public synchronized void add(Check check, String... endpoints) {
    for (String e : endpoints) {
      List<Check> list = byEndpoint.get(e);
      if (list == null) {
        throw new IllegalArgumentException("unknown health endpoint " + e);
      }
      list.add(check);
    }
  }

  public boolean serves(String endpoint) {
    return byEndpoint.containsKey(endpoint);
  }

  /**
   * Evaluates {@code /<endpoint>} or, when {@code single} is not null, {@code /<endpoint>/<single>}. Returns empty
   * answer code 404 for an unknown single check.
   */
  public synchronized Answer evaluate(String endpoint, String single, boolean verbose, Set<String> excluded) {
    List<Check> checks = byEndpoint.get(endpoint);
    if (single != null) {
      for (Check c : checks) {
        if (c.name().equals(single)) {
          String err = c.probe().get();
          return err == null ? new Answer(200, "ok") : new Answer(500, "internal server error: " + err);
        }
      }
      return new Answer(404, "404 page not found\n");
    }
    StringBuilder sb = new StringBuilder();
    boolean failed = false;
    for (Check c : checks) {
      if (excluded.contains(c.name())) {
        sb.append("[+]").append(c.name()).append(" excluded: ok\n");
        continue;
      }
      String err = c.probe().get();
      if (err == null) {
        sb.append("[+]").append(c.name()).append(" ok\n");
      } else {
        failed = true;
        sb.append("[-]").append(c.name()).append(" failed: reason withheld\n");
      }
    }
    if (failed) {
      sb.append(endpoint).append(" check failed\n");
      return new Answer(500, sb.toString());
    }
    if (!verbose) {
      return new Answer(200, "ok");
    }
    sb.append(endpoint).append(" check passed\n");
    return new Answer(200, sb.toString());
  }
}

package dev.hostplane.ops;

import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.konnectivity.agent.Agent;
import dev.hostplane.konnectivity.agent.AgentOptions;
import dev.hostplane.konnectivity.server.internal.HttpEndpoints;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code hostplane konnectivity-agent}: runs a Konnectivity agent. On SIGTERM it drains (DRAIN to every server, no
 * new server connections), waits for open connections to end (at most {@code --drain-timeout}), then exits.
 */
final class KonnectivityAgentCommand {
  private KonnectivityAgentCommand() {}

  static Flags flags() {
    return new Flags()
        .declare("proxy-server-host", "127.0.0.1", "Proxy-server address (may be a load balancer).")
        .declare("proxy-server-port", "8091", "Proxy-server agent port.")
        .declare("ca-cert", "", "CA bundle that signs the proxy-server's certificate.")
        .declare("agent-cert", "", "Client certificate (PEM); optional with --service-account-token-path.")
        .declare("agent-key", "", "Client key (PEM, PKCS#8); optional with --service-account-token-path.")
        .declare("service-account-token-path", "",
            "File with a ServiceAccount token, read on every connection attempt and sent as a bearer token.")
        .declare("agent-id", "", "Agent id sent to the servers (default: a random UUID).")
        .declare("agent-identifiers", "",
            "Identifiers for destHost/defaultRoute routing, URL-query form: host=node1&ipv4=10.0.0.5&default-route=true")
        .declare("keepalive-time", "30s", "Ping interval towards the servers (0 = none; at least 10s).")
        .declare("sync-interval", "1s", "First retry delay after a failed connection (doubled per failure).")
        .declare("sync-interval-cap", "10s", "Longest retry delay.")
        .declare("drain-timeout", "30s", "On SIGTERM, how long open connections may take to end.")
        .declare("health-server-host", "", "Address of the health listener (empty = all addresses).")
        .declare("health-server-port", "8093", "Port of /healthz and /readyz (ready once connected to a "
            + "proxy-server; -1 = off).")
        .declare("admin-bind-address", "127.0.0.1", "Address of the admin listener.")
        .declare("admin-server-port", "8094", "Port of /metrics (-1 = off).")
        .declareBool("help", false, "Print this help.");
  }

  static AgentOptions options(Flags f) {
    String id = f.string("agent-id").isEmpty() ? UUID.randomUUID().toString() : f.string("agent-id");
    boolean token = !f.string("service-account-token-path").isEmpty();
    for (String required : token ? List.of("ca-cert") : List.of("ca-cert", "agent-cert", "agent-key")) {
      if (f.string(required).isEmpty()) {
        throw new Flags.FlagException("--" + required + " is required");
      }
    }
    try {
      return new AgentOptions(f.string("proxy-server-host"), f.integer("proxy-server-port"),
          Path.of(f.string("ca-cert")), f.path("agent-cert"), f.path("agent-key"), id,
          f.string("agent-identifiers"), f.duration("keepalive-time"), f.duration("sync-interval"),
          f.duration("sync-interval-cap"), Duration.ofSeconds(5), f.path("service-account-token-path"));
    } catch (IllegalArgumentException e) {
      throw new Flags.FlagException(e.getMessage());
    }
  }


  static int run(List<String> args) {
    Flags flags = flags();
    List<String> positional = flags.parse(args);
    if (flags.bool("help")) {
      System.out.println("Usage: hostplane konnectivity-agent [flags]\n\nFlags:\n" + flags.usage());
      return 0;
    }
    if (!positional.isEmpty()) {
      throw new Flags.FlagException("unexpected arguments: " + positional);
    }
    AgentOptions options = options(flags);
    Duration drainTimeout = flags.duration("drain-timeout");
    Agent agent;
    try {
      agent = Agent.start(options);
    } catch (IOException | RuntimeException e) {
      System.err.println("hostplane konnectivity-agent: cannot start: " + e.getMessage());
      return 1;
    }
    List<HttpEndpoints> endpoints = new ArrayList<>();
    try {
      if (flags.integer("health-server-port") >= 0) {
        String host = flags.string("health-server-host").isEmpty() ? "0.0.0.0" : flags.string("health-server-host");
        endpoints.add(HttpEndpoints.health(host, flags.integer("health-server-port"),
            () -> !agent.serverIds().isEmpty(), "not connected to any proxy-server"));
      }
      if (flags.integer("admin-server-port") >= 0) {
        endpoints.add(HttpEndpoints.admin(flags.string("admin-bind-address"), flags.integer("admin-server-port"),
            () -> agent.metrics().render()));
      }
    } catch (IOException e) {
      System.err.println("hostplane konnectivity-agent: cannot listen: " + e.getMessage());
      endpoints.forEach(HttpEndpoints::close);
      agent.close();
      return 1;
    }
    System.out.println("konnectivity-agent " + options.agentId() + ": connecting to " + options.proxyServerHost()
        + ":" + options.proxyServerPort());
    return Commands.runUntilShutdown(() -> {
      agent.drain();
      try {
        if (!agent.awaitIdle(drainTimeout)) {
          System.err.println("konnectivity-agent: " + agent.openConnections()
              + " connections still open after " + drainTimeout + "; closing them");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      agent.close();
      endpoints.forEach(HttpEndpoints::close);
    });
  }
}

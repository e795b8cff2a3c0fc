package dev.hostplane.ops;

import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.konnectivity.server.AgentTokenAuth;
import dev.hostplane.konnectivity.server.ProxyServer;
import dev.hostplane.konnectivity.server.ProxyServerOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/** {@code hostplane konnectivity-server}: runs a Konnectivity proxy-server until SIGTERM/SIGINT. */
final class KonnectivityServerCommand {
  private KonnectivityServerCommand() {}

  static Flags flags() {
    return new Flags()
        .declare("uds-name", "", "Unix domain socket for the frontend (apiserver) gRPC service, plaintext. "
            + "When set, --server-port defaults to off.")
        .declare("server-port", "8090", "Frontend gRPC port with mutual TLS (0 = off when --uds-name is set).")
        .declare("mode", "grpc", "What the frontend listeners speak: grpc or http-connect (HTTP/1.1 CONNECT).")
        .declare("server-cert", "", "Frontend serving certificate (PEM).")
        .declare("server-key", "", "Frontend serving key (PEM, PKCS#8).")
        .declare("server-ca-cert", "", "CA bundle that signs frontend client certificates.")
        .declare("agent-port", "8091", "Agent gRPC port (mutual TLS, or server TLS with agent token auth).")
        .declare("cluster-cert", "", "Agent-facing serving certificate (PEM).")
        .declare("cluster-key", "", "Agent-facing serving key (PEM, PKCS#8).")
        .declare("cluster-ca-cert", "",
            "CA bundle that signs agent client certificates (unused with agent token auth).")
        .declare("agent-namespace", "", "Agents authenticate by ServiceAccount token: the ServiceAccount's namespace. "
            + "Needs --agent-service-account, --authentication-audience and --kubeconfig.")
        .declare("agent-service-account", "", "The ServiceAccount agent tokens must belong to.")
        .declare("authentication-audience", "", "The audience agent tokens must be valid for.")
        .declare("kubeconfig", "", "Kubeconfig of the apiserver that reviews agent tokens (TokenReview).")
        .declare("bind-address", "0.0.0.0", "Address every TCP listener binds to.")
        .declare("server-id", "", "This server's id, sent to agents (default: a random UUID).")
        .declare("server-count", "1", "How many proxy-servers sit behind the agents' address.")
        .declare("proxy-strategies", "default",
            "Ordered, comma-separated backend selection: default, destHost, defaultRoute.")
        .declare("keepalive-time", "30s", "Ping interval towards agents (0 = none; at least 10s).")
        .declare("frontend-keepalive-time", "30s", "Ping interval towards frontends (0 = none; at least 10s).")
        .declare("permit-keepalive-time", "25s", "Shortest client ping interval accepted; closer pings are a flood.")
        .declare("backend-dial-timeout", "10s", "How long a dial may stay pending at an agent.")
        .declare("health-port", "8092", "Port of /healthz and /readyz (-1 = off).")
        .declare("admin-port", "8095", "Port of /metrics (-1 = off).")
        .declareBool("help", false, "Print this help.");
  }

  static ProxyServerOptions options(Flags f) {
    Path uds = f.path("uds-name");
    int serverPort = f.integer("server-port");
    if (uds != null && (!f.isSet("server-port") || serverPort == 0)) {
      serverPort = -1;
    }
    String serverId = f.string("server-id").isEmpty() ? UUID.randomUUID().toString() : f.string("server-id");
    try {
      return new ProxyServerOptions(f.string("bind-address"), uds, serverPort, f.path("server-cert"),
          f.path("server-key"), f.path("server-ca-cert"), f.integer("agent-port"), f.path("cluster-cert"),
          f.path("cluster-key"), f.path("cluster-ca-cert"), serverId, f.integer("server-count"),
          f.list("proxy-strategies"), f.duration("keepalive-time"), f.duration("frontend-keepalive-time"),
          f.duration("permit-keepalive-time"), f.duration("backend-dial-timeout"), f.integer("health-port"),
          f.integer("admin-port"), f.string("mode"), tokenAuth(f));
    } catch (IllegalArgumentException e) {
      throw new Flags.FlagException(e.getMessage());
    }
  }

  /** Null unless one of the token flags is set; then all four are required. */
  private static AgentTokenAuth tokenAuth(Flags f) {
    List<String> names = List.of("agent-namespace", "agent-service-account", "authentication-audience", "kubeconfig");
    if (names.stream().allMatch(n -> f.string(n).isEmpty())) {
      return null;
    }
    for (String n : names) {
      if (f.string(n).isEmpty()) {
        throw new Flags.FlagException("agent token authentication needs --agent-namespace, --agent-service-account,"
            + " --authentication-audience and --kubeconfig; --" + n + " is missing");
      }
    }
    return new AgentTokenAuth(f.string("agent-namespace"), f.string("agent-service-account"),
        f.string("authentication-audience"), Path.of(f.string("kubeconfig")));
  }


  static int run(List<String> args) {
    Flags flags = flags();
    List<String> positional = flags.parse(args);
    if (flags.bool("help")) {
      System.out.println("Usage: hostplane konnectivity-server [flags]\n\nFlags:\n" + flags.usage());
      return 0;
    }
    if (!positional.isEmpty()) {
      throw new Flags.FlagException("unexpected arguments: " + positional);
    }
    ProxyServerOptions options = options(flags);
    ProxyServer server;
    try {
      server = ProxyServer.start(options);
    } catch (IOException | RuntimeException e) {
      System.err.println("hostplane konnectivity-server: cannot start: " + e.getMessage());
      return 1;
    }
    System.out.println("konnectivity-server " + options.serverId() + ": agents on port " + server.agentPort()
        + (options.udsName() != null ? ", frontends on " + options.udsName() : "")
        + (server.serverPort() >= 0 ? ", frontends on port " + server.serverPort() : ""));
    return Commands.runUntilShutdown(server::close);
  }
}

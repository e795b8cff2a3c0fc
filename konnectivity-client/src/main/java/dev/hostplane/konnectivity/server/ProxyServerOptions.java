package dev.hostplane.konnectivity.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link ProxyServer} listens. Ports: {@code 0} picks a free port, {@code -1} disables that listener. Paths
 * may be null where the listener they belong to is disabled. A zero keepalive duration sends no pings.
 *
 * @param udsName frontend Unix domain socket path (plaintext), or null
 * @param serverPort frontend TCP port with mutual TLS ({@code serverCert}, {@code serverKey}, {@code serverCaCert})
 * @param agentPort agent-facing TCP port with mutual TLS ({@code clusterCert}, {@code clusterKey},
 *     {@code clusterCaCert})
 * @param serverId this server's id, sent to agents in the {@code serverID} response header
 * @param serverCount how many servers sit behind the agents' address ({@code serverCount} header)
 * @param proxyStrategies ordered backend selection: {@code default}, {@code destHost}, {@code defaultRoute}
 * @param keepaliveTime ping interval towards agents
 * @param frontendKeepaliveTime ping interval towards frontends
 * @param permitKeepaliveTime the shortest client ping interval both listeners accept
 * @param backendDialTimeout how long a dial may stay pending at an agent before it fails
 * @param healthPort {@code /healthz} and {@code /readyz}
 * @param adminPort {@code /metrics}
 * @param mode what the frontend listeners speak: {@code grpc} ({@code ProxyService/Proxy}) or {@code http-connect}
 * @param agentTokenAuth agents authenticate by ServiceAccount token instead of a client certificate, or null
 *     ({@code clusterCaCert} is then optional and unused)
 */
public record ProxyServerOptions(
    String bindAddress,
    Path udsName,
    int serverPort,
    Path serverCert,
    Path serverKey,
    Path serverCaCert,
    int agentPort,
    Path clusterCert,
    Path clusterKey,
    Path clusterCaCert,
    String serverId,
    int serverCount,
    List<String> proxyStrategies,
    Duration keepaliveTime,
    Duration frontendKeepaliveTime,
    Duration permitKeepaliveTime,
    Duration backendDialTimeout,
    int healthPort,
    int adminPort,
    String mode,
    AgentTokenAuth agentTokenAuth) {

  /** Upstream's strategy names. */
  public static final List<String> STRATEGIES = List.of("default", "destHost", "defaultRoute");
  /** Upstream's frontend modes. */
  public static final List<String> MODES = List.of("grpc", "http-connect");

  public ProxyServerOptions {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(serverId, "serverId");
    Objects.requireNonNull(mode, "mode");
    if (!MODES.contains(mode)) {
      throw new IllegalArgumentException("--mode must be one of " + MODES + ", got \"" + mode + "\"");
    }
    proxyStrategies = List.copyOf(proxyStrategies);
    Objects.requireNonNull(keepaliveTime, "keepaliveTime");
    Objects.requireNonNull(frontendKeepaliveTime, "frontendKeepaliveTime");
    Objects.requireNonNull(permitKeepaliveTime, "permitKeepaliveTime");
    Objects.requireNonNull(backendDialTimeout, "backendDialTimeout");
    requireKeepalive("--keepalive-time", keepaliveTime);
    requireKeepalive("--frontend-keepalive-time", frontendKeepaliveTime);
    if (udsName == null && serverPort < 0) {
      throw new IllegalArgumentException("no frontend listener: set --uds-name or --server-port");
    }
    if (serverPort >= 0 && (serverCert == null || serverKey == null || serverCaCert == null)) {
      throw new IllegalArgumentException(
          "--server-port needs --server-cert, --server-key and --server-ca-cert (mutual TLS)");
    }
    if (agentPort < 0) {
      throw new IllegalArgumentException("--agent-port must be 0 or more, got " + agentPort);
    }
    if (clusterCert == null || clusterKey == null) {
      throw new IllegalArgumentException("the agent port needs --cluster-cert and --cluster-key");
    }
    if (clusterCaCert == null && agentTokenAuth == null) {
      throw new IllegalArgumentException("the agent port needs --cluster-ca-cert (mutual TLS) unless agents "
          + "authenticate by token (--agent-namespace, --agent-service-account, --authentication-audience)");
    }
    if (serverCount < 1) {
      throw new IllegalArgumentException("--server-count must be at least 1, got " + serverCount);
    }
    if (proxyStrategies.isEmpty()) {
      throw new IllegalArgumentException("--proxy-strategies must name at least one strategy");
    }
    for (String s : proxyStrategies) {
      if (!STRATEGIES.contains(s)) {
        throw new IllegalArgumentException("unknown proxy strategy \"" + s + "\", expected one of " + STRATEGIES);
      }
    }
  }

  /** gRPC's floor: a keepalive interval below 10 s would be raised to 10 s silently, so it is refused. */
  static void requireKeepalive(String flag, Duration d) {
    if (d.isNegative() || (!d.isZero() && d.compareTo(Duration.ofSeconds(10)) < 0)) {
      throw new IllegalArgumentException(flag + " must be 0 (no pings) or at least 10s, got " + d);
    }
  }

  /** Defaults for the given listeners and certificates: loopback, 30 s pings both ways, 10 s dial timeout. */
  public static ProxyServerOptions of(Path udsName, int serverPort, Path serverCert, Path serverKey,
      Path serverCaCert, int agentPort, Path clusterCert, Path clusterKey, Path clusterCaCert) {
    return new ProxyServerOptions("127.0.0.1", udsName, serverPort, serverCert, serverKey, serverCaCert, agentPort,
        clusterCert, clusterKey, clusterCaCert, java.util.UUID.randomUUID().toString(), 1, List.of("default"),
        Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(25), Duration.ofSeconds(10), -1, -1, "grpc",
        null);
  }

  public ProxyServerOptions withServerId(String id, int count) {
    return new ProxyServerOptions(bindAddress, udsName, serverPort, serverCert, serverKey, serverCaCert, agentPort,
        clusterCert, clusterKey, clusterCaCert, id, count, proxyStrategies, keepaliveTime, frontendKeepaliveTime,
        permitKeepaliveTime, backendDialTimeout, healthPort, adminPort, mode,
        agentTokenAuth);
  }

  public ProxyServerOptions withStrategies(List<String> strategies) {
    return new ProxyServerOptions(bindAddress, udsName, serverPort, serverCert, serverKey, serverCaCert, agentPort,
        clusterCert, clusterKey, clusterCaCert, serverId, serverCount, strategies, keepaliveTime,
        frontendKeepaliveTime, permitKeepaliveTime, backendDialTimeout, healthPort, adminPort, mode,
        agentTokenAuth);
  }

  public ProxyServerOptions withKeepalive(Duration agents, Duration frontends, Duration permit) {
    return new ProxyServerOptions(bindAddress, udsName, serverPort, serverCert, serverKey, serverCaCert, agentPort,
        clusterCert, clusterKey, clusterCaCert, serverId, serverCount, proxyStrategies, agents, frontends, permit,
        backendDialTimeout, healthPort, adminPort, mode,
        agentTokenAuth);
  }

  public ProxyServerOptions withBackendDialTimeout(Duration timeout) {
    return new ProxyServerOptions(bindAddress, udsName, serverPort, serverCert, serverKey, serverCaCert, agentPort,
        clusterCert, clusterKey, clusterCaCert, serverId, serverCount, proxyStrategies, keepaliveTime,
        frontendKeepaliveTime, permitKeepaliveTime, timeout, healthPort, adminPort, mode, agentTokenAuth);
  }

  public ProxyServerOptions withHttpPorts(int health, int admin) {
    return new ProxyServerOptions(bindAddress, udsName, serverPort, serverCert, serverKey, serverCaCert, agentPort,
        clusterCert, clusterKey, clusterCaCert, serverId, serverCount, proxyStrategies, keepaliveTime,
        frontendKeepaliveTime, permitKeepaliveTime, backendDialTimeout, health, admin, mode, agentTokenAuth);
  }

  /** {@code grpc} or {@code http-connect} frontends. */
  public ProxyServerOptions withMode(String m) {
    return new ProxyServerOptions(bindAddress, udsName, serverPort, serverCert, serverKey, serverCaCert, agentPort,
        clusterCert, clusterKey, clusterCaCert, serverId, serverCount, proxyStrategies, keepaliveTime,
        frontendKeepaliveTime, permitKeepaliveTime, backendDialTimeout, healthPort, adminPort, m, agentTokenAuth);
  }

  /** Agents authenticate by ServiceAccount token (see {@link AgentTokenAuth}); null turns that off. */
  public ProxyServerOptions withAgentTokenAuth(AgentTokenAuth auth) {
    return new ProxyServerOptions(bindAddress, udsName, serverPort, serverCert, serverKey, serverCaCert, agentPort,
        clusterCert, clusterKey, clusterCaCert, serverId, serverCount, proxyStrategies, keepaliveTime,
        frontendKeepaliveTime, permitKeepaliveTime, backendDialTimeout, healthPort, adminPort, mode, auth);
  }

  public boolean httpConnect() {
    return mode.equals("http-connect");
  }
}

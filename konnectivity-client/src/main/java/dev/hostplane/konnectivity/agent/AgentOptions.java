package dev.hostplane.konnectivity.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link Agent} reaches its proxy-servers.
 *
 * @param proxyServerHost the proxy-server address (often a load balancer in front of several servers)
 * @param proxyServerPort the proxy-server's agent port
 * @param caCert CA bundle that signed the proxy-server's certificate
 * @param agentCert client certificate (mutual TLS)
 * @param agentKey the client certificate's key (PKCS#8 PEM)
 * @param agentId sent as {@code agentID} metadata
 * @param agentIdentifiers sent as {@code agentIdentifiers} metadata, URL-query form ({@code host=n1&ipv4=10.0.0.5})
 * @param keepaliveTime gRPC ping interval towards the server; zero sends none
 * @param syncInterval first retry delay after a failed connection (doubled up to {@code syncIntervalCap}, jittered)
 * @param syncIntervalCap the longest retry delay
 * @param dialTimeout how long a dial to a destination may take
 */
public record AgentOptions(
    String proxyServerHost,
    int proxyServerPort,
    Path caCert,
    Path agentCert,
    Path agentKey,
    String agentId,
    String agentIdentifiers,
    Duration keepaliveTime,
    Duration syncInterval,
    Duration syncIntervalCap,
    Duration dialTimeout) {

  public AgentOptions {
    Objects.requireNonNull(proxyServerHost, "proxyServerHost");
    Objects.requireNonNull(caCert, "caCert (--ca-cert)");
    Objects.requireNonNull(agentCert, "agentCert (--agent-cert)");
    Objects.requireNonNull(agentKey, "agentKey (--agent-key)");
    Objects.requireNonNull(agentId, "agentId");
    agentIdentifiers = agentIdentifiers == null ? "" : agentIdentifiers;
    Objects.requireNonNull(keepaliveTime, "keepaliveTime");
    Objects.requireNonNull(syncInterval, "syncInterval");
    Objects.requireNonNull(syncIntervalCap, "syncIntervalCap");
    Objects.requireNonNull(dialTimeout, "dialTimeout");
    if (proxyServerPort < 1 || proxyServerPort > 65535) {
      throw new IllegalArgumentException("--proxy-server-port must be 1-65535, got " + proxyServerPort);
    }
    if (keepaliveTime.isNegative() || (!keepaliveTime.isZero()
        && keepaliveTime.compareTo(Duration.ofSeconds(10)) < 0)) {
      // gRPC would raise it to 10 s silently.
      throw new IllegalArgumentException("--keepalive-time must be 0 (no pings) or at least 10s, got "
          + keepaliveTime);
    }
    if (agentId.isEmpty()) {
      throw new IllegalArgumentException("--agent-id must not be empty");
    }
    if (syncInterval.isZero() || syncInterval.isNegative()) {
      throw new IllegalArgumentException("--sync-interval must be positive, got " + syncInterval);
    }
  }

  /** Defaults: random id, 30 s keepalive, 1 s first retry capped at 10 s, 5 s destination dial timeout. */
  public static AgentOptions of(String host, int port, Path caCert, Path agentCert, Path agentKey) {
    return new AgentOptions(host, port, caCert, agentCert, agentKey, java.util.UUID.randomUUID().toString(), "",
        Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(5));
  }

  public AgentOptions withIdentity(String id, String identifiers) {
    return new AgentOptions(proxyServerHost, proxyServerPort, caCert, agentCert, agentKey, id, identifiers,
        keepaliveTime, syncInterval, syncIntervalCap, dialTimeout);
  }

  public AgentOptions withKeepalive(Duration keepalive) {
    return new AgentOptions(proxyServerHost, proxyServerPort, caCert, agentCert, agentKey, agentId,
        agentIdentifiers, keepalive, syncInterval, syncIntervalCap, dialTimeout);
  }

  public AgentOptions withSyncInterval(Duration interval, Duration cap) {
    return new AgentOptions(proxyServerHost, proxyServerPort, caCert, agentCert, agentKey, agentId,
        agentIdentifiers, keepaliveTime, interval, cap, dialTimeout);
  }
}

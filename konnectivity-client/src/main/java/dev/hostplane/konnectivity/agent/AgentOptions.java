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
 * @param agentCert client certificate (mutual TLS); may be null with {@code serviceAccountTokenPath}
 * @param agentKey the client certificate's key (PKCS#8 PEM); null exactly when {@code agentCert} is
 * @param agentId sent as {@code agentID} metadata
 * @param agentIdentifiers sent as {@code agentIdentifiers} metadata, URL-query form ({@code host=n1&ipv4=10.0.0.5})
 * @param keepaliveTime gRPC ping interval towards the server; zero sends none
 * @param syncInterval first retry delay after a failed connection (doubled up to {@code syncIntervalCap}, jittered)
 * @param syncIntervalCap the longest retry delay
 * @param dialTimeout how long a dial to a destination may take
 * @param serviceAccountTokenPath file holding a bearer token, read again for every connection attempt and sent as
 *     {@code authorization: Bearer <token>} metadata; null sends none
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
    Duration dialTimeout,
    Path serviceAccountTokenPath) {

  public AgentOptions {
    Objects.requireNonNull(proxyServerHost, "proxyServerHost");
    Objects.requireNonNull(caCert, "caCert (--ca-cert)");
    if ((agentCert == null) != (agentKey == null)) {
      throw new IllegalArgumentException("--agent-cert and --agent-key go together");
    }
    if (agentCert == null && serviceAccountTokenPath == null) {
      throw new IllegalArgumentException(
          "the agent needs a client certificate (--agent-cert, --agent-key) or --service-account-token-path");
    }
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
        Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(5), null);
  }

  /** Like {@link #of}, authenticating with the ServiceAccount token in {@code tokenPath} instead of a certificate. */
  public static AgentOptions withToken(String host, int port, Path caCert, Path tokenPath) {
    return new AgentOptions(host, port, caCert, null, null, java.util.UUID.randomUUID().toString(), "",
        Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(5), tokenPath);
  }

  public AgentOptions withIdentity(String id, String identifiers) {
    return new AgentOptions(proxyServerHost, proxyServerPort, caCert, agentCert, agentKey, id, identifiers,
        keepaliveTime, syncInterval, syncIntervalCap, dialTimeout, serviceAccountTokenPath);
  }

  public AgentOptions withKeepalive(Duration keepalive) {
    return new AgentOptions(proxyServerHost, proxyServerPort, caCert, agentCert, agentKey, agentId,
        agentIdentifiers, keepalive, syncInterval, syncIntervalCap, dialTimeout, serviceAccountTokenPath);
  }

  public AgentOptions withSyncInterval(Duration interval, Duration cap) {
    return new AgentOptions(proxyServerHost, proxyServerPort, caCert, agentCert, agentKey, agentId,
        agentIdentifiers, keepaliveTime, interval, cap, dialTimeout, serviceAccountTokenPath);
  }

  /** Sends the token in {@code path} (read per connection attempt); null sends none. */
  public AgentOptions withServiceAccountTokenPath(Path path) {
    return new AgentOptions(proxyServerHost, proxyServerPort, caCert, agentCert, agentKey, agentId,
        agentIdentifiers, keepaliveTime, syncInterval, syncIntervalCap, dialTimeout, path);
  }
}

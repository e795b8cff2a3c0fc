package dev.hostplane.ops.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What a sandbox node needs to run.
 *
 * @param kubeconfig the apiserver and the node's identity ({@code system:node:<name>} in {@code system:nodes})
 * @param nodeName the Node's name
 * @param nodeIp the address pods and the kubelet API live on (a loopback address in the sandbox)
 * @param kubeletPort the kubelet API port (0 picks a free one, then published in the Node's status)
 * @param rootDir pods' working directories and logs, and the generated serving certificate
 * @param clientCaFile the CA that signs the certificates of kubelet API clients
 * @param tlsCertFile the kubelet API serving certificate, null to generate a self-signed one in {@code rootDir}
 * @param tlsKeyFile its key, null with {@code tlsCertFile}
 * @param heartbeat how often the Lease is renewed and the Node's status reported
 * @param restartBackoff the first crash-loop back-off; doubled per restart up to five minutes
 * @param spdyPingInterval idle time after which a SPDY session (exec, attach, port-forward) is pinged
 */
public record NodeOptions(Path kubeconfig, String nodeName, String nodeIp, int kubeletPort, Path rootDir,
    Path clientCaFile, Path tlsCertFile, Path tlsKeyFile, Duration heartbeat, Duration restartBackoff,
    Duration spdyPingInterval) {
  /** Below a 60 s idle reset of NATs and SDNs, as the apiserver's HTTP/2 pings. */
  public static final Duration DEFAULT_SPDY_PING_INTERVAL = Duration.ofSeconds(30);

  /** Options with the default SPDY ping interval. */
  public NodeOptions(Path kubeconfig, String nodeName, String nodeIp, int kubeletPort, Path rootDir,
      Path clientCaFile, Path tlsCertFile, Path tlsKeyFile, Duration heartbeat, Duration restartBackoff) {
    this(kubeconfig, nodeName, nodeIp, kubeletPort, rootDir, clientCaFile, tlsCertFile, tlsKeyFile, heartbeat,
        restartBackoff, DEFAULT_SPDY_PING_INTERVAL);
  }

  public NodeOptions {
    Objects.requireNonNull(kubeconfig, "kubeconfig");
    Objects.requireNonNull(rootDir, "rootDir");
    Objects.requireNonNull(clientCaFile, "clientCaFile");
    if (nodeName == null || nodeName.isEmpty()) {
      throw new IllegalArgumentException("the node name must not be empty");
    }
    if ((tlsCertFile == null) != (tlsKeyFile == null)) {
      throw new IllegalArgumentException("a serving certificate needs its key and a key its certificate");
    }
    if (spdyPingInterval == null || spdyPingInterval.isNegative() || spdyPingInterval.isZero()) {
      throw new IllegalArgumentException("the SPDY ping interval must be positive");
    }
    if (kubeletPort < 0 || kubeletPort > 65535) {
      throw new IllegalArgumentException("kubelet port out of range: " + kubeletPort);
    }
  }
}

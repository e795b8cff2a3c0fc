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
 */
public record NodeOptions(Path kubeconfig, String nodeName, String nodeIp, int kubeletPort, Path rootDir,
    Path clientCaFile, Path tlsCertFile, Path tlsKeyFile, Duration heartbeat, Duration restartBackoff) {
  public static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

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
    if (kubeletPort < 0 || kubeletPort > 65535) {
      throw new IllegalArgumentException("kubelet port out of range: " + kubeletPort);
    }
  }
}

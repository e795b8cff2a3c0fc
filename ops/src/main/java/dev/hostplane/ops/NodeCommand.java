package dev.hostplane.ops;

import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.ops.node.NodeOptions;
import dev.hostplane.ops.node.SandboxNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code hostplane node}: a sandbox node. Registers a Node with the apiserver of {@code --kubeconfig}, runs the pods
 * bound to it as local processes and serves the kubelet API. On SIGTERM it kills every process it started and exits.
 */
final class NodeCommand {
  private NodeCommand() {}

  static Flags flags() {
    return new Flags()
        .declare("kubeconfig", "", "Kubeconfig of the node's identity (client certificate of system:node:<name> "
            + "in system:nodes).")
        .declare("node-name", "", "The Node's name (default: the host name).")
        .declare("node-ip", "127.0.0.1", "IP address of the node: its InternalIP, the pods' IP, and where the "
            + "kubelet API listens.")
        .declare("kubelet-port", "10250", "Port of the kubelet API (0 picks a free one).")
        .declare("root-dir", ".hostplane/node", "Directory for pods' working directories and logs, and the "
            + "generated serving certificate.")
        .declare("client-ca-file", "", "CA bundle that signs the certificates of kubelet API clients (required).")
        .declare("tls-cert-file", "", "Serving certificate of the kubelet API (PEM); default: self-signed, "
            + "generated in --root-dir/pki.")
        .declare("tls-private-key-file", "", "Key of --tls-cert-file (PEM).")
        .declare("node-status-update-frequency", "10s", "How often the Lease is renewed and the Node's status "
            + "reported.")
        .declareBool("help", false, "Print this help.");
  }

  static NodeOptions options(Flags f) {
    for (String required : List.of("kubeconfig", "client-ca-file")) {
      if (f.string(required).isEmpty()) {
        throw new Flags.FlagException("--" + required + " is required");
      }
    }
    if (f.string("tls-cert-file").isEmpty() != f.string("tls-private-key-file").isEmpty()) {
      throw new Flags.FlagException("--tls-cert-file and --tls-private-key-file go together");
    }
    String name = f.string("node-name");
    if (name.isEmpty()) {
      try {
        name = java.net.InetAddress.getLocalHost().getHostName().toLowerCase();
      } catch (IOException e) {
        throw new Flags.FlagException("--node-name is required: the host name is unknown");
      }
    }
    Duration heartbeat = f.duration("node-status-update-frequency");
    if (heartbeat.isZero() || heartbeat.isNegative()) {
      throw new Flags.FlagException("--node-status-update-frequency must be positive");
    }
    try {
      return new NodeOptions(Path.of(f.string("kubeconfig")), name, f.string("node-ip"), f.integer("kubelet-port"),
          Path.of(f.string("root-dir")), Path.of(f.string("client-ca-file")), f.path("tls-cert-file"),
          f.path("tls-private-key-file"), heartbeat, Duration.ofSeconds(10));
    } catch (IllegalArgumentException e) {
      throw new Flags.FlagException(e.getMessage());
    }
  }


  static int run(List<String> args) {
    Flags flags = flags();
    List<String> positional = flags.parse(args);
    if (flags.bool("help")) {
      System.out.println("Usage: hostplane node [flags]\n\n"
          + "A sandbox node: runs the pods bound to it as local processes (each container's command and args;\n"
          + "the image is recorded, not pulled) and serves the kubelet API.\n\nFlags:\n" + flags.usage());
      return 0;
    }
    if (!positional.isEmpty()) {
      throw new Flags.FlagException("unexpected arguments: " + positional);
    }
    NodeOptions options = options(flags);
    SandboxNode node;
    try {
      node = SandboxNode.start(options);
    } catch (IOException | RuntimeException e) {
      System.err.println("hostplane node: cannot start: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    System.out.println("node " + options.nodeName() + ": registered; kubelet API on https://" + options.nodeIp()
        + ":" + node.kubeletPort());
    return Commands.runUntilShutdown(node::close);
  }
}

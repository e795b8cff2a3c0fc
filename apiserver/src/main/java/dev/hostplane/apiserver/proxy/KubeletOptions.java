package dev.hostplane.apiserver.proxy;

import dev.hostplane.apiserver.config.Flags;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * How the apiserver reaches kubelets and pods, kube-apiserver's flags and defaults: {@code --kubelet-client-certificate}
 * and {@code --kubelet-client-key} (the client certificate presented to kubelets), {@code --kubelet-certificate-authority}
 * (verifies kubelets' serving certificates; when absent they are not verified, as upstream),
 * {@code --kubelet-preferred-address-types}, {@code --kubelet-port}, {@code --kubelet-timeout} and
 * {@code --egress-selector-config-file} (without it every egress is direct).
 *
 * @param clientCertificate PEM client certificate, or null to present none
 * @param clientKey its PEM private key, or null
 * @param certificateAuthority PEM bundle that verifies kubelets, or null to skip verification
 * @param preferredAddressTypes the Node address types to try, in order
 * @param port the kubelet port used when a Node has no {@code daemonEndpoints.kubeletEndpoint}
 * @param timeout how long dialling a kubelet (and its TLS handshake) may take
 * @param egressSelectorConfigFile upstream's EgressSelectorConfiguration file, or null
 */
public record KubeletOptions(Path clientCertificate, Path clientKey, Path certificateAuthority,
    List<String> preferredAddressTypes, int port, Duration timeout, Path egressSelectorConfigFile) {

  /** Upstream's Node address types. */
  public static final Set<String> ADDRESS_TYPES = Set.of("Hostname", "InternalDNS", "InternalIP", "ExternalDNS",
      "ExternalIP");
  public static final KubeletOptions DEFAULT = new KubeletOptions(null, null, null,
      List.of("Hostname", "InternalDNS", "InternalIP", "ExternalDNS", "ExternalIP"), 10250, Duration.ofSeconds(5),
      null);

  public KubeletOptions {
    preferredAddressTypes = List.copyOf(preferredAddressTypes);
    if ((clientCertificate == null) != (clientKey == null)) {
      throw new IllegalArgumentException("--kubelet-client-certificate and --kubelet-client-key go together");
    }
  }

  /** Declares the kubelet and egress flags on {@code f}. */
  public static Flags declare(Flags f) {
    return f
        .declare("kubelet-client-certificate", "", "Path to a client cert file for TLS.")
        .declare("kubelet-client-key", "", "Path to a client key file for TLS.")
        .declare("kubelet-certificate-authority", "", "Path to a cert file for the certificate authority. When "
            + "absent, kubelets' serving certificates are not verified.")
        .declare("kubelet-preferred-address-types", String.join(",", DEFAULT.preferredAddressTypes()),
            "List of the preferred NodeAddressTypes to use for kubelet connections.")
        .declare("kubelet-port", "10250", "The kubelet port used when a Node does not publish "
            + "status.daemonEndpoints.kubeletEndpoint.")
        .declare("kubelet-timeout", "5s", "Timeout for kubelet operations (dialling and the TLS handshake).")
        .declare("egress-selector-config-file", "", "File with apiserver egress selector configuration "
            + "(EgressSelectorConfiguration: how cluster, controlplane and etcd traffic leaves the apiserver, "
            + "e.g. through a Konnectivity proxy-server). Without it every egress is direct.");
  }

  /** Reads the flags; bad values fail with {@link Flags.FlagException}. */
  public static KubeletOptions from(Flags f) {
    List<String> types = f.list("kubelet-preferred-address-types");
    for (String t : types) {
      if (!ADDRESS_TYPES.contains(t)) {
        throw new Flags.FlagException("--kubelet-preferred-address-types: unknown address type \"" + t
            + "\", expected some of Hostname,InternalDNS,InternalIP,ExternalDNS,ExternalIP");
      }
    }
    if (types.isEmpty()) {
      throw new Flags.FlagException("--kubelet-preferred-address-types must name at least one address type");
    }
    int port = f.integer("kubelet-port");
    if (port < 1 || port > 65535) {
      throw new Flags.FlagException("--kubelet-port must be between 1 and 65535, got " + port);
    }
    Duration timeout = f.duration("kubelet-timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new Flags.FlagException("--kubelet-timeout must be positive, got " + f.string("kubelet-timeout"));
    }
    try {
      return new KubeletOptions(f.path("kubelet-client-certificate"), f.path("kubelet-client-key"),
          f.path("kubelet-certificate-authority"), types, port, timeout, f.path("egress-selector-config-file"));
    } catch (IllegalArgumentException e) {
      throw new Flags.FlagException(e.getMessage());
    }
  }
}

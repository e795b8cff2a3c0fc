package dev.hostplane.apiserver;

import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.apiserver.server.ServerOptions;
import dev.hostplane.apiserver.storage.etcd.EtcdStorage;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;

/**
 * Everything an {@link ApiServer} is started with. Flag names are kube-apiserver's where the concept is the same;
 * {@link #flags()} declares them and {@link #from(Flags)} reads them.
 *
 * @param advertiseAddress the address in the {@code kubernetes} Service's endpoints and in discovery
 * @param dataDir where the embedded store keeps its write-ahead log and snapshots
 * @param etcd how to reach etcd when storage is there ({@code --etcd-servers}); null for the embedded store
 * @param certDir where generated certificates live (used when no {@code --tls-cert-file} is given)
 * @param writeKubeconfig where to write an admin kubeconfig, or null
 * @param kubeconfigServer the host (name or IP) written into the kubeconfig; null uses the advertise address
 */
public record ApiServerConfig(
    ServerOptions server,
    InetAddress advertiseAddress,
    Path dataDir,
    EtcdStorage.Options etcd,
    Path certDir,
    Path tlsCertFile,
    Path tlsPrivateKeyFile,
    Path clientCaFile,
    String serviceClusterIpRange,
    Path writeKubeconfig,
    String kubeconfigServer,
    String storagePrefix,
    Duration compactionInterval,
    Duration minRequestTimeout,
    Duration watchBookmarkInterval,
    boolean watchCache,
    int watchCacheSize,
    Duration shutdownDelay,
    Duration shutdownWatchTerminationGracePeriod,
    List<String> extraSans) {

  public ApiServerConfig {
    extraSans = List.copyOf(extraSans);
  }

  /** Declares every flag {@code hostplane apiserver} accepts, with its default. */
  public static Flags flags() {
    return new Flags()
        .declare("secure-port", "6443", "The port on which to serve HTTPS (0 picks a free port).")
        .declare("bind-address", "0.0.0.0", "The IP address on which to listen for the --secure-port port.")
        .declare("advertise-address", "", "The IP address on which to advertise the apiserver to members of the "
            + "cluster (the kubernetes Service endpoint). Defaults to --bind-address, or this host's first "
            + "non-loopback address when that is a wildcard.")
        .declare("data-dir", ".hostplane/data", "Directory of the embedded storage (write-ahead log, snapshots).")
        .declare("cert-dir", ".hostplane/pki", "Directory of the generated CA, serving and admin certificates. "
            + "Ignored for serving when --tls-cert-file is given.")
        .declare("tls-cert-file", "", "File containing the default x509 serving certificate (PEM).")
        .declare("tls-private-key-file", "", "File containing the default x509 private key matching "
            + "--tls-cert-file.")
        .declare("client-ca-file", "", "If set, any request presenting a client certificate signed by one of "
            + "the authorities in this file is authenticated with the certificate's CommonName (user) and "
            + "Organizations (groups). Defaults to the cert-dir CA.")
        .declare("tls-sans", "", "Extra subject alternative names (DNS names or IPs, comma separated) for the "
            + "generated serving certificate, e.g. the cluster's public host name.")
        .declare("service-cluster-ip-range", "10.240.16.0/20", "A CIDR notation IP range from which to assign "
            + "service cluster IPs; its first IP is the kubernetes Service's.")
        .declare("write-kubeconfig", "", "Write an admin kubeconfig for this server to this path.")
        .declare("kubeconfig-server", "", "Host name or IP written as the server in --write-kubeconfig "
            + "(default: 127.0.0.1 for a wildcard bind, else the advertise address).")
        .declare("etcd-servers", "", "List of etcd servers to connect with (scheme://ip:port), comma separated. "
            + "Unset: the embedded store in --data-dir.")
        .declare("etcd-cafile", "", "SSL Certificate Authority file used to secure etcd communication.")
        .declare("etcd-certfile", "", "SSL certification file used to secure etcd communication.")
        .declare("etcd-keyfile", "", "SSL key file used to secure etcd communication.")
        .declare("etcd-prefix", "/registry", "The prefix to prepend to all resource paths in storage.")
        .declare("etcd-compaction-interval", "5m", "The interval of compaction requests (0 disables).")
        .declare("min-request-timeout", "1800", "Seconds: the minimum a watch lasts before the server ends it "
            + "(randomized up to twice this), unless the client sets timeoutSeconds.")
        .declare("watch-bookmark-interval", "1m", "How often a watch that allows bookmarks receives one.")
        .declareBool("watch-cache", true, "Enable the watch cache: watches, resourceVersion=\"0\" and "
            + "NotOlderThan reads, and consistent lists are served from memory.")
        .declare("default-watch-cache-size", "1000", "Events kept per resource in the watch cache: the window a "
            + "watch can resume from (older resourceVersions get 410 Gone).")
        .declare("shutdown-delay-duration", "0s", "Time to keep serving after SIGTERM with /readyz failing, so "
            + "load balancers stop sending new requests.")
        .declare("shutdown-watch-termination-grace-period", "5s", "Time given to end running watches on "
            + "shutdown (each gets a final bookmark).")
        .declare("max-request-body-bytes", "3145728", "Largest accepted request body; larger ones get 413.")
        .declare("http2-max-streams-per-connection", "100", "The limit on concurrent HTTP/2 streams a client may "
            + "open on one connection.")
        .declare("http2-ping-interval", "30s", "Send an HTTP/2 PING on a connection idle for this long, so that "
            + "idle connections survive NATs and SDNs that drop flows idle for 60s (0 disables).")
        .declare("http2-ping-timeout", "15s", "Close an HTTP/2 connection whose PING is not answered within this.")
        .declare("tcp-keepalive-idle", "30s", "TCP keepalive: idle time before the first probe (0 disables).")
        .declare("tcp-keepalive-interval", "10s", "TCP keepalive: time between probes.")
        .declare("tcp-keepalive-count", "3", "TCP keepalive: unanswered probes before the connection is dropped.")
        .declareBool("help", false, "Print this help.");
  }

  /** Reads a parsed command line; invalid values fail with {@link Flags.FlagException}. */
  public static ApiServerConfig from(Flags f) {
    InetAddress bind = address(f, "bind-address");
    InetAddress advertise = f.string("advertise-address").isEmpty() ? defaultAdvertise(bind)
        : address(f, "advertise-address");
    ServerOptions server = ServerOptions.DEFAULT
        .withBindAddress(bind)
        .withSecurePort(port(f.integer("secure-port")))
        .withMaxRequestBodyBytes(Long.parseLong(f.string("max-request-body-bytes")))
        .withMaxStreamsPerConnection(f.integer("http2-max-streams-per-connection"))
        .withHttp2Ping(f.duration("http2-ping-interval"), f.duration("http2-ping-timeout"))
        .withTcpKeepAlive(f.duration("tcp-keepalive-idle"), f.duration("tcp-keepalive-interval"),
            f.integer("tcp-keepalive-count"));
    return new ApiServerConfig(
        server,
        advertise,
        Path.of(f.string("data-dir")),
        etcd(f),
        Path.of(f.string("cert-dir")),
        optionalPath(f, "tls-cert-file"),
        optionalPath(f, "tls-private-key-file"),
        optionalPath(f, "client-ca-file"),
        f.string("service-cluster-ip-range"),
        optionalPath(f, "write-kubeconfig"),
        f.string("kubeconfig-server").isEmpty() ? null : f.string("kubeconfig-server"),
        f.string("etcd-prefix"),
        f.duration("etcd-compaction-interval"),
        Duration.ofSeconds(f.integer("min-request-timeout")),
        f.duration("watch-bookmark-interval"),
        f.bool("watch-cache"),
        positive(f, "default-watch-cache-size"),
        f.duration("shutdown-delay-duration"),
        f.duration("shutdown-watch-termination-grace-period"),
        f.list("tls-sans"));
  }

  /** A configuration for tests and embedding: everything default, on a free loopback port, in {@code dir}. */
  public static ApiServerConfig forTesting(Path dir) {
    Flags f = flags();
    f.parse(List.of("--secure-port=0", "--bind-address=127.0.0.1", "--data-dir=" + dir.resolve("data"),
        "--cert-dir=" + dir.resolve("pki"), "--write-kubeconfig=" + dir.resolve("admin.kubeconfig")));
    return from(f);
  }

  /** The etcd flags as storage options; null without --etcd-servers. Errors name the flag concerned. */
  private static EtcdStorage.Options etcd(Flags f) {
    List<String> servers = f.list("etcd-servers");
    Path ca = optionalPath(f, "etcd-cafile");
    Path cert = optionalPath(f, "etcd-certfile");
    Path key = optionalPath(f, "etcd-keyfile");
    if (servers.isEmpty()) {
      if (ca != null || cert != null || key != null) {
        throw new Flags.FlagException("--etcd-cafile, --etcd-certfile and --etcd-keyfile need --etcd-servers");
      }
      return null;
    }
    EtcdStorage.Options options;
    try {
      options = EtcdStorage.Options.of(servers);
    } catch (IllegalArgumentException e) {
      throw new Flags.FlagException("--etcd-servers: " + e.getMessage());
    }
    if (!options.tls() && (ca != null || cert != null || key != null)) {
      throw new Flags.FlagException("--etcd-cafile, --etcd-certfile and --etcd-keyfile need https:// "
          + "--etcd-servers, got " + String.join(",", servers));
    }
    if ((cert == null) != (key == null)) {
      throw new Flags.FlagException("--etcd-certfile and --etcd-keyfile go together; got only --"
          + (cert == null ? "etcd-keyfile" : "etcd-certfile"));
    }
    return options.withTls(ca, cert, key);
  }

  private static Path optionalPath(Flags f, String name) {
    String v = f.string(name);
    return v.isEmpty() ? null : Path.of(v);
  }

  private static int positive(Flags f, String name) {
    int v = f.integer(name);
    if (v < 1) {
      throw new Flags.FlagException("--" + name + " must be a positive integer, got " + v);
    }
    return v;
  }

  private static int port(int p) {
    if (p < 0 || p > 65535) {
      throw new Flags.FlagException("--secure-port must be between 0 and 65535, got " + p);
    }
    return p;
  }

  private static InetAddress address(Flags f, String name) {
    String v = f.string(name);
    if (!v.matches("[0-9a-fA-F:.]+")) {
      throw new Flags.FlagException("--" + name + " must be an IP address, got \"" + v + "\"");
    }
    try {
      return InetAddress.getByName(v);
    } catch (UnknownHostException e) {
      throw new Flags.FlagException("--" + name + " must be an IP address, got \"" + v + "\"");
    }
  }

  private static InetAddress defaultAdvertise(InetAddress bind) {
    if (!bind.isAnyLocalAddress()) {
      return bind;
    }
    try {
      for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!ni.isUp() || ni.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLinkLocalAddress()) {
            return a;
          }
        }
      }
    } catch (SocketException e) {
      // fall through to loopback
    }
    return InetAddress.getLoopbackAddress();
  }
}

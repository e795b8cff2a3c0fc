package dev.hostplane.apiserver;

import dev.hostplane.apiserver.authn.AuthenticationOptions;
import dev.hostplane.apiserver.audit.AuditOptions;
import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.apiserver.handlers.RequestLimits;
import dev.hostplane.apiserver.proxy.KubeletOptions;
import dev.hostplane.apiserver.controller.EndpointReconciler;
import dev.hostplane.apiserver.controller.IdentityLeaseController;
import dev.hostplane.apiserver.controller.PodBinder;
import dev.hostplane.apiserver.encryption.EncryptionConfig;
import dev.hostplane.apiserver.server.ServerOptions;
import dev.hostplane.apiserver.server.TlsPolicy;
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
 * @param advertisePort the port advertised with it; 0 means the bound secure port
 * @param dataDir where the embedded store keeps its write-ahead log and snapshots
 * @param etcd how to reach etcd when storage is there ({@code --etcd-servers}); null for the embedded store
 * @param certDir where generated certificates live (used when no {@code --tls-cert-file} is given)
 * @param writeKubeconfig where to write an admin kubeconfig, or null
 * @param kubeconfigServer the host (name or IP) written into the kubeconfig; null uses the advertise address
 * @param goawayChance the fraction of HTTP/2 requests answered with a GOAWAY after the response (0 to 0.02)
 * @param identityLease this apiserver's identity lease and the collector of expired ones
 * @param endpointReconciler how the {@code kubernetes} Service's Endpoints and EndpointSlice are kept
 * @param limits {@code --max-requests-inflight}, {@code --max-mutating-requests-inflight}, {@code --request-timeout}
 * @param authorizationModes {@code --authorization-mode}: the authorizers, in order (Node, RBAC, AlwaysAllow,
 *     AlwaysDeny)
 * @param authentication anonymous access, static tokens, service account token keys and issuers
 * @param audit the audit policy and log ({@code --audit-*}); null when auditing is off
 * @param encryption encryption at rest ({@code --encryption-provider-config}); null when values are stored as
 *     they are
 * @param bindPods {@code --bind-pods}: {@code round-robin} to bind unscheduled pods to Ready nodes in turn, or empty
 * @param kubelet how kubelets, pods and services are reached ({@code --kubelet-*},
 *     {@code --egress-selector-config-file})
 * @param admissionControlConfigFile {@code --admission-control-config-file}: upstream's AdmissionConfiguration
 *     (read by the admission plugins that take configuration: the webhooks' client credentials), or null
 */
public record ApiServerConfig(
    ServerOptions server,
    InetAddress advertiseAddress,
    int advertisePort,
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
    double goawayChance,
    IdentityLeaseController.Options identityLease,
    EndpointReconciler.Options endpointReconciler,
    List<String> extraSans,
    RequestLimits limits,
    List<String> authorizationModes,
    AuthenticationOptions authentication,
    AuditOptions audit,
    EncryptionConfig encryption,
    String bindPods,
    KubeletOptions kubelet,
    Path admissionControlConfigFile) {

  /** Upstream's bound on {@code --goaway-chance}: at most one request in fifty. */
  public static final double MAX_GOAWAY_CHANCE = 0.02;

  public ApiServerConfig {
    extraSans = List.copyOf(extraSans);
    authorizationModes = List.copyOf(authorizationModes);
  }

  /**
   * This configuration with another GOAWAY chance, up to 1: past the flag's cap of 0.02, which only guards
   * production from disconnecting too much (tests use 1 to see a GOAWAY on every request).
   */
  ApiServerConfig withGoawayChance(double chance) {
    if (chance < 0 || chance > 1) {
      throw new IllegalArgumentException("a chance is between 0 and 1, got " + chance);
    }
    return new ApiServerConfig(server, advertiseAddress, advertisePort, dataDir, etcd, certDir, tlsCertFile,
        tlsPrivateKeyFile, clientCaFile, serviceClusterIpRange, writeKubeconfig, kubeconfigServer, storagePrefix,
        compactionInterval, minRequestTimeout, watchBookmarkInterval, watchCache, watchCacheSize, shutdownDelay,
        shutdownWatchTerminationGracePeriod, chance, identityLease, endpointReconciler, extraSans, limits,
        authorizationModes, authentication, audit, encryption, bindPods, kubelet, admissionControlConfigFile);
  }

  /** Declares every flag {@code hostplane apiserver} accepts, with its default. */
  public static Flags flags() {
    Flags f = new Flags()
        .declare("secure-port", "6443", "The port on which to serve HTTPS (0 picks a free port).")
        .declare("bind-address", "0.0.0.0", "The IP address on which to listen for the --secure-port port.")
        .declare("advertise-address", "", "The IP address on which to advertise the apiserver to members of the "
            + "cluster (the kubernetes Service endpoint). Defaults to --bind-address, or this host's first "
            + "non-loopback address when that is a wildcard.")
        .declare("advertise-port", "0", "The port advertised with --advertise-address (the kubernetes Service's "
            + "targetPort and endpoint port, discovery); 0 means --secure-port. Set it when a load balancer "
            + "forwards another port to this one.")
        .declare("data-dir", ".hostplane/data", "Directory of the embedded storage (write-ahead log, snapshots).")
        .declare("cert-dir", ".hostplane/pki", "Directory of the generated CA, serving and admin certificates. "
            + "Ignored for serving when --tls-cert-file is given.")
        .declare("tls-cert-file", "", "File containing the default x509 serving certificate (PEM).")
        .declare("tls-private-key-file", "", "File containing the default x509 private key matching "
            + "--tls-cert-file.")
        .declare("tls-min-version", "VersionTLS12", "Minimum TLS version supported. Possible values: "
            + "VersionTLS12, VersionTLS13.")
        .declare("tls-cipher-suites", "", "Comma-separated list of cipher suites for the server (TLS 1.2; TLS 1.3 "
            + "suites are not configurable). If omitted, secure AEAD forward-secret suites are used. Names as in "
            + "IANA, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.")
        .declare("tls-sni-cert-key", "", "A pair of x509 certificate and private key file paths, optionally "
            + "suffixed with a list of domain patterns which are fully qualified domain names, possibly with "
            + "prefixed wildcard segments. If no domain patterns are provided, the names of the certificate are "
            + "extracted. Non-wildcard matches trump over wildcard matches, explicit domain patterns trump over "
            + "extracted names. Repeat the flag for several pairs. Examples: \"example.crt,example.key\" or "
            + "\"foo.crt,foo.key:*.foo.com,foo.com\".")
        .declareHidden("tls-reload-interval", "1m", "How often the serving certificate, key, client CA and SNI "
            + "files are checked for changes (0 disables reloading).")
        .declareHidden("request-read-timeout", "32s", "How long a client may take to send a request's headers "
            + "(from its first byte), and then again its body.")
        .declare("idle-connection-timeout", "90s", "Close a connection that has no request in flight for this "
            + "long (HTTP/2: GOAWAY first; clients reconnect on demand). 0 keeps idle connections open.")
        .declare("client-ca-file", "", "If set, any request presenting a client certificate signed by one of "
            + "the authorities in this file is authenticated with the certificate's CommonName (user) and "
            + "Organizations (groups). Defaults to the cert-dir CA.")
        .declareBool("anonymous-auth", true, "Treat requests that carry no credential as user system:anonymous "
            + "(group system:unauthenticated); false answers them 401. An invalid bearer token is always 401.")
        .declare("token-auth-file", "", "CSV file of static bearer tokens, one per line: "
            + "token,user,uid,\"group1,group2,...\" (the groups column is optional).")
        .declare("service-account-key-file", "", "PEM file of keys that verify service account tokens: RSA or "
            + "ECDSA public keys, private keys or certificates, several per file; repeat the flag for more files. "
            + "The signing key's public key is trusted as well.")
        .declare("service-account-signing-key-file", "", "PEM private key (RSA, or ECDSA P-256/P-384/P-521) that "
            + "signs issued service account tokens. Unset: an RSA key generated once in --cert-dir (sa.key, "
            + "sa.pub).")
        .declare("service-account-issuer", "https://kubernetes.default.svc.cluster.local", "The \"iss\" claim of "
            + "service account tokens. Repeatable: tokens are issued with the first value and accepted with any.")
        .declareBool("service-account-extend-token-expiration", true, "Give pod-bound tokens requested for 3607 "
            + "seconds (what kubelets ask for) a lifetime of one year, with a warnafter claim at the requested "
            + "expiry, regardless of --service-account-max-token-expiration.")
        .declare("service-account-jwks-uri", "", "The jwks_uri published in /.well-known/openid-configuration "
            + "(https only). Default: /openid/v1/jwks at the advertised address.")
        .declare("api-audiences", "", "Audiences a bearer token must be valid for to be accepted by this API "
            + "(comma separated). Default: the --service-account-issuer values.")
        .declare("service-account-max-token-expiration", "0s", "Upper bound on the lifetime of tokens issued by "
            + "the TokenRequest API; longer requests are shortened to it (0: no bound; else 1h to 2^32 s).")
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
        .declare("goaway-chance", "0.0", "To prevent HTTP/2 clients from getting stuck on a single apiserver, "
            + "randomly close a connection (GOAWAY). The client's other in-flight requests won't be affected, and "
            + "the client will reconnect, likely landing on a different apiserver after going through the load "
            + "balancer again. This argument sets the fraction of requests that will be sent a GOAWAY. Clusters "
            + "with single apiservers, or which don't use a load balancer, should NOT enable this. Min is 0 (off), "
            + "Max is .02 (1/50 requests); .001 (1/1000) is a recommended starting point.")
        .declare("endpoint-reconciler-type", "lease", "Use an endpoint reconciler (lease, none): lease keeps "
            + "every live apiserver's advertise address in the kubernetes Service's endpoints; none leaves them "
            + "alone.")
        .declareHidden("endpoint-reconciler-interval", "10s", "How often each apiserver refreshes its master "
            + "lease and reconciles the kubernetes Service's endpoints.")
        .declareHidden("endpoint-reconciler-lease-ttl", "15s", "How long a master lease lives unless refreshed.")
        .declareHidden("identity-lease-duration-seconds", "3600", "The duration of this apiserver's identity "
            + "lease in seconds.")
        .declareHidden("identity-lease-renew-interval-seconds", "10", "The interval of renewing this apiserver's "
            + "identity lease in seconds.")
        .declareHidden("identity-lease-gc-interval", "0s", "How often expired identity leases are collected "
            + "(0: every identity lease duration).")
        .declare("max-requests-inflight", "400", "The maximum number of non-mutating requests in flight at a "
            + "given time. When the server exceeds this, it rejects requests (429). Zero for no limit.")
        .declare("max-mutating-requests-inflight", "200", "The maximum number of mutating requests in flight at a "
            + "given time. When the server exceeds this, it rejects requests (429). Zero for no limit.")
        .declare("request-timeout", "1m0s", "An optional field indicating the duration a handler must keep a "
            + "request open before timing it out. This is the default request timeout for requests but may be "
            + "overridden by the timeout query parameter (only to shorten it). Watches are governed by "
            + "--min-request-timeout instead.")
        .declare("bind-pods", "", "Bind pods that have no node and use the default scheduler to Ready, "
            + "schedulable nodes: round-robin (in turn). Not a scheduler; off when empty.")
        .declare("authorization-mode", "Node,RBAC", "Ordered list of plug-ins to do authorization on secure "
            + "port. Comma-delimited list of: AlwaysAllow,AlwaysDeny,Node,RBAC. Members of system:masters are "
            + "always allowed.")
        .declare("max-request-body-bytes", "3145728", "Largest accepted request body; larger ones get 413.")
        .declare("http2-max-streams-per-connection", "100", "The limit on concurrent HTTP/2 streams a client may "
            + "open on one connection.")
        .declare("http2-ping-interval", "30s", "Send an HTTP/2 PING on a connection idle for this long, so that "
            + "idle connections survive NATs and SDNs that drop flows idle for 60s (0 disables).")
        .declare("http2-ping-timeout", "15s", "Close an HTTP/2 connection whose PING is not answered within this.")
        .declare("tcp-keepalive-idle", "30s", "TCP keepalive: idle time before the first probe (0 disables).")
        .declare("tcp-keepalive-interval", "10s", "TCP keepalive: time between probes.")
        .declare("tcp-keepalive-count", "3", "TCP keepalive: unanswered probes before the connection is dropped.")
        .declare("admission-control-config-file", "", "File with admission control configuration "
            + "(AdmissionConfiguration, apiserver.config.k8s.io/v1): the ValidatingAdmissionWebhook and "
            + "MutatingAdmissionWebhook plugins' kubeConfigFile gives the client credentials presented to webhooks, "
            + "by host.")
        .declare("encryption-provider-config", "", "The file containing configuration for encryption providers "
            + "to be used for storing secrets in etcd (and other resources it names).");
    return KubeletOptions.declare(AuditOptions.declare(f)).declareBool("help", false, "Print this help.");
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
            f.integer("tcp-keepalive-count"))
        .withTlsPolicy(tlsPolicy(f))
        .withConnectionTimeouts(positiveDuration(f, "request-read-timeout"), f.duration("idle-connection-timeout"));
    return new ApiServerConfig(
        server,
        advertise,
        advertisePort(f.integer("advertise-port")),
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
        goawayChance(f.number("goaway-chance")),
        identityLease(f),
        endpointReconciler(f),
        f.list("tls-sans"),
        limits(f),
        authorizationModes(f.string("authorization-mode")),
        authentication(f),
        AuditOptions.from(f),
        encryption(f),
        bindPods(f),
        KubeletOptions.from(f),
        f.string("admission-control-config-file").isEmpty() ? null
            : Path.of(f.string("admission-control-config-file")));
  }

  private static String bindPods(Flags f) {
    String mode = f.string("bind-pods");
    if (!mode.isEmpty() && !mode.equals(PodBinder.ROUND_ROBIN)) {
      throw new Flags.FlagException("--bind-pods: unknown mode \"" + mode + "\" (supported: "
          + PodBinder.ROUND_ROBIN + ")");
    }
    return mode;
  }

  private static TlsPolicy tlsPolicy(Flags f) {
    try {
      List<TlsPolicy.SniCertificate> sni = new java.util.ArrayList<>();
      for (String v : f.values("tls-sni-cert-key")) {
        sni.add(TlsPolicy.SniCertificate.parse(v));
      }
      return new TlsPolicy(f.string("tls-min-version"), f.list("tls-cipher-suites"), sni,
          f.duration("tls-reload-interval"));
    } catch (IllegalArgumentException e) {
      throw new Flags.FlagException(e.getMessage());
    }
  }

  private static Duration positiveDuration(Flags f, String name) {
    Duration d = f.duration(name);
    if (d.isNegative() || d.isZero()) {
      throw new Flags.FlagException("--" + name + " must be positive, got " + f.string(name));
    }
    return d;
  }

  private static RequestLimits limits(Flags f) {
    int reads = f.integer("max-requests-inflight");
    int writes = f.integer("max-mutating-requests-inflight");
    if (reads < 0 || writes < 0) {
      throw new Flags.FlagException("--max-requests-inflight and --max-mutating-requests-inflight must be 0 "
          + "(no limit) or positive, got " + reads + " and " + writes);
    }
    Duration timeout = f.duration("request-timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new Flags.FlagException("--request-timeout must be positive, got " + f.string("request-timeout"));
    }
    return new RequestLimits(reads, writes, timeout);
  }

  private static List<String> authorizationModes(String value) {
    try {
      return dev.hostplane.apiserver.authz.AuthorizationModes.parse(value);
    } catch (IllegalArgumentException e) {
      throw new Flags.FlagException("--authorization-mode: " + e.getMessage());
    }
  }

  /** {@code --encryption-provider-config}, loaded and validated: a bad file fails start-up with its problem. */
  private static EncryptionConfig encryption(Flags f) {
    String file = f.string("encryption-provider-config");
    if (file.isEmpty()) {
      return null;
    }
    try {
      return EncryptionConfig.load(Path.of(file));
    } catch (java.io.IOException e) {
      throw new Flags.FlagException("--encryption-provider-config: failed to read " + file + ": "
          + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new Flags.FlagException("--encryption-provider-config: " + file + ": " + e.getMessage());
    }
  }

  private static int advertisePort(int p) {
    if (p < 0 || p > 65535) {
      throw new Flags.FlagException("--advertise-port must be between 0 and 65535, got " + p);
    }
    return p;
  }

  private static double goawayChance(double chance) {
    if (chance < 0 || chance > MAX_GOAWAY_CHANCE) {
      throw new Flags.FlagException("--goaway-chance can not be less than 0 or greater than 0.02");
    }
    return chance;
  }

  private static IdentityLeaseController.Options identityLease(Flags f) {
    int duration = f.integer("identity-lease-duration-seconds");
    int renew = f.integer("identity-lease-renew-interval-seconds");
    if (duration <= 0) {
      throw new Flags.FlagException("--identity-lease-duration-seconds should be a positive number, but value '"
          + duration + "' provided");
    }
    if (renew <= 0) {
      throw new Flags.FlagException("--identity-lease-renew-interval-seconds should be a positive number, but "
          + "value '" + renew + "' provided");
    }
    Duration gc = f.duration("identity-lease-gc-interval");
    return new IdentityLeaseController.Options(Duration.ofSeconds(duration), Duration.ofSeconds(renew),
        gc.isZero() ? Duration.ofSeconds(duration) : gc);
  }

  private static AuthenticationOptions authentication(Flags f) {
    Duration max = f.duration("service-account-max-token-expiration");
    if (!max.isZero() && (max.compareTo(Duration.ofHours(1)) < 0 || max.getSeconds() > (1L << 32))) {
      throw new Flags.FlagException("the service-account-max-token-expiration must be between 1 hour and 2^32 "
          + "seconds");
    }
    List<String> issuers = f.list("service-account-issuer");
    for (String issuer : issuers) {
      if (issuer.contains(":") && !issuer.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.+")) {
        throw new Flags.FlagException("--service-account-issuer " + issuer + " contained a ':' but was not a "
            + "valid URL");
      }
    }
    String jwksUri = f.string("service-account-jwks-uri");
    if (!jwksUri.isEmpty() && !jwksUri.startsWith("https://")) {
      throw new Flags.FlagException("--service-account-jwks-uri requires https scheme, parsed as: " + jwksUri);
    }
    return new AuthenticationOptions(f.bool("anonymous-auth"), optionalPath(f, "token-auth-file"),
        optionalPath(f, "service-account-signing-key-file"),
        f.list("service-account-key-file").stream().map(Path::of).toList(), issuers, f.list("api-audiences"), max,
        f.bool("service-account-extend-token-expiration"), jwksUri.isEmpty() ? null : jwksUri);
  }

  private static EndpointReconciler.Options endpointReconciler(Flags f) {
    String type = f.string("endpoint-reconciler-type");
    EndpointReconciler.Type t = switch (type) {
      case "lease" -> EndpointReconciler.Type.LEASE;
      case "none" -> EndpointReconciler.Type.NONE;
      default -> throw new Flags.FlagException("--endpoint-reconciler-type must be one of lease, none; got \""
          + type + "\"");
    };
    Duration interval = f.duration("endpoint-reconciler-interval");
    Duration ttl = f.duration("endpoint-reconciler-lease-ttl");
    if (interval.isZero() || ttl.compareTo(interval) <= 0) {
      throw new Flags.FlagException("--endpoint-reconciler-lease-ttl (" + ttl + ") must be longer than "
          + "--endpoint-reconciler-interval (" + interval + "), which must be positive");
    }
    return new EndpointReconciler.Options(t, interval, ttl);
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

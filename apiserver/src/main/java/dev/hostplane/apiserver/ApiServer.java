package dev.hostplane.apiserver;

import dev.hostplane.apiserver.admission.Admission;
import dev.hostplane.apiserver.admission.AdmissionPluginFactory;
import dev.hostplane.apiserver.admission.NamespaceLifecycle;
import dev.hostplane.apiserver.admission.NodeRestriction;
import dev.hostplane.apiserver.authz.AuthorizationModes;
import dev.hostplane.apiserver.authz.Authorizer;
import dev.hostplane.apiserver.authz.AuthorizerChain;
import dev.hostplane.apiserver.authz.BootstrapPolicy;
import dev.hostplane.apiserver.authz.EscalationCheck;
import dev.hostplane.apiserver.authz.NodeAuthorizer;
import dev.hostplane.apiserver.authz.RbacAuthorizer;
import dev.hostplane.apiserver.controller.ClusterRoleAggregator;
import dev.hostplane.apiserver.controller.RbacBootstrapController;
import dev.hostplane.apiserver.authn.Authentication;
import dev.hostplane.apiserver.authn.AuthenticationOptions;
import dev.hostplane.apiserver.authn.ServiceAccountKeys;
import dev.hostplane.apiserver.authn.ServiceAccountTokens;
import dev.hostplane.apiserver.authn.TokenAuthenticator;
import dev.hostplane.apiserver.authn.TokenFile;
import dev.hostplane.apiserver.audit.Auditor;
import dev.hostplane.apiserver.controller.ApiServerIdentity;
import dev.hostplane.apiserver.controller.BootstrapController;
import dev.hostplane.apiserver.controller.EndpointReconciler;
import dev.hostplane.apiserver.controller.IdentityLeaseCollector;
import dev.hostplane.apiserver.controller.IdentityLeaseController;
import dev.hostplane.apiserver.controller.NamespaceController;
import dev.hostplane.apiserver.controller.PodBinder;
import dev.hostplane.apiserver.controller.ServiceAccountTokenController;
import dev.hostplane.apiserver.controller.ServiceAllocationRepair;
import dev.hostplane.apiserver.discovery.Discovery;
import dev.hostplane.apiserver.encryption.EncryptingStorage;
import dev.hostplane.apiserver.handlers.ApiHandler;
import dev.hostplane.apiserver.handlers.AuthenticationHandler;
import dev.hostplane.apiserver.handlers.GoawayChance;
import dev.hostplane.apiserver.handlers.InflightRequests;
import dev.hostplane.apiserver.handlers.ResourceHandler;
import dev.hostplane.apiserver.health.HealthChecks;
import dev.hostplane.apiserver.metrics.ApiMetrics;
import dev.hostplane.apiserver.openapi.OpenApiDocuments;
import dev.hostplane.apiserver.pki.CertDir;
import dev.hostplane.apiserver.pki.Cidr;
import dev.hostplane.apiserver.pki.Kubeconfig;
import dev.hostplane.apiserver.proxy.KubeletClient;
import dev.hostplane.apiserver.proxy.ProxyHandler;
import dev.hostplane.apiserver.registry.CachedReader;
import dev.hostplane.apiserver.registry.CurrentObjects;
import dev.hostplane.apiserver.registry.Registry;
import dev.hostplane.apiserver.registry.WatchSession;
import dev.hostplane.apiserver.registry.types.BuiltinResources;
import dev.hostplane.apiserver.registry.types.NodePortAllocator;
import dev.hostplane.apiserver.registry.types.RangeReservations;
import dev.hostplane.apiserver.registry.types.ServiceAddressAllocator;
import dev.hostplane.apiserver.registry.types.ServiceStrategy;
import dev.hostplane.apiserver.server.ApiHttpServer;
import dev.hostplane.apiserver.server.ServerOptions;
import dev.hostplane.apiserver.storage.Compactor;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageFactory;
import dev.hostplane.apiserver.storage.cache.WatchCache;
import dev.hostplane.konnectivity.Dialer;
import dev.hostplane.konnectivity.client.EgressSelector;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One apiserver: storage, registry, controllers and the HTTPS server, assembled from an {@link ApiServerConfig}.
 * Several may run on one storage (replicas); each has its own registry, allocators and controllers, and together
 * they behave as one apiserver (identity leases, the kubernetes Service's endpoints, Service allocations claimed in
 * storage). {@link #start} returns once the server listens; {@code /readyz} turns ok when the bootstrap objects
 * exist. {@link #close} shuts down gracefully (see there).
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  /** Upstream's request timeout: the longest an in-flight request is waited for on shutdown. */
  static final Duration REQUEST_DRAIN_LIMIT = Duration.ofSeconds(60);

  private final ApiServerConfig config;
  private final Storage storage;
  private final boolean ownsStorage;
  private final ApiHttpServer http;
  private final ExecutorService apiExecutor;
  private final ScheduledExecutorService timer;
  private final ScheduledExecutorService controllers;
  private final Controllers loops;
  private final Compactor compactor;
  private final Set<WatchSession> watches;
  private final InflightRequests inflight;
  private final AtomicBoolean notReady;
  private final AtomicBoolean shuttingDown = new AtomicBoolean();
  private final Path kubeconfig;
  private final Authorizer authorizer;
  private final Auditor auditor;
  private final KubeletClient kubelets;

  /** The in-process loops, in start order. */
  private record Controllers(ServiceAllocationRepair allocationRepair, NamespaceController namespaces,
      BootstrapController bootstrap, EndpointReconciler endpoints, IdentityLeaseController identity,
      IdentityLeaseCollector identityCollector, RbacBootstrapController rbacBootstrap,
      List<AutoCloseable> followers, ServiceAccountTokenController tokenSecrets) {}

  private ApiServer(ApiServerConfig config, Storage storage, boolean ownsStorage, ApiHttpServer http,
      ExecutorService apiExecutor, ScheduledExecutorService timer, ScheduledExecutorService controllers,
      Controllers loops, Compactor compactor, Path kubeconfig, Set<WatchSession> watches,
      InflightRequests inflight, AtomicBoolean notReady, Authorizer authorizer, Auditor auditor,
      KubeletClient kubelets) {
    this.auditor = auditor;
    this.kubelets = kubelets;
    this.config = config;
    this.authorizer = authorizer;
    this.storage = storage;
    this.ownsStorage = ownsStorage;
    this.http = http;
    this.apiExecutor = apiExecutor;
    this.timer = timer;
    this.controllers = controllers;
    this.loops = loops;
    this.compactor = compactor;
    this.kubeconfig = kubeconfig;
    this.watches = watches;
    this.inflight = inflight;
    this.notReady = notReady;
  }

  /** Starts an apiserver on its own embedded storage; blocking I/O (certificates, storage recovery). */
  public static ApiServer start(ApiServerConfig config) throws IOException {
    return start0(config, null, List.of());
  }

  /**
   * Starts an apiserver on {@code sharedStorage}, which the caller owns: other apiservers may use it too (replicas),
   * and {@link #close} leaves it open. {@code --data-dir} is not used. Blocking: call from a plain thread.
   */
  public static ApiServer start(ApiServerConfig config, Storage sharedStorage) throws IOException {
    return start0(config, Objects.requireNonNull(sharedStorage, "sharedStorage"), List.of());
  }

  /**
   * Starts an apiserver with extra admission plugins (the admission webhooks), in list order after the built-in
   * ones; {@code sharedStorage} as in {@link #start(ApiServerConfig, Storage)}, or null for its own storage.
   */
  public static ApiServer start(ApiServerConfig config, Storage sharedStorage,
      List<AdmissionPluginFactory> admissionPlugins) throws IOException {
    return start0(config, sharedStorage, List.copyOf(admissionPlugins));
  }

  private static ApiServer start0(ApiServerConfig config, Storage sharedStorage,
      List<AdmissionPluginFactory> admissionPlugins) throws IOException {
    Clock clock = Clock.systemUTC();
    Cidr serviceRange = Cidr.parse(config.serviceClusterIpRange());
    String serviceIp = serviceRange.firstIp().getHostAddress();

    // TLS material: given files, or the cert dir's generated ones.
    CertDir certs = CertDir.loadOrCreate(config.certDir(), config.advertiseAddress(),
        config.serviceClusterIpRange(), config.extraSans());
    Path certFile = config.tlsCertFile() != null ? config.tlsCertFile() : certs.servingCertFile();
    Path keyFile = config.tlsPrivateKeyFile() != null ? config.tlsPrivateKeyFile() : certs.servingKeyFile();
    Path clientCa = config.clientCaFile() != null ? config.clientCaFile() : certs.caCertFile();
    // Service account token keys (given, or generated in the cert dir) and the static token file: read before
    // anything starts, so a bad file fails start-up.
    AuthenticationOptions authOptions = config.authentication();
    ServiceAccountKeys saKeys = ServiceAccountKeys.load(authOptions.signingKeyFile(), authOptions.keyFiles(),
        config.certDir());
    TokenFile tokenFile = authOptions.tokenAuthFile() == null ? null
        : TokenFile.read(authOptions.tokenAuthFile(), authOptions.apiAudiences())
            .withAudiences(authOptions.apiAudiences());

    // A shared storage (replicas in one process, for tests) is the caller's; else the configured backend.
    StorageFactory.Backend opened = sharedStorage != null
        ? new StorageFactory.Backend(sharedStorage, () -> null)
        : StorageFactory.open(config.dataDir(), config.etcd());
    ApiMetrics metrics = new ApiMetrics();
    // Encryption at rest sits between the watch cache and the backend: the backend holds ciphertext, the cache
    // and the registry plaintext.
    EncryptingStorage encrypting = config.encryption() == null ? null
        : new EncryptingStorage(opened.storage(), config.encryption(), metrics::storageTransformation);
    Storage backend = encrypting != null ? encrypting : opened.storage();
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, named("apiserver-timer"));
    ScheduledExecutorService controllers = Executors.newScheduledThreadPool(3, named("apiserver-controller"));
    int workers = Math.max(4, Runtime.getRuntime().availableProcessors() * 4);
    ExecutorService apiExecutor = new ThreadPoolExecutor(workers, workers, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(10_000), named("apiserver-worker"));
    // Every read and watch goes through the watch cache (when enabled); it owns the backend.
    WatchCache watchCache = config.watchCache()
        ? new WatchCache(backend, sharedStorage == null,
            WatchCache.Options.DEFAULT.withCapacity(config.watchCacheSize()), timer, apiExecutor)
        : null;
    Storage storage = watchCache != null ? watchCache : backend;

    // Services allocate from this apiserver's view of the ranges and claim in storage, shared with the others.
    ServiceStrategy services = new ServiceStrategy(new ServiceAddressAllocator(config.serviceClusterIpRange()),
        new NodePortAllocator(), new ServiceStrategy.Reservations(
            new RangeReservations(storage, config.storagePrefix(), "serviceips", clock),
            new RangeReservations(storage, config.storagePrefix(), "servicenodeports", clock)));
    var catalog = BuiltinResources.catalog(services);
    AtomicReference<CachedReader> namespaceReader = new AtomicReference<>();
    // The escalation check needs the authorizers, which need the registry: both are set just below.
    AtomicReference<Authorizer> authorizerRef = new AtomicReference<>();
    AtomicReference<RbacAuthorizer> rbacRef = new AtomicReference<>();
    // Logs, exec, attach, port-forward and the proxy subresources leave through the cluster egress; webhooks through
    // the cluster (Service references) and controlplane (URLs) egress of the same selection.
    KubeletClient kubelets;
    try {
      kubelets = KubeletClient.create(config.kubelet());
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    // Extra plugins need the registry, so they are built after it and reached through a reference.
    AtomicReference<Admission> extraAdmission = new AtomicReference<>(Admission.chain(List.of()));
    Admission admission = Admission.chain(List.of(
        new NamespaceLifecycle(name -> namespaceReader.get().get("", name)),
        new NodeRestriction(),
        new EscalationCheck(authorizerRef::get, rbacRef::get),
        Admission.deferred(extraAdmission::get)));
    dev.hostplane.apiserver.openapi.Schemas schemas = dev.hostplane.apiserver.openapi.Schemas.builtin();
    Registry registry = new Registry(catalog, storage, admission, clock, config.storagePrefix(),
        gvk -> schemas.byGvk(gvk).map(dev.hostplane.apiserver.openapi.SchemaPatchView::of).orElse(null));
    namespaceReader.set(new CachedReader(registry.store("", "v1", "namespaces")));
    List<AutoCloseable> pluginResources = new java.util.ArrayList<>();
    extraAdmission.set(extraAdmission(admissionPlugins, registry, metrics, config, timer, pluginResources,
        kubelets.egress()));
    if (encrypting != null) {
      for (var type : catalog.all()) {
        encrypting.resource(registry.store(type).listPrefix(null), type.group(), type.resource());
      }
    }
    if (watchCache != null) {
      java.util.Set<String> roots = new java.util.HashSet<>();
      for (var type : catalog.all()) {
        String root = registry.store(type).listPrefix(null);
        watchCache.cache(root);
        if (roots.add(root)) { // types sharing a root (HPA v1/v2, core/events.k8s.io events) count once
          metrics.watchCache(type.group().isEmpty() ? type.resource() : type.resource() + "." + type.group(),
              watchCache.stats(root));
        }
      }
    }
    // Authorization: RBAC's index always runs (the escalation check reads it), the Node graph with mode Node.
    BootstrapPolicy policy = BootstrapPolicy.get();
    RbacAuthorizer rbac = new RbacAuthorizer(registry);
    rbacRef.set(rbac);
    NodeAuthorizer nodeAuthorizer = config.authorizationModes().contains(AuthorizationModes.NODE)
        ? new NodeAuthorizer(registry, policy.clusterRoleRules("system:node")) : null;
    Authorizer authorizer = AuthorizerChain.of(config.authorizationModes(), nodeAuthorizer, rbac);
    authorizerRef.set(authorizer);
    rbac.start();
    if (nodeAuthorizer != null) {
      nodeAuthorizer.start();
    }
    ClusterRoleAggregator aggregator = new ClusterRoleAggregator(registry, controllers);
    aggregator.start();
    RbacBootstrapController rbacBootstrap = new RbacBootstrapController(registry, controllers, policy);
    List<AutoCloseable> followers = new java.util.ArrayList<>(nodeAuthorizer == null ? List.of(aggregator, rbac)
        : List.of(aggregator, rbac, nodeAuthorizer));
    followers.addAll(pluginResources);

    ServiceAllocationRepair allocationRepair = new ServiceAllocationRepair(registry, services, controllers, clock,
        ServiceAllocationRepair.DEFAULT_INTERVAL, ServiceAllocationRepair.DEFAULT_LEAK_GRACE);
    allocationRepair.start(); // before serving: the allocators must know what is taken

    AtomicReference<BootstrapController> bootstrapRef = new AtomicReference<>();
    NamespaceController nsController = new NamespaceController(registry, controllers, Duration.ofSeconds(5));

    AtomicBoolean shutdownFlag = new AtomicBoolean();
    HealthChecks health = new HealthChecks();
    health.add(new HealthChecks.Check("ping", () -> null), "healthz", "livez", "readyz");
    health.add(new HealthChecks.Check("log", () -> null), "healthz", "livez", "readyz");
    health.add(new HealthChecks.Check("etcd", opened.health()), "healthz", "livez", "readyz");
    health.add(new HealthChecks.Check("poststarthook/bootstrap-controller",
        () -> bootstrapRef.get() != null && bootstrapRef.get().isDone() ? null : "not finished"), "healthz", "livez", "readyz");
    health.add(new HealthChecks.Check("poststarthook/rbac/bootstrap-roles",
        () -> rbacBootstrap.isDone() && rbac.synced() && (nodeAuthorizer == null || nodeAuthorizer.synced())
            ? null : "not finished"), "healthz", "livez", "readyz");
    health.add(new HealthChecks.Check("shutdown", () -> shutdownFlag.get() ? "shutting down" : null), "readyz");

    Set<WatchSession> watches = ConcurrentHashMap.newKeySet();
    ResourceHandler resources = new ResourceHandler(catalog, registry::store, timer,
        new WatchSession.Timing(config.watchBookmarkInterval(), config.minRequestTimeout()),
        new ResourceHandler.WatchRegistry() {
          @Override
          public void add(WatchSession session) {
            watches.add(session);
          }

          @Override
          public void remove(WatchSession session) {
            watches.remove(session);
          }
        }, new dev.hostplane.apiserver.handlers.Views(new dev.hostplane.apiserver.printers.TableConvertor(clock)));
    // Port 0 means "pick one": the advertised port may be known only after binding, so discovery reads it late.
    AtomicInteger advertisedPort = new AtomicInteger(config.advertisePort() != 0 ? config.advertisePort()
        : config.server().securePort());
    List<Discovery.ExtraResource> extraResources = new java.util.ArrayList<>(
        dev.hostplane.apiserver.handlers.ReviewHandler.RESOURCES);
    extraResources.addAll(AuthenticationHandler.RESOURCES);
    Discovery discovery = new Discovery(catalog, extraResources,
        () -> hostPort(config.advertiseAddress().getHostAddress(), advertisedPort.get()));
    InflightRequests inflight = new InflightRequests();
    Auditor auditor = config.audit() == null ? null : Auditor.start(config.audit(), metrics.registry(), clock);
    CurrentObjects objects = new CurrentObjects(registry);
    ServiceAccountTokens saTokens = new ServiceAccountTokens(saKeys, authOptions.issuers(),
        authOptions.apiAudiences(), authOptions.maxTokenExpiration(), authOptions.extendTokenExpiration(), objects,
        clock);
    List<TokenAuthenticator> tokenAuthenticators = new java.util.ArrayList<>();
    if (tokenFile != null) {
      tokenAuthenticators.add(tokenFile);
    }
    tokenAuthenticators.add(saTokens);
    Authentication authentication = new Authentication(authOptions.anonymous(), tokenAuthenticators,
        authOptions.apiAudiences());
    ApiHandler handler = new ApiHandler(apiExecutor, authentication, authorizer,
        new AuthenticationHandler(authentication, saTokens, objects, () -> authOptions.jwksUri() != null
            ? authOptions.jwksUri()
            : "https://" + hostPort(config.advertiseAddress().getHostAddress(), advertisedPort.get())
                + "/openid/v1/jwks"),
        discovery, health, new OpenApiDocuments(catalog), resources, metrics, inflight,
        GoawayChance.of(config.goawayChance()), config.limits(), auditor, new ProxyHandler(kubelets, objects));

    ServerOptions serverOptions = config.server().withTls(certFile, keyFile, clientCa);
    ApiHttpServer http = ApiHttpServer.start(serverOptions, handler);
    if (config.advertisePort() == 0) {
      advertisedPort.set(http.port());
    }
    BootstrapController bootstrap = new BootstrapController(registry, controllers, serviceIp,
        advertisedPort.get(), Duration.ofSeconds(10));
    bootstrapRef.set(bootstrap);
    ApiServerIdentity identity = ApiServerIdentity.of(ApiServerIdentity.localHostname(), http.port());
    EndpointReconciler endpoints = new EndpointReconciler(registry, storage, config.storagePrefix(), controllers,
        clock, identity.id(), config.advertiseAddress(), advertisedPort.get(), config.endpointReconciler());
    IdentityLeaseController identityLease = new IdentityLeaseController(registry, controllers, clock, identity,
        config.identityLease());
    IdentityLeaseCollector identityCollector = new IdentityLeaseCollector(registry, controllers, clock,
        config.identityLease().gcInterval());
    LOG.info("serving on https://{}:{} as {} (TLS: {})", config.server().bindAddress().getHostAddress(),
        http.port(), identity.id(), ApiHttpServer.tlsProvider());

    Compactor compactor = null;
    if (!config.compactionInterval().isZero()) {
      // Replicas on one store take turns through upstream's compact_rev_key: one compaction per interval.
      compactor = new Compactor(storage, config.compactionInterval(), Compactor.Scheduler.of(timer),
          "compact_rev_key");
      compactor.start();
    }
    nsController.start();
    ServiceAccountTokenController tokenSecrets = new ServiceAccountTokenController(registry, saTokens,
        dev.hostplane.apiserver.pki.Pem.certificate(certs.ca().certificate())
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII), controllers, Duration.ofMinutes(5));
    tokenSecrets.start();
    bootstrap.start();
    // The endpoints live in namespace default, which the bootstrap controller's first pass creates.
    bootstrap.firstPass().thenRun(endpoints::start);
    // The namespaced bootstrap roles live in kube-system and kube-public, which the first pass creates.
    bootstrap.firstPass().thenRun(rbacBootstrap::start);
    identityLease.start();
    identityCollector.start();
    if (PodBinder.ROUND_ROBIN.equals(config.bindPods())) {
      PodBinder binder = new PodBinder(registry, controllers, Duration.ofSeconds(2));
      binder.start();
      followers.add(binder);
    }

    Path kubeconfig = null;
    if (config.writeKubeconfig() != null) {
      String host = config.kubeconfigServer() != null ? config.kubeconfigServer()
          : config.server().bindAddress().isAnyLocalAddress() ? "127.0.0.1"
          : config.server().bindAddress().getHostAddress();
      Kubeconfig.write(config.writeKubeconfig(), "hostplane", Kubeconfig.serverUrl(host, http.port()),
          certs.ca().certificate(), certs.admin());
      kubeconfig = config.writeKubeconfig();
      LOG.info("wrote admin kubeconfig {}", kubeconfig);
    }
    // The watch cache is always closed (it ends its watches); it closes the backend only when it owns it.
    return new ApiServer(config, storage, watchCache != null || sharedStorage == null, http, apiExecutor, timer, controllers,
        new Controllers(allocationRepair, nsController, bootstrap, endpoints, identityLease, identityCollector,
            rbacBootstrap, followers, tokenSecrets),
        compactor, kubeconfig, watches, inflight, shutdownFlag, authorizer, auditor, kubelets);
  }

  /**
   * Builds the extra admission plugins, chained in order, dialling through {@code egress} (owned by the kubelet
   * client, closed after the plugins). Whatever must be closed at shutdown is added to {@code resources}.
   */
  private static Admission extraAdmission(List<AdmissionPluginFactory> factories, Registry registry,
      ApiMetrics metrics, ApiServerConfig config, ScheduledExecutorService timer, List<AutoCloseable> resources,
      EgressSelector egress) throws IOException {
    if (factories.isEmpty()) {
      return Admission.chain(List.of());
    }
    Dialer cluster = egress.dialer("cluster");
    Dialer controlplane = egress.dialer("controlplane");
    AdmissionPluginFactory.Context context = new AdmissionPluginFactory.Context(registry, cluster, controlplane,
        metrics.registry(), config.limits().requestTimeout(), timer, config.admissionControlConfigFile());
    List<Admission> plugins = new java.util.ArrayList<>();
    for (AdmissionPluginFactory factory : factories) {
      Admission plugin;
      try {
        plugin = factory.create(context);
      } catch (IllegalArgumentException e) {
        throw new IOException(e.getMessage(), e); // a bad configuration file: start-up fails with its problem
      }
      plugins.add(plugin);
      if (plugin instanceof AutoCloseable closeable) {
        resources.add(closeable);
      }
    }
    return Admission.chain(plugins);
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  public int port() {
    return http.port();
  }

  /** The admin kubeconfig written at start, or null. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  public Storage storage() {
    return storage;
  }

  /** The authorizer chain of {@code --authorization-mode} (for benchmarks and tests in this package). */
  Authorizer authorizer() {
    return authorizer;
  }

  /** This apiserver's identity: its identity lease's name and holder. */
  public ApiServerIdentity identity() {
    return loops.identity().identity();
  }

  /**
   * Graceful shutdown (SIGTERM), upstream's sequence:
   * <ol>
   *   <li>{@code /readyz} fails, and this apiserver withdraws from the kubernetes Service's endpoints;</li>
   *   <li>requests are served as usual for {@code --shutdown-delay-duration}, so load balancers move away;</li>
   *   <li>new requests are refused with 429 and {@code Retry-After: 1} (and {@code Connection: close}: GOAWAY on
   *       HTTP/2), and every watch ends cleanly after a bookmark with its latest resourceVersion, within
   *       {@code --shutdown-watch-termination-grace-period};</li>
   *   <li>requests in flight finish (at most a request timeout); then connections close and the listener stops;</li>
   *   <li>the loops stop, this apiserver's identity lease is deleted, and owned storage closes.</li>
   * </ol>
   * Blocks until done; idempotent.
   */
  @Override
  public void close() {
    if (!shuttingDown.compareAndSet(false, true)) {
      return;
    }
    notReady.set(true);
    loops.endpoints().close();
    LOG.info("shutting down: /readyz fails, serving for another {}", config.shutdownDelay());
    sleep(config.shutdownDelay());

    inflight.stopAccepting();
    List<WatchSession> open = List.copyOf(watches);
    open.forEach(WatchSession::drain);
    long deadline = System.nanoTime() + config.shutdownWatchTerminationGracePeriod().toNanos();
    while (!watches.isEmpty() && System.nanoTime() < deadline) {
      sleep(Duration.ofMillis(10));
    }
    LOG.info("ended {} watches ({} left to the connection close); refusing new requests", open.size(),
        watches.size());
    try {
      inflight.drained().get(REQUEST_DRAIN_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("{} requests still in flight after {}", inflight.inFlight(), REQUEST_DRAIN_LIMIT);
    }
    try {
      http.shutdown(Duration.ofSeconds(5)).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("server shutdown: {}", e.toString());
    }
    stopLoops();
    loops.identity().close();
    releaseResources();
  }

  /**
   * Stops at once, as a killed process would: no withdrawal from the endpoints, no identity lease deletion, no
   * drain (connections are cut). What it leaves in storage expires, and the other apiservers clean it up. For
   * tests of replica failure.
   */
  void halt() {
    if (!shuttingDown.compareAndSet(false, true)) {
      return;
    }
    notReady.set(true);
    loops.endpoints().abandon();
    loops.identity().abandon();
    stopLoops();
    try {
      http.shutdown(Duration.ZERO).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("server stop: {}", e.toString());
    }
    releaseResources();
  }

  private void stopLoops() {
    loops.bootstrap().stop();
    loops.rbacBootstrap().stop();
    for (AutoCloseable follower : loops.followers()) {
      try {
        follower.close();
      } catch (Exception e) {
        LOG.warn("closing {}: {}", follower.getClass().getSimpleName(), e.toString());
      }
    }
    loops.endpoints().abandon(); // no-op after close(): it has withdrawn already
    loops.identityCollector().close();
    loops.allocationRepair().close();
    loops.namespaces().close();
    loops.tokenSecrets().close();
    if (compactor != null) {
      compactor.close();
    }
  }

  private void releaseResources() {
    controllers.shutdownNow();
    timer.shutdownNow();
    apiExecutor.shutdown();
    kubelets.close();
    if (ownsStorage) {
      storage.close();
    }
    if (auditor != null) {
      auditor.close(); // writes what is buffered
    }
  }

  private static void sleep(Duration d) {
    if (d.isZero() || d.isNegative()) {
      return;
    }
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

}

package dev.hostplane.apiserver;

import dev.hostplane.apiserver.admission.Admission;
import dev.hostplane.apiserver.admission.NamespaceLifecycle;
import dev.hostplane.apiserver.authz.AuthenticatedAuthorizer;
import dev.hostplane.apiserver.controller.BootstrapController;
import dev.hostplane.apiserver.controller.NamespaceController;
import dev.hostplane.apiserver.discovery.Discovery;
import dev.hostplane.apiserver.handlers.ApiHandler;
import dev.hostplane.apiserver.handlers.ResourceHandler;
import dev.hostplane.apiserver.health.HealthChecks;
import dev.hostplane.apiserver.metrics.ApiMetrics;
import dev.hostplane.apiserver.openapi.OpenApiDocuments;
import dev.hostplane.apiserver.pki.CertDir;
import dev.hostplane.apiserver.pki.Cidr;
import dev.hostplane.apiserver.pki.Kubeconfig;
import dev.hostplane.apiserver.registry.GenericStore;
import dev.hostplane.apiserver.registry.Registry;
import dev.hostplane.apiserver.registry.WatchSession;
import dev.hostplane.apiserver.registry.types.BuiltinResources;
import dev.hostplane.apiserver.registry.types.NodePortAllocator;
import dev.hostplane.apiserver.registry.types.ServiceAddressAllocator;
import dev.hostplane.apiserver.controller.ServiceAllocationTracker;
import dev.hostplane.apiserver.server.ApiHttpServer;
import dev.hostplane.apiserver.server.ServerOptions;
import dev.hostplane.apiserver.storage.Compactor;
import dev.hostplane.apiserver.storage.Storage;
import dev.hostplane.apiserver.storage.StorageFactory;
import dev.hostplane.apiserver.storage.cache.WatchCache;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One apiserver: storage, registry, controllers and the HTTPS server, assembled from an {@link ApiServerConfig}.
 * {@link #start} returns once the server listens; {@code /readyz} turns ok when the bootstrap objects exist.
 * {@link #close} shuts down gracefully (readyz fails, watches end with a bookmark, in-flight requests finish).
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  private final ApiServerConfig config;
  private final Storage storage;
  private final ApiHttpServer http;
  private final ExecutorService apiExecutor;
  private final ScheduledExecutorService timer;
  private final ScheduledExecutorService controllers;
  private final NamespaceController namespaceController;
  private final Compactor compactor;
  private final Set<WatchSession> watches;
  private final AtomicBoolean notReady;
  private final AtomicBoolean shuttingDown = new AtomicBoolean();
  private final Path kubeconfig;

  private ApiServer(ApiServerConfig config, Storage storage, ApiHttpServer http, ExecutorService apiExecutor,
      ScheduledExecutorService timer, ScheduledExecutorService controllers, NamespaceController nsController,
      Compactor compactor, Path kubeconfig, Set<WatchSession> watches, AtomicBoolean notReady) {
    this.config = config;
    this.storage = storage;
    this.http = http;
    this.apiExecutor = apiExecutor;
    this.timer = timer;
    this.controllers = controllers;
    this.namespaceController = nsController;
    this.compactor = compactor;
    this.kubeconfig = kubeconfig;
    this.watches = watches;
    this.notReady = notReady;
  }

  /** Starts an apiserver; blocking I/O (certificates, storage recovery): call from a plain thread. */
  public static ApiServer start(ApiServerConfig config) throws IOException {
    Clock clock = Clock.systemUTC();
    Cidr serviceRange = Cidr.parse(config.serviceClusterIpRange());
    String serviceIp = serviceRange.firstIp().getHostAddress();

    // TLS material: given files, or the cert dir's generated ones.
    CertDir certs = CertDir.loadOrCreate(config.certDir(), config.advertiseAddress(),
        config.serviceClusterIpRange(), config.extraSans());
    Path certFile = config.tlsCertFile() != null ? config.tlsCertFile() : certs.servingCertFile();
    Path keyFile = config.tlsPrivateKeyFile() != null ? config.tlsPrivateKeyFile() : certs.servingKeyFile();
    Path clientCa = config.clientCaFile() != null ? config.clientCaFile() : certs.caCertFile();

    StorageFactory.Backend opened = StorageFactory.open(config.dataDir(), config.etcd());
    Storage backend = opened.storage();
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, named("apiserver-timer"));
    ScheduledExecutorService controllers = Executors.newScheduledThreadPool(2, named("apiserver-controller"));
    int workers = Math.max(4, Runtime.getRuntime().availableProcessors() * 4);
    ExecutorService apiExecutor = new ThreadPoolExecutor(workers, workers, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(10_000), named("apiserver-worker"));
    // Every read and watch goes through the watch cache (when enabled); it owns the backend.
    WatchCache watchCache = config.watchCache()
        ? new WatchCache(backend, true, WatchCache.Options.DEFAULT.withCapacity(config.watchCacheSize()), timer,
            apiExecutor)
        : null;
    Storage storage = watchCache != null ? watchCache : backend;

    ServiceAddressAllocator clusterIps = new ServiceAddressAllocator(config.serviceClusterIpRange());
    NodePortAllocator nodePorts = new NodePortAllocator();
    var catalog = BuiltinResources.catalog(clusterIps, nodePorts);
    java.util.concurrent.atomic.AtomicReference<dev.hostplane.apiserver.registry.CachedReader> namespaceReader =
        new java.util.concurrent.atomic.AtomicReference<>();
    Admission admission = Admission.chain(List.of(new NamespaceLifecycle(
        name -> namespaceReader.get().get("", name))));
    dev.hostplane.apiserver.openapi.Schemas schemas = dev.hostplane.apiserver.openapi.Schemas.builtin();
    Registry registry = new Registry(catalog, storage, admission, clock, config.storagePrefix(),
        gvk -> schemas.byGvk(gvk).map(dev.hostplane.apiserver.openapi.SchemaPatchView::of).orElse(null));
    namespaceReader.set(new dev.hostplane.apiserver.registry.CachedReader(registry.store("", "v1", "namespaces")));
    if (watchCache != null) {
      for (var type : catalog.all()) {
        watchCache.cache(registry.store(type).listPrefix(null));
      }
    }
    ServiceAllocationTracker.start(registry);

    java.util.concurrent.atomic.AtomicReference<BootstrapController> bootstrapRef =
        new java.util.concurrent.atomic.AtomicReference<>();
    NamespaceController nsController = new NamespaceController(registry, controllers, Duration.ofSeconds(5));

    AtomicBoolean shutdownFlag = new AtomicBoolean();
    HealthChecks health = new HealthChecks();
    health.add(new HealthChecks.Check("ping", () -> null), "healthz", "livez", "readyz");
    health.add(new HealthChecks.Check("log", () -> null), "healthz", "livez", "readyz");
    health.add(new HealthChecks.Check("etcd", opened.health()), "healthz", "livez", "readyz");
    health.add(new HealthChecks.Check("poststarthook/bootstrap-controller",
        () -> bootstrapRef.get() != null && bootstrapRef.get().isDone() ? null : "not finished"), "healthz", "livez", "readyz");
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
    // Port 0 means "pick one": the advertised port is known only after binding, so discovery reads it late.
    AtomicInteger boundPort = new AtomicInteger(config.server().securePort());
    Discovery discovery = new Discovery(catalog, dev.hostplane.apiserver.handlers.ReviewHandler.RESOURCES,
        () -> hostPort(config.advertiseAddress().getHostAddress(), boundPort.get()));
    ApiHandler handler = new ApiHandler(apiExecutor, new AuthenticatedAuthorizer(), discovery, health,
        new OpenApiDocuments(catalog), resources, new ApiMetrics());

    ServerOptions serverOptions = config.server().withTls(certFile, keyFile, clientCa);
    ApiHttpServer http = ApiHttpServer.start(serverOptions, handler);
    boundPort.set(http.port());
    BootstrapController bootstrap = new BootstrapController(registry, controllers, serviceIp, config.advertiseAddress(), http.port(),
        Duration.ofSeconds(10));
    bootstrapRef.set(bootstrap);
    LOG.info("serving on https://{}:{} (TLS: {})", config.server().bindAddress().getHostAddress(), http.port(),
        ApiHttpServer.tlsProvider());

    Compactor compactor = null;
    if (!config.compactionInterval().isZero()) {
      compactor = new Compactor(storage, config.compactionInterval(), Compactor.Scheduler.of(timer));
      compactor.start();
    }
    nsController.start();
    bootstrap.start();

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
    return new ApiServer(config, storage, http, apiExecutor, timer, controllers, nsController, compactor,
        kubeconfig, watches, shutdownFlag);
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

  @Override
  public void close() {
    if (!shuttingDown.compareAndSet(false, true)) {
      return;
    }
    // Upstream's order: /readyz fails first, requests keep being served for the shutdown delay (so load
    // balancers move away), then watches end with a final bookmark, then in-flight requests drain.
    notReady.set(true);
    LOG.info("shutting down: /readyz fails, serving for another {}", config.shutdownDelay());
    sleep(config.shutdownDelay());
    List<WatchSession> open = List.copyOf(watches);
    open.forEach(WatchSession::drain);
    LOG.info("ended {} watches", open.size());
    try {
      http.shutdown(config.shutdownWatchTerminationGracePeriod().plusSeconds(5)).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("server shutdown: {}", e.toString());
    }
    namespaceController.close();
    if (compactor != null) {
      compactor.close();
    }
    controllers.shutdownNow();
    timer.shutdownNow();
    apiExecutor.shutdown();
    storage.close();
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

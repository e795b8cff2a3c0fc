package dev.hostplane.ops.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * One in-process apiserver per kubectl version under test, so that versions never see each other's objects. A
 * suite starts them in {@code @BeforeAll} and closes them in {@code @AfterAll}; its scenarios take the version as
 * their parameter ({@code @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")}).
 *
 * <p>The suites are {@code @Execution(CONCURRENT)}: the suites and their (scenario, version) invocations share
 * one pool of {@code junit-platform.properties}' parallelism (3: at most three kubectl commands at a time on the
 * 2-core machines), and every suite starts its apiservers up front. Each scenario works in namespaces (and on
 * nodes) of its own, so invocations against the same apiserver never meet.
 */
final class KubectlClusters implements AutoCloseable {
  /** Every kubectl minor we support, 1.27 (the oldest) to 1.33 (the newest). */
  static final List<String> VERSIONS = List.of("1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33");

  /** How many apiservers start at once (the suites' machines have 2 cores). */
  private static final int START_PARALLELISM = 3;

  private final Path root;
  private final Map<String, E2eApiServer> servers;

  private KubectlClusters(Path root, Map<String, E2eApiServer> servers) {
    this.root = root;
    this.servers = servers;
  }

  static Stream<String> versions() {
    return VERSIONS.stream();
  }

  /** Starts one apiserver per version under {@code root}; closes those already started if one fails. */
  static KubectlClusters start(Path root) throws IOException, InterruptedException {
    Map<String, E2eApiServer> servers = new ConcurrentHashMap<>();
    KubectlClusters clusters = new KubectlClusters(root, servers);
    ExecutorService pool = Executors.newFixedThreadPool(START_PARALLELISM, r -> {
      Thread t = new Thread(r, "e2e-apiserver-start");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> started = new ArrayList<>();
      for (String version : VERSIONS) {
        started.add(pool.submit(() -> {
          servers.put(version, E2eApiServer.start(root.resolve("apiserver-" + version)));
          return null;
        }));
      }
      for (Future<?> f : started) {
        try {
          f.get();
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof IOException io) {
            throw io;
          }
          if (cause instanceof RuntimeException re) {
            throw re;
          }
          if (cause instanceof Error err) {
            throw err;
          }
          throw new IOException("cannot start an apiserver", cause);
        }
      }
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      pool.shutdownNow();
      clusters.close();
      throw e;
    } finally {
      pool.shutdown();
    }
    return clusters;
  }

  E2eApiServer server(String version) {
    E2eApiServer server = servers.get(version);
    if (server == null) {
      throw new IllegalArgumentException("no apiserver for kubectl " + version + "; versions: " + VERSIONS);
    }
    return server;
  }

  /** kubectl {@code version} against its own apiserver; fails the test if that binary is missing. */
  Kubectl kubectl(String version) throws IOException {
    return Kubectl.of(version, server(version).kubeconfig(), root.resolve("kubectl-" + version));
  }

  @Override
  public void close() {
    servers.values().parallelStream().forEach(E2eApiServer::close);
  }
}

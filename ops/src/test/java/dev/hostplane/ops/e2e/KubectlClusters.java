package dev.hostplane.ops.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One in-process apiserver per kubectl version under test, so that versions never see each other's objects. A
 * suite starts them in {@code @BeforeAll} and closes them in {@code @AfterAll}; its scenarios take the version as
 * their parameter ({@code @MethodSource("dev.hostplane.ops.e2e.KubectlClusters#versions")}).
 */
final class KubectlClusters implements AutoCloseable {
  /** The oldest and newest kubectl we support, and one between (1.30: aggregated discovery v2, WebSocket exec). */
  static final List<String> VERSIONS = List.of("1.27", "1.30", "1.33");

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
    Map<String, E2eApiServer> servers = new LinkedHashMap<>();
    KubectlClusters clusters = new KubectlClusters(root, servers);
    try {
      for (String version : VERSIONS) {
        servers.put(version, E2eApiServer.start(root.resolve("apiserver-" + version)));
      }
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      clusters.close();
      throw e;
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

  /**
   * kubectl 1.32+ sends Kubernetes protobuf request bodies from its generators ({@code create namespace|configmap|
   * secret|service|deployment}); the server does not decode them yet and answers 415 Unsupported Media Type, which
   * kubectl does not retry as JSON. Suites create such objects with {@code create -f -} (JSON in every version)
   * and cover the generators on older versions only.
   * TODO(next issue: decode Kubernetes protobuf request bodies): then run the generators on every version.
   */
  static boolean generatorsSendProtobuf(String version) {
    return Integer.parseInt(version.substring(version.indexOf('.') + 1)) >= 32;
  }

  @Override
  public void close() {
    servers.values().forEach(E2eApiServer::close);
  }
}

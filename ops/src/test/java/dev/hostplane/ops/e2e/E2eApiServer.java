package dev.hostplane.ops.e2e;

import dev.hostplane.apiserver.ApiServer;
import dev.hostplane.apiserver.ApiServerConfig;
import dev.hostplane.apiserver.config.Flags;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An in-process apiserver for the kubectl suites, on loopback, with its data, certificates and admin kubeconfig
 * under one directory. The advertise address is a documentation address (192.0.2.10): it is only written into the
 * {@code kubernetes} Service's Endpoints, never contacted, and unlike a loopback address it gets Endpoints.
 */
final class E2eApiServer implements AutoCloseable {
  static final String ADVERTISE_ADDRESS = "192.0.2.10";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final ApiServer server;
  private final Path dir;

  private E2eApiServer(ApiServer server, Path dir) {
    this.server = server;
    this.dir = dir;
  }

  /** Starts on a free port and waits for {@code /readyz}. */
  static E2eApiServer start(Path dir) throws IOException, InterruptedException {
    return start(dir, 0, dir.resolve("admin.kubeconfig"));
  }

  /**
   * Starts on {@code port} (0: a free one) with the data and certificates under {@code dir}, writing the admin
   * kubeconfig to {@code kubeconfig}, with {@code extraFlags} after the defaults, and waits for {@code /readyz}.
   */
  static E2eApiServer start(Path dir, int port, Path kubeconfig) throws IOException, InterruptedException {
    return start(dir, port, kubeconfig, List.of());
  }

  /** As {@link #start(Path, int, Path)}, with {@code extraFlags} after the defaults. */
  static E2eApiServer start(Path dir, int port, Path kubeconfig, List<String> extraFlags)
      throws IOException, InterruptedException {
    Flags flags = ApiServerConfig.flags();
    List<String> args = new ArrayList<>(List.of(
        "--secure-port=" + port,
        "--bind-address=127.0.0.1",
        "--advertise-address=" + ADVERTISE_ADDRESS,
        "--data-dir=" + dir.resolve("data"),
        "--cert-dir=" + dir.resolve("pki"),
        "--write-kubeconfig=" + kubeconfig));
    args.addAll(extraFlags);
    flags.parse(args);
    ApiServer server = ApiServer.start(ApiServerConfig.from(flags));
    E2eApiServer e2e = new E2eApiServer(server, dir);
    try {
      e2e.awaitReady();
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      server.close();
      throw e;
    }
    return e2e;
  }

  int port() {
    return server.port();
  }

  Path kubeconfig() {
    return server.kubeconfig();
  }

  /** The directory of the data and certificates ({@code pki/ca.crt} is the cluster CA). */
  Path dir() {
    return dir;
  }

  /** {@code https://127.0.0.1:<port>}: the control plane URL kubectl is given. */
  String url() {
    return "https://127.0.0.1:" + port();
  }

  private void awaitReady() throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder()
        .sslContext(trusting(dir.resolve("pki").resolve("ca.crt")))
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/readyz"))
        .timeout(Duration.ofSeconds(5))
        .build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    String last = "no answer";
    while (System.nanoTime() - deadline < 0) {
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 && response.body().trim().equals("ok")) {
          return;
        }
        last = response.statusCode() + " " + response.body();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("apiserver on " + url() + " not ready after " + READY_TIMEOUT.toSeconds()
        + "s; last /readyz answer: " + last);
  }

  /** A client context trusting only the cluster CA (the anonymous user may read /readyz). */
  private static SSLContext trusting(Path caFile) throws IOException {
    try (InputStream in = Files.newInputStream(caFile)) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot trust " + caFile, e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}

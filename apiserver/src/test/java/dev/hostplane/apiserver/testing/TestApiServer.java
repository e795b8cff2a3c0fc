package dev.hostplane.apiserver.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hostplane.apiserver.ApiServer;
import dev.hostplane.apiserver.ApiServerConfig;
import dev.hostplane.apiserver.config.Flags;
import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.apiserver.storage.Storage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An in-process apiserver on a free loopback port in {@code dir}, with an HTTP/2 client that authenticates with
 * the generated admin certificate. For tests of the whole server.
 */
public final class TestApiServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ApiServer server;
  private final Path dir;
  private final HttpClient client;
  private final HttpClient anonymous;

  private TestApiServer(ApiServer server, Path dir) throws IOException {
    this.server = server;
    this.dir = dir;
    this.client = HttpClient.newBuilder().sslContext(context(true)).version(HttpClient.Version.HTTP_2)
        .connectTimeout(Duration.ofSeconds(5)).build();
    this.anonymous = HttpClient.newBuilder().sslContext(context(false)).version(HttpClient.Version.HTTP_2)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** Starts a server in {@code dir} with {@code extraFlags} added to the test defaults; waits for /readyz. */
  public static TestApiServer start(Path dir, String... extraFlags) throws Exception {
    return start(dir, null, extraFlags);
  }

  /**
   * Starts a server on {@code shared} storage (null: its own, in {@code dir}), as a replica of the others on it;
   * certificates and kubeconfig in {@code dir} (give each replica its own). The caller closes {@code shared} after
   * every replica. Waits for /readyz.
   */
  public static TestApiServer start(Path dir, Storage shared, String... extraFlags) throws Exception {
    return new TestApiServer(startServer(dir, shared, extraFlags), dir).awaitReady();
  }

  /** The configuration {@link #start} uses: the test defaults, then {@code extraFlags}. */
  public static ApiServerConfig config(Path dir, String... extraFlags) {
    Flags f = ApiServerConfig.flags();
    List<String> args = new ArrayList<>(List.of("--secure-port=0", "--bind-address=127.0.0.1",
        "--advertise-address=192.0.2.10", "--data-dir=" + dir.resolve("data"), "--cert-dir=" + dir.resolve("pki"),
        "--write-kubeconfig=" + dir.resolve("admin.kubeconfig")));
    args.addAll(List.of(extraFlags));
    f.parse(args);
    return ApiServerConfig.from(f);
  }

  private static ApiServer startServer(Path dir, Storage shared, String... extraFlags) throws IOException {
    ApiServerConfig config = config(dir, extraFlags);
    return shared == null ? ApiServer.start(config) : ApiServer.start(config, shared);
  }

  /** Wraps a server started by the caller (with {@link #config} in {@code dir}); waits for /readyz. */
  public static TestApiServer of(ApiServer server, Path dir) throws Exception {
    return new TestApiServer(server, dir).awaitReady();
  }

  private TestApiServer awaitReady() throws Exception {
    TestApiServer s = this;
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (s.get("/readyz").body().equals("ok")) {
        return s;
      }
      Thread.sleep(50);
    }
    s.close();
    throw new IllegalStateException("server did not become ready");
  }

  public ApiServer server() {
    return server;
  }

  /** The directory of this server's certificates ({@code pki/ca.crt} is the CA). */
  public Path dir() {
    return dir;
  }

  /** The CA that signed the serving certificate, for raw clients. */
  public java.security.cert.X509Certificate ca() throws IOException {
    return CertifiedKey.read(dir.resolve("pki/ca.crt"), dir.resolve("pki/ca.key")).certificate();
  }

  public java.net.InetSocketAddress address() {
    return new java.net.InetSocketAddress("127.0.0.1", server.port());
  }

  public URI uri(String path) {
    return URI.create("https://127.0.0.1:" + server.port() + path);
  }

  public HttpClient client() {
    return client;
  }

  public HttpClient anonymousClient() {
    return anonymous;
  }

  /**
   * An HTTP/2 client presenting a certificate from this server's CA for {@code user} (CommonName) in
   * {@code groups} (Organizations): an identity of the test's choosing.
   */
  public HttpClient clientFor(String user, String... groups) throws IOException {
    return HttpClient.newBuilder().sslContext(context(issueClient(user, groups)))
        .version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** A client certificate from this server's CA for {@code user} in {@code groups}. */
  public CertifiedKey issueClient(String user, String... groups) throws IOException {
    return dev.hostplane.apiserver.pki.CertificateAuthority.load(dir.resolve("pki/ca.crt"), dir.resolve("pki/ca.key"))
        .issueClient(user, List.of(groups), Duration.ofDays(1));
  }

  public HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  public HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    return send(b.build());
  }

  public HttpResponse<String> send(HttpRequest request) throws Exception {
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** A raw HTTP/1.1 connection authenticated as the admin, for tests that control reading byte by byte. */
  public RawHttp1Client rawAdmin() throws IOException {
    return RawHttp1Client.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()), context(true));
  }

  public static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  /** TLS trusting this server's CA, with the admin certificate or anonymous, for raw clients. */
  public SSLContext tlsContext(boolean withClientCert) throws IOException {
    return context(withClientCert);
  }

  private SSLContext context(boolean withClientCert) throws IOException {
    return context(withClientCert
        ? CertifiedKey.read(dir.resolve("pki/admin.crt"), dir.resolve("pki/admin.key")) : null);
  }

  private SSLContext context(CertifiedKey admin) throws IOException {
    try {
      CertifiedKey ca = CertifiedKey.read(dir.resolve("pki/ca.crt"), dir.resolve("pki/ca.key"));
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      if (admin != null) {
        keys.setKeyEntry("admin", admin.privateKey(), new char[0], new Certificate[] {admin.certificate()});
      }
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(admin != null ? kmf.getKeyManagers() : null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}

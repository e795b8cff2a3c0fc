package dev.hostplane.apiserver.server;

import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.apiserver.testing.Http2TestClient;
import dev.hostplane.apiserver.testing.RawHttp1Client;
import dev.hostplane.apiserver.testing.TlsFixture;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** A running server on 127.0.0.1 with a fresh PKI and a {@link TestHandler}; closing stops it. */
final class ServerHarness implements AutoCloseable {
  static {
    // Every leaked buffer is reported (as "LEAK:" in the test output) while these tests run.
    io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.PARANOID);
  }

  final TlsFixture tls;
  final TestHandler handler = new TestHandler();
  final ApiHttpServer server;

  ServerHarness(Path dir, UnaryOperator<ServerOptions> options) throws Exception {
    tls = TlsFixture.create(dir);
    server = ApiHttpServer.start(options.apply(tls.serverOptions()), handler);
  }

  ServerHarness(Path dir) throws Exception {
    this(dir, o -> o);
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.port());
  }

  URI uri(String path) {
    return URI.create("https://127.0.0.1:" + server.port() + path);
  }

  HttpClient client(HttpClient.Version version, CertifiedKey clientCert) {
    return HttpClient.newBuilder()
        .version(version)
        .sslContext(tls.clientContext(clientCert))
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  HttpClient client(HttpClient.Version version) {
    return client(version, null);
  }

  Http2TestClient h2() throws Exception {
    return Http2TestClient.connect(address(), tls.ca().certificate(), Duration.ofSeconds(5));
  }

  RawHttp1Client h1() throws Exception {
    return RawHttp1Client.connect(address(), tls.clientContext(null));
  }

  @Override
  public void close() {
    server.shutdown(Duration.ZERO).orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
  }
}

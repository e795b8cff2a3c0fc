package dev.hostplane.apiserver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.apiserver.testing.TlsFixture;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tls-min-version}, {@code --tls-cipher-suites}, {@code --tls-sni-cert-key} and reloading certificates. */
@Timeout(60)
class TlsPolicyTest {
  @TempDir
  Path dir;
  ServerHarness h;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  private void start(UnaryOperator<TlsPolicy> policy) throws Exception {
    h = new ServerHarness(dir, o -> o.withTlsPolicy(policy.apply(TlsPolicy.DEFAULT)));
  }

  /** Handshakes with the given client settings; returns the session's cipher suite and server certificate. */
  private record Session(String protocol, String cipherSuite, X509Certificate cert) {}

  private Session handshake(String[] protocols, String[] suites, String sni) throws IOException {
    try (SSLSocket s = (SSLSocket) h.tls.clientContext(null).getSocketFactory()
        .createSocket(InetAddress.getLoopbackAddress(), h.server.port())) {
      s.setSoTimeout(10_000);
      SSLParameters p = s.getSSLParameters();
      if (protocols != null) {
        p.setProtocols(protocols);
      }
      if (suites != null) {
        p.setCipherSuites(suites);
      }
      if (sni != null) {
        p.setServerNames(List.of(new SNIHostName(sni)));
      }
      s.setSSLParameters(p);
      s.startHandshake();
      return new Session(s.getSession().getProtocol(), s.getSession().getCipherSuite(),
          (X509Certificate) s.getSession().getPeerCertificates()[0]);
    }
  }

  @Test
  void tls12IsTheDefaultMinimumAndTls13CanBeRequired() throws Exception {
    start(p -> p);
    assertEquals("TLSv1.2", handshake(new String[] {"TLSv1.2"}, null, null).protocol());
    assertThrows(IOException.class, () -> handshake(new String[] {"TLSv1.1"}, null, null));
    h.close();

    h = new ServerHarness(dir.resolve("13"), o -> o.withTlsPolicy(
        new TlsPolicy("VersionTLS13", List.of(), List.of(), Duration.ofMinutes(1))));
    assertEquals("TLSv1.3", handshake(null, null, null).protocol());
    assertThrows(IOException.class, () -> handshake(new String[] {"TLSv1.2"}, null, null));
  }

  @Test
  void onlyTheConfiguredTls12CipherSuitesAreAccepted() throws Exception {
    start(p -> new TlsPolicy(p.minVersion(), List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"), List.of(),
        p.reloadInterval()));
    String[] tls12 = {"TLSv1.2"};
    assertEquals("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        handshake(tls12, new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"}, null).cipherSuite());
    assertThrows(SSLHandshakeException.class,
        () -> handshake(tls12, new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}, null));
    // TLS 1.3 is unaffected, as upstream.
    assertEquals("TLSv1.3", handshake(null, null, null).protocol());
  }

  @Test
  void badPoliciesAreRefusedWithClearMessages() {
    IllegalArgumentException old = assertThrows(IllegalArgumentException.class,
        () -> new TlsPolicy("VersionTLS10", List.of(), List.of(), Duration.ZERO));
    assertTrue(old.getMessage().contains("VersionTLS12"), old.getMessage());
    IllegalArgumentException suite = assertThrows(IllegalArgumentException.class,
        () -> new TlsPolicy("VersionTLS12", List.of("TLS_FAKE_WITH_NOTHING"), List.of(), Duration.ZERO));
    assertTrue(suite.getMessage().contains("TLS_FAKE_WITH_NOTHING"), suite.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TlsPolicy.SniCertificate.parse("only-one-file.crt"));
    TlsPolicy.SniCertificate sni = TlsPolicy.SniCertificate.parse("a.crt,a.key:*.Foo.com,foo.com");
    assertEquals(List.of("*.foo.com", "foo.com"), sni.names());
    assertEquals(Path.of("a.key"), sni.keyFile());
  }

  @Test
  void sniSelectsTheCertificateByNameExactBeforeWildcardAndFallsBackToTheDefault() throws Exception {
    Path certs = Files.createDirectories(dir.resolve("sni"));
    TlsFixture base = TlsFixture.create(Files.createDirectories(dir.resolve("base")));
    CertifiedKey api = base.ca().issueServing("api", List.of("api.example.com"), List.of(), Duration.ofDays(1));
    api.write(certs.resolve("api.crt"), certs.resolve("api.key"));
    CertifiedKey wild = base.ca().issueServing("wild", List.of("x.invalid"), List.of(), Duration.ofDays(1));
    wild.write(certs.resolve("wild.crt"), certs.resolve("wild.key"));
    CertifiedKey exact = base.ca().issueServing("exact", List.of("y.invalid"), List.of(), Duration.ofDays(1));
    exact.write(certs.resolve("exact.crt"), certs.resolve("exact.key"));
    List<TlsPolicy.SniCertificate> sni = List.of(
        TlsPolicy.SniCertificate.parse(certs.resolve("api.crt") + "," + certs.resolve("api.key")),
        TlsPolicy.SniCertificate.parse(certs.resolve("wild.crt") + "," + certs.resolve("wild.key")
            + ":*.apps.example.com"),
        TlsPolicy.SniCertificate.parse(certs.resolve("exact.crt") + "," + certs.resolve("exact.key")
            + ":shop.apps.example.com"));
    // One CA signs the default certificate (CN localhost) and the SNI ones.
    ApiHttpServer server = ApiHttpServer.start(base.serverOptions()
        .withTlsPolicy(new TlsPolicy("VersionTLS12", List.of(), sni, Duration.ofMinutes(1))), new TestHandler());
    try {
      assertEquals(api.certificate(), sniHandshake(base, server, "api.example.com"));
      assertEquals(wild.certificate(), sniHandshake(base, server, "web.apps.example.com"));
      assertEquals(exact.certificate(), sniHandshake(base, server, "shop.apps.example.com"));
      X509Certificate fallback = sniHandshake(base, server, "unknown.example.com");
      assertEquals("CN=localhost", fallback.getSubjectX500Principal().getName());
      assertEquals(fallback, sniHandshake(base, server, null));
    } finally {
      server.shutdown(Duration.ZERO).join();
    }
  }

  private static X509Certificate sniHandshake(TlsFixture tls, ApiHttpServer server, String sni) throws IOException {
    try (SSLSocket s = (SSLSocket) tls.clientContext(null).getSocketFactory()
        .createSocket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(10_000);
      SSLParameters p = s.getSSLParameters();
      if (sni != null) {
        p.setServerNames(List.of(new SNIHostName(sni)));
      }
      s.setSSLParameters(p);
      s.startHandshake();
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }

  @Test
  void aRotatedCertificateIsServedToNewConnectionsWithoutRestartAndABrokenOneIsIgnored() throws Exception {
    TlsFixture tls = TlsFixture.create(Files.createDirectories(dir.resolve("rot")));
    Path cert = dir.resolve("rot/server.crt");
    Path key = dir.resolve("rot/server.key");
    ApiHttpServer server = ApiHttpServer.start(tls.serverOptions()
        .withTlsPolicy(new TlsPolicy("VersionTLS12", List.of(), List.of(), Duration.ofMillis(200))),
        new TestHandler());
    try {
      BigInteger first = sniHandshake(tls, server, null).getSerialNumber();
      CertifiedKey next = tls.ca().issueServing("localhost", List.of("localhost"),
          List.of(InetAddress.getByName("127.0.0.1")), Duration.ofDays(1));
      Path staged = Files.createDirectories(dir.resolve("staged"));
      next.write(staged.resolve("server.crt"), staged.resolve("server.key"));
      Files.move(staged.resolve("server.key"), key, StandardCopyOption.REPLACE_EXISTING);
      Files.move(staged.resolve("server.crt"), cert, StandardCopyOption.REPLACE_EXISTING);
      BigInteger served = first;
      for (int i = 0; i < 50 && served.equals(first); i++) {
        Thread.sleep(100);
        served = sniHandshake(tls, server, null).getSerialNumber();
      }
      assertEquals(next.certificate().getSerialNumber(), served);

      // A certificate without its key (a rotation half done) is not taken: the last good pair stays.
      CertifiedKey other = tls.ca().issueServing("localhost", List.of("localhost"), List.of(), Duration.ofDays(1));
      other.write(staged.resolve("other.crt"), staged.resolve("other.key"));
      Files.move(staged.resolve("other.crt"), cert, StandardCopyOption.REPLACE_EXISTING);
      Thread.sleep(600);
      BigInteger still = sniHandshake(tls, server, null).getSerialNumber();
      assertEquals(next.certificate().getSerialNumber(), still);
      assertNotEquals(first, still);
    } finally {
      server.shutdown(Duration.ZERO).join();
    }
  }
}

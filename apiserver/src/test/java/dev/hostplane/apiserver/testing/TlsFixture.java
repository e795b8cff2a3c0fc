package dev.hostplane.apiserver.testing;

import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.apiserver.server.ServerOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A throwaway PKI for tests: a CA, a serving certificate for localhost / 127.0.0.1 / ::1 written to a directory,
 * and client contexts that trust the CA (optionally presenting a client certificate).
 */
public final class TlsFixture {
  private final CertificateAuthority ca;
  private final Path caFile;
  private final Path certFile;
  private final Path keyFile;

  private TlsFixture(CertificateAuthority ca, Path caFile, Path certFile, Path keyFile) {
    this.ca = ca;
    this.caFile = caFile;
    this.certFile = certFile;
    this.keyFile = keyFile;
  }

  public static TlsFixture create(Path dir) throws IOException {
    CertificateAuthority ca = CertificateAuthority.generate("test-ca", Duration.ofDays(1));
    CertifiedKey serving = ca.issueServing("localhost", List.of("localhost"),
        List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")), Duration.ofDays(1));
    Path caFile = dir.resolve("ca.crt");
    ca.write(caFile, dir.resolve("ca.key"));
    Path cert = dir.resolve("server.crt");
    Path key = dir.resolve("server.key");
    serving.write(cert, key);
    return new TlsFixture(ca, caFile, cert, key);
  }

  public CertificateAuthority ca() {
    return ca;
  }

  public Path caFile() {
    return caFile;
  }

  /** Loopback, a free port, this fixture's serving certificate, and its CA for client certificates. */
  public ServerOptions serverOptions() {
    return ServerOptions.DEFAULT
        .withBindAddress(InetAddress.getLoopbackAddress())
        .withSecurePort(0)
        .withTls(certFile, keyFile, caFile)
        .withWorkerThreads(2);
  }

  public CertifiedKey client(String user, String... groups) {
    return ca.issueClient(user, List.of(groups), Duration.ofDays(1));
  }

  /**
   * A JDK client context trusting this fixture's CA, presenting {@code clientCert} (leaf only, as kubectl does)
   * when not null. The certificate is sent whatever CAs the server asks for, so a certificate from another CA
   * reaches the server's verification.
   */
  public SSLContext clientContext(CertifiedKey clientCert) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      KeyManager[] keyManagers = clientCert == null ? null : new KeyManager[] {new FixedKeyManager(clientCert)};
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(keyManagers, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Always presents one certificate (the JDK's default key manager would skip one the server's CAs did not sign). */
  private static final class FixedKeyManager extends X509ExtendedKeyManager {
    private final CertifiedKey key;

    FixedKeyManager(CertifiedKey key) {
      this.key = key;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {"client"};
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return "client";
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return "client";
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return new X509Certificate[] {key.certificate()};
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return key.privateKey();
    }
  }
}

package dev.hostplane.apiserver.server.internal;

import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.apiserver.pki.Pem;
import dev.hostplane.apiserver.server.ServerOptions;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The server's TLS configuration: TLS 1.2 and 1.3 with HTTP/2-safe (AEAD, forward-secret) cipher suites, ALPN
 * {@code h2} then {@code http/1.1}, and optional client certificates verified against the client CA bundle.
 */
final class ServerTls {
  /**
   * BoringSSL through netty-tcnative when its native library loads on this platform (several times the JDK's
   * AES-GCM throughput on watch fan-out), else the JDK's TLS.
   */
  static final SslProvider PROVIDER = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;

  private ServerTls() {}

  /** Reads the PEM files (blocking). IllegalArgumentException for missing or inconsistent material. */
  static SslContext build(ServerOptions o) throws IOException {
    if (o.tlsCertFile() == null || o.tlsPrivateKeyFile() == null) {
      throw new IllegalArgumentException("tlsCertFile and tlsPrivateKeyFile are required: the server always "
          + "serves TLS");
    }
    List<X509Certificate> chain = Pem.readCertificates(o.tlsCertFile());
    PrivateKey key = Pem.readPrivateKey(o.tlsPrivateKeyFile());
    if (!CertificateAuthority.keyMatches(new CertifiedKey(chain.get(0), key))) {
      throw new IllegalArgumentException(o.tlsPrivateKeyFile() + " is not the key of the first certificate in "
          + o.tlsCertFile());
    }
    SslContextBuilder b = SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
        .sslProvider(PROVIDER)
        .protocols("TLSv1.3", "TLSv1.2")
        .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
        .applicationProtocolConfig(new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
    if (o.clientCaFile() != null) {
      b.trustManager(Pem.readCertificates(o.clientCaFile()).toArray(X509Certificate[]::new))
          .clientAuth(ClientAuth.OPTIONAL);
    } else {
      b.clientAuth(ClientAuth.NONE);
    }
    return b.build();
  }
}

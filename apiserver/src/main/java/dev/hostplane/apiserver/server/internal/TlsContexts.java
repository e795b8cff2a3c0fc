package dev.hostplane.apiserver.server.internal;

import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.apiserver.pki.Pem;
import dev.hostplane.apiserver.server.ServerOptions;
import dev.hostplane.apiserver.server.TlsPolicy;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS contexts: the default certificate, the SNI certificates, the client CA, protocol versions and
 * cipher suites ({@link TlsPolicy}); HTTP/2-safe suites by default, ALPN {@code h2} then {@code http/1.1}, optional
 * client certificates. The files are checked every {@link TlsPolicy#reloadInterval()} on a thread of their own; a
 * change that loads cleanly replaces the contexts for new connections (open connections keep theirs), one that does
 * not (a key not yet matching its new certificate) is logged and tried again at the next check.
 *
 * <p>Thread-safe: {@link #newHandler} runs on event loops and reads the current snapshot.
 */
final class TlsContexts implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);

  /**
   * BoringSSL through netty-tcnative when its native library loads on this platform (several times the JDK's
   * AES-GCM throughput on watch fan-out), else the JDK's TLS.
   */
  static final SslProvider PROVIDER = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  private static final int MAX_CLIENT_HELLO = 16 * 1024;
  private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  private record Snapshot(byte[] fingerprint, SslContext fallback, Map<String, SslContext> byName) {}

  private final ServerOptions options;
  private volatile Snapshot current;
  private final ScheduledExecutorService reloader;

  private TlsContexts(ServerOptions options, Snapshot first) {
    this.options = options;
    this.current = first;
    long interval = options.tls().reloadInterval().toMillis();
    if (interval > 0) {
      reloader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tls-reload");
        t.setDaemon(true);
        return t;
      });
      reloader.scheduleWithFixedDelay(this::checkForChanges, interval, interval, TimeUnit.MILLISECONDS);
    } else {
      reloader = null;
    }
  }

  /** Reads the files and builds the contexts (blocking). IllegalArgumentException for bad material. */
  static TlsContexts load(ServerOptions o) throws IOException {
    if (o.tlsCertFile() == null || o.tlsPrivateKeyFile() == null) {
      throw new IllegalArgumentException("tlsCertFile and tlsPrivateKeyFile are required: the server always "
          + "serves TLS");
    }
    return new TlsContexts(o, build(o, fingerprint(o)));
  }

  /** The handler that starts TLS on a new connection: SNI selection when SNI certificates are configured. */
  ChannelHandler newHandler(Channel ch) {
    Snapshot s = current;
    if (s.byName().isEmpty()) {
      io.netty.handler.ssl.SslHandler h = s.fallback().newHandler(ch.alloc());
      h.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS);
      return h;
    }
    Mapping<String, SslContext> byName = host -> select(s, host);
    return new SniHandler(byName, MAX_CLIENT_HELLO, HANDSHAKE_TIMEOUT_MILLIS);
  }

  /** Exact names first, then a wildcard for the first label, then the default certificate. */
  private static SslContext select(Snapshot s, String host) {
    if (host == null || host.isEmpty()) {
      return s.fallback();
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    SslContext exact = s.byName().get(h);
    if (exact != null) {
      return exact;
    }
    int dot = h.indexOf('.');
    if (dot > 0) {
      SslContext wildcard = s.byName().get("*" + h.substring(dot));
      if (wildcard != null) {
        return wildcard;
      }
    }
    return s.fallback();
  }

  /** Reloads when any file changed. On the reload thread. */
  void checkForChanges() {
    try {
      byte[] f = fingerprint(options);
      if (Arrays.equals(f, current.fingerprint())) {
        return;
      }
      current = build(options, f);
      log.info("reloaded the serving certificates and client CA from their files");
    } catch (IOException | RuntimeException e) {
      log.warn("the TLS files changed but cannot be loaded yet (kept the previous ones): {}", e.getMessage());
    }
  }

  private static Snapshot build(ServerOptions o, byte[] fingerprint) throws IOException {
    List<X509Certificate> clientCa = o.clientCaFile() == null ? null : Pem.readCertificates(o.clientCaFile());
    SslContext fallback = context(o, o.tlsCertFile(), o.tlsPrivateKeyFile(), clientCa);
    Map<String, SslContext> extracted = new HashMap<>();
    Map<String, SslContext> explicit = new HashMap<>();
    for (TlsPolicy.SniCertificate sni : o.tls().sniCertificates()) {
      SslContext ctx = context(o, sni.certFile(), sni.keyFile(), clientCa);
      if (sni.names().isEmpty()) {
        for (String n : names(Pem.readCertificates(sni.certFile()).get(0))) {
          extracted.putIfAbsent(n, ctx);
        }
      } else {
        for (String n : sni.names()) {
          explicit.putIfAbsent(n, ctx);
        }
      }
    }
    extracted.putAll(explicit); // explicit names win over names read from certificates
    return new Snapshot(fingerprint, fallback, Map.copyOf(extracted));
  }

  private static SslContext context(ServerOptions o, Path certFile, Path keyFile, List<X509Certificate> clientCa)
      throws IOException {
    List<X509Certificate> chain = Pem.readCertificates(certFile);
    PrivateKey key = Pem.readPrivateKey(keyFile);
    if (!CertificateAuthority.keyMatches(new CertifiedKey(chain.get(0), key))) {
      throw new IllegalArgumentException(keyFile + " is not the key of the first certificate in " + certFile);
    }
    TlsPolicy policy = o.tls();
    SslContextBuilder b = SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
        .sslProvider(PROVIDER)
        .protocols(policy.protocols())
        .applicationProtocolConfig(new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
    if (policy.cipherSuites().isEmpty()) {
      b.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
    } else {
      List<String> suites = new ArrayList<>(policy.cipherSuites());
      for (String tls13 : List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256")) {
        if (!suites.contains(tls13)) {
          suites.add(tls13); // TLS 1.3 suites are not configurable
        }
      }
      b.ciphers(suites, SupportedCipherSuiteFilter.INSTANCE);
    }
    if (clientCa != null) {
      b.trustManager(clientCa.toArray(X509Certificate[]::new)).clientAuth(ClientAuth.OPTIONAL);
    } else {
      b.clientAuth(ClientAuth.NONE);
    }
    SslContext ctx = b.build();
    if (!policy.cipherSuites().isEmpty() && policy.minVersion().equals("VersionTLS12")
        && ctx.cipherSuites().stream().noneMatch(policy.cipherSuites()::contains)) {
      throw new IllegalArgumentException("none of --tls-cipher-suites " + policy.cipherSuites()
          + " is available in this TLS implementation (" + PROVIDER + ")");
    }
    return ctx;
  }

  /** The names a certificate serves: its DNS and IP SANs, or its CN when it has no SANs. */
  static List<String> names(X509Certificate cert) {
    List<String> names = new ArrayList<>();
    try {
      if (cert.getSubjectAlternativeNames() != null) {
        for (List<?> san : cert.getSubjectAlternativeNames()) {
          int type = (Integer) san.get(0);
          if (type == 2 || type == 7) { // dNSName, iPAddress
            names.add(san.get(1).toString().toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException("cannot read the names of " + cert.getSubjectX500Principal(), e);
    }
    if (names.isEmpty()) {
      try {
        for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
          if (rdn.getType().equalsIgnoreCase("CN")) {
            names.add(rdn.getValue().toString().toLowerCase(Locale.ROOT));
          }
        }
      } catch (InvalidNameException e) {
        throw new IllegalArgumentException("cannot read the subject of a certificate", e);
      }
    }
    return names;
  }

  /** SHA-256 over every file the contexts are built from (blocking). */
  private static byte[] fingerprint(ServerOptions o) throws IOException {
    List<Path> files = new ArrayList<>(List.of(o.tlsCertFile(), o.tlsPrivateKeyFile()));
    if (o.clientCaFile() != null) {
      files.add(o.clientCaFile());
    }
    for (TlsPolicy.SniCertificate sni : o.tls().sniCertificates()) {
      files.add(sni.certFile());
      files.add(sni.keyFile());
    }
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (Path p : files) {
        d.update(Files.readAllBytes(p));
        d.update((byte) 0);
      }
      return d.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has SHA-256
    }
  }

  @Override
  public void close() {
    if (reloader != null) {
      reloader.shutdownNow();
    }
  }
}

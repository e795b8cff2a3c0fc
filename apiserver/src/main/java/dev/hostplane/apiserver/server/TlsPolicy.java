package dev.hostplane.apiserver.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How the server speaks TLS beyond its default certificate: the lowest protocol version
 * ({@code --tls-min-version}), the TLS 1.2 cipher suites ({@code --tls-cipher-suites}; TLS 1.3 suites are not
 * configurable, as upstream), certificates chosen by SNI ({@code --tls-sni-cert-key}) and how often the certificate
 * files are checked for changes (a changed file is reloaded without a restart; new connections get it).
 *
 * @param minVersion {@code VersionTLS12} (default) or {@code VersionTLS13}
 * @param cipherSuites IANA cipher suite names, as upstream spells them; empty means the server's default list
 *     (AEAD, forward-secret suites)
 * @param sniCertificates extra certificates served to clients that ask for one of their names
 * @param reloadInterval how often the certificate, key and client CA files are checked; {@link Duration#ZERO}
 *     never
 */
public record TlsPolicy(String minVersion, List<String> cipherSuites, List<SniCertificate> sniCertificates,
    Duration reloadInterval) {
  public static final TlsPolicy DEFAULT = new TlsPolicy("VersionTLS12", List.of(), List.of(), Duration.ofMinutes(1));

  /** TLS 1.2 suites upstream accepts; the ones without forward secrecy or AEAD are allowed but discouraged. */
  public static final Set<String> KNOWN_CIPHER_SUITES = Set.of(
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
      "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
      "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
      "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA256",
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

  public TlsPolicy {
    Objects.requireNonNull(minVersion, "minVersion");
    switch (minVersion) {
      case "VersionTLS12", "VersionTLS13" -> { }
      case "VersionTLS10", "VersionTLS11" -> throw new IllegalArgumentException("--tls-min-version=" + minVersion
          + " is not supported: TLS 1.0 and 1.1 are insecure; use VersionTLS12 or VersionTLS13");
      default -> throw new IllegalArgumentException("unknown --tls-min-version " + minVersion
          + ": use VersionTLS12 or VersionTLS13");
    }
    cipherSuites = List.copyOf(cipherSuites);
    for (String c : cipherSuites) {
      if (!KNOWN_CIPHER_SUITES.contains(c)) {
        throw new IllegalArgumentException("unsupported cipher suite name in --tls-cipher-suites: " + c);
      }
    }
    sniCertificates = List.copyOf(sniCertificates);
    Objects.requireNonNull(reloadInterval, "reloadInterval");
    if (reloadInterval.isNegative()) {
      throw new IllegalArgumentException("reloadInterval must not be negative, got " + reloadInterval);
    }
  }

  /** The protocols to enable, newest first. */
  public List<String> protocols() {
    return minVersion.equals("VersionTLS13") ? List.of("TLSv1.3") : List.of("TLSv1.3", "TLSv1.2");
  }

  /**
   * A certificate for the names clients ask for by SNI. Explicit names win over the names read from the
   * certificate (its DNS SANs, IP SANs and, without SANs, its CN); exact names win over wildcards
   * ({@code *.example.com} matches one label).
   */
  public record SniCertificate(Path certFile, Path keyFile, List<String> names) {
    public SniCertificate {
      Objects.requireNonNull(certFile, "certFile");
      Objects.requireNonNull(keyFile, "keyFile");
      names = List.copyOf(names);
    }

    /** Parses upstream's flag value: {@code cert,key} or {@code cert,key:name1,name2}. */
    public static SniCertificate parse(String v) {
      String files = v;
      List<String> names = new ArrayList<>();
      int colon = v.indexOf(':');
      if (colon >= 0) {
        files = v.substring(0, colon);
        for (String n : v.substring(colon + 1).split(",")) {
          if (!n.isBlank()) {
            names.add(n.trim().toLowerCase(java.util.Locale.ROOT));
          }
        }
        if (names.isEmpty()) {
          throw new IllegalArgumentException("--tls-sni-cert-key " + v + ": empty list of names after ':'");
        }
      }
      String[] pair = files.split(",");
      if (pair.length != 2 || pair[0].isBlank() || pair[1].isBlank()) {
        throw new IllegalArgumentException("--tls-sni-cert-key " + v
            + ": expected \"cert.crt,key.key\" or \"cert.crt,key.key:name1,name2\"");
      }
      return new SniCertificate(Path.of(pair[0].trim()), Path.of(pair[1].trim()), names);
    }
  }
}

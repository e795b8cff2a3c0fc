package dev.hostplane.apiserver.pki;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code --cert-dir}: a CA, the apiserver's serving certificate and an admin client certificate, created on
 * first start and reused afterwards.
 *
 * <ul>
 *   <li>{@code ca.crt}/{@code ca.key}: loaded when present, generated when both are absent; one without the other
 *       is an error (a CA is never silently replaced: every issued credential depends on it).</li>
 *   <li>{@code apiserver.crt}/{@code apiserver.key}: reissued when missing, not issued by the CA, not matching its
 *       key, expiring within {@link #RENEW_BEFORE}, or not covering every requested SAN.</li>
 *   <li>{@code admin.crt}/{@code admin.key}: CN {@code kubernetes-admin}, O {@code system:masters}; reissued on the
 *       same conditions (minus SANs).</li>
 * </ul>
 * Keys are written 0600, certificates 0644, each atomically. Blocking file I/O: call at startup, off any event loop.
 */
public final class CertDir {
  public static final String ADMIN_USER = "kubernetes-admin";
  public static final String ADMIN_GROUP = "system:masters";
  public static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private static final Logger log = LoggerFactory.getLogger(CertDir.class);

  private final Path dir;
  private final CertificateAuthority ca;
  private final CertifiedKey serving;
  private final CertifiedKey admin;

  private CertDir(Path dir, CertificateAuthority ca, CertifiedKey serving, CertifiedKey admin) {
    this.dir = dir;
    this.ca = ca;
    this.serving = serving;
    this.admin = admin;
  }

  /**
   * Loads or creates the directory's contents.
   *
   * @param advertiseAddress the address clients reach us at; null for none
   * @param serviceClusterIpRange {@code --service-cluster-ip-range}; its first IP is a SAN (the {@code kubernetes}
   *     Service's ClusterIP); null for none
   * @param extraSans more names (DNS names or IP literals), e.g. the cluster's public host name
   */
  public static CertDir loadOrCreate(Path dir, InetAddress advertiseAddress, String serviceClusterIpRange,
      List<String> extraSans) throws IOException {
    Sans sans = requiredSans(advertiseAddress, serviceClusterIpRange, extraSans);
    Files.createDirectories(dir);
    CertificateAuthority ca = loadOrCreateCa(dir);
    CertifiedKey serving = existing(dir.resolve("apiserver.crt"), dir.resolve("apiserver.key"), ca,
        cert -> covers(cert, sans));
    if (serving == null) {
      serving = ca.issueServing("kube-apiserver", sans.dnsNames(), sans.ips(), CertificateAuthority.LEAF_VALIDITY);
      serving.write(dir.resolve("apiserver.crt"), dir.resolve("apiserver.key"));
      log.info("issued serving certificate {} for DNS {} IP {}", dir.resolve("apiserver.crt"), sans.dnsNames(),
          sans.ips().stream().map(InetAddress::getHostAddress).toList());
    }
    CertifiedKey admin = existing(dir.resolve("admin.crt"), dir.resolve("admin.key"), ca, CertDir::isAdmin);
    if (admin == null) {
      admin = ca.issueClient(ADMIN_USER, List.of(ADMIN_GROUP), CertificateAuthority.LEAF_VALIDITY);
      admin.write(dir.resolve("admin.crt"), dir.resolve("admin.key"));
      log.info("issued admin client certificate {}", dir.resolve("admin.crt"));
    }
    return new CertDir(dir, ca, serving, admin);
  }

  /** The SANs a serving certificate must carry; IllegalArgumentException for a bad CIDR or SAN. */
  public static Sans requiredSans(InetAddress advertiseAddress, String serviceClusterIpRange,
      List<String> extraSans) {
    Set<String> dns = new LinkedHashSet<>(List.of("localhost", "kubernetes", "kubernetes.default",
        "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"));
    Set<InetAddress> ips = new LinkedHashSet<>();
    try {
      ips.add(InetAddress.getByName("127.0.0.1"));
      ips.add(InetAddress.getByName("::1"));
    } catch (IOException e) {
      throw new IllegalStateException(e); // literals: cannot happen
    }
    if (advertiseAddress != null) {
      ips.add(advertiseAddress);
    }
    if (serviceClusterIpRange != null && !serviceClusterIpRange.isBlank()) {
      ips.add(Cidr.parse(serviceClusterIpRange).firstIp());
    }
    for (String san : extraSans) {
      InetAddress ip = ipLiteral(san);
      if (ip != null) {
        ips.add(ip);
      } else if (san.matches("[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
        dns.add(san.toLowerCase(Locale.ROOT));
      } else {
        throw new IllegalArgumentException("invalid subjectAltName \"" + san + "\": expected a DNS name or IP");
      }
    }
    return new Sans(List.copyOf(dns), List.copyOf(ips));
  }

  /** DNS and IP subjectAltNames, in order. */
  public record Sans(List<String> dnsNames, List<InetAddress> ips) {}

  public Path dir() {
    return dir;
  }

  public CertificateAuthority ca() {
    return ca;
  }

  public CertifiedKey serving() {
    return serving;
  }

  public CertifiedKey admin() {
    return admin;
  }

  public Path caCertFile() {
    return dir.resolve("ca.crt");
  }

  public Path servingCertFile() {
    return dir.resolve("apiserver.crt");
  }

  public Path servingKeyFile() {
    return dir.resolve("apiserver.key");
  }

  public Path adminCertFile() {
    return dir.resolve("admin.crt");
  }

  public Path adminKeyFile() {
    return dir.resolve("admin.key");
  }

  /** True when every requested DNS name and IP is among {@code cert}'s subjectAltNames. */
  public static boolean covers(X509Certificate cert, Sans sans) {
    Set<String> dns = new LinkedHashSet<>();
    Set<InetAddress> ips = new LinkedHashSet<>();
    try {
      Collection<List<?>> alt = cert.getSubjectAlternativeNames();
      if (alt != null) {
        for (List<?> entry : alt) {
          int type = (Integer) entry.get(0);
          String value = String.valueOf(entry.get(1));
          if (type == 2) {
            dns.add(value.toLowerCase(Locale.ROOT));
          } else if (type == 7) {
            InetAddress ip = ipLiteral(value);
            if (ip != null) {
              ips.add(ip);
            }
          }
        }
      }
    } catch (CertificateParsingException e) {
      return false;
    }
    return dns.containsAll(sans.dnsNames()) && ips.containsAll(sans.ips());
  }

  private static CertificateAuthority loadOrCreateCa(Path dir) throws IOException {
    Path crt = dir.resolve("ca.crt");
    Path key = dir.resolve("ca.key");
    boolean haveCrt = Files.exists(crt);
    boolean haveKey = Files.exists(key);
    if (haveCrt && haveKey) {
      return CertificateAuthority.load(crt, key);
    }
    if (haveCrt || haveKey) {
      throw new IOException("found " + (haveCrt ? crt : key) + " without " + (haveCrt ? key : crt)
          + ": refusing to replace the CA; restore the missing file or remove both");
    }
    CertificateAuthority ca = CertificateAuthority.generate("hostplane-ca", CertificateAuthority.CA_VALIDITY);
    ca.write(crt, key);
    log.info("generated a new cluster CA in {}", crt);
    return ca;
  }

  private interface Check {
    boolean ok(X509Certificate cert);
  }

  /** The existing pair when it is usable, else null (and the reason logged). */
  private static CertifiedKey existing(Path crt, Path key, CertificateAuthority ca, Check check) {
    if (!Files.exists(crt) || !Files.exists(key)) {
      return null;
    }
    CertifiedKey pair;
    try {
      pair = CertifiedKey.read(crt, key);
    } catch (IOException | IllegalArgumentException e) {
      log.warn("cannot read {}, reissuing it: {}", crt, e.getMessage());
      return null;
    }
    String problem = null;
    if (!ca.issued(pair.certificate())) {
      problem = "not issued by the current CA";
    } else if (!CertificateAuthority.keyMatches(pair)) {
      problem = "its key does not match";
    } else if (pair.certificate().getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE))) {
      problem = "it expires on " + pair.certificate().getNotAfter().toInstant();
    } else if (!check.ok(pair.certificate())) {
      problem = "its names do not match what is required";
    }
    if (problem != null) {
      log.info("reissuing {}: {}", crt, problem);
      return null;
    }
    return pair;
  }

  private static boolean isAdmin(X509Certificate cert) {
    try {
      String cn = null;
      List<String> orgs = new ArrayList<>();
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          cn = String.valueOf(rdn.getValue());
        } else if (rdn.getType().equalsIgnoreCase("O")) {
          orgs.add(String.valueOf(rdn.getValue()));
        }
      }
      return ADMIN_USER.equals(cn) && orgs.contains(ADMIN_GROUP);
    } catch (InvalidNameException e) {
      return false;
    }
  }

  /** An IP address when {@code s} is an IPv4 or IPv6 literal, else null. Never a DNS lookup. */
  static InetAddress ipLiteral(String s) {
    Objects.requireNonNull(s);
    String bare = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    try {
      return Cidr.parse(bare + (bare.indexOf(':') >= 0 ? "/128" : "/32")).network();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}

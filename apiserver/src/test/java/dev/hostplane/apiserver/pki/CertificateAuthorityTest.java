package dev.hostplane.apiserver.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class CertificateAuthorityTest {
  @TempDir
  Path dir;

  private static void verifyChain(X509Certificate leaf, X509Certificate ca, String purposeOid) throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(
        CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), params);
    assertTrue(leaf.getExtendedKeyUsage().contains(purposeOid), "EKU " + leaf.getExtendedKeyUsage());
    assertEquals(-1, leaf.getBasicConstraints(), "leaf is not a CA");
  }

  @Test
  void generatedCaIsSelfSignedCa() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate("test-ca", Duration.ofDays(10));
    X509Certificate c = ca.certificate();
    c.verify(c.getPublicKey());
    assertTrue(c.getBasicConstraints() >= 0);
    assertTrue(c.getKeyUsage()[5], "keyCertSign");
    assertEquals("EC", c.getPublicKey().getAlgorithm());
  }

  @Test
  void servingCertificateChainsToTheCaAndCarriesSans() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate("test-ca", Duration.ofDays(10));
    CertifiedKey serving = ca.issueServing("kube-apiserver", List.of("localhost", "kubernetes.default.svc"),
        List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"),
            InetAddress.getByName("10.240.16.1")), Duration.ofDays(5));
    verifyChain(serving.certificate(), ca.certificate(), "1.3.6.1.5.5.7.3.1");
    List<String> dns = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    for (List<?> san : serving.certificate().getSubjectAlternativeNames()) {
      ((Integer) san.get(0) == 2 ? dns : ips).add(String.valueOf(san.get(1)));
    }
    assertEquals(List.of("localhost", "kubernetes.default.svc"), dns);
    assertEquals(3, ips.size());
    assertTrue(ips.contains("127.0.0.1") && ips.contains("10.240.16.1"), ips.toString());
    assertTrue(ca.issued(serving.certificate()));
    assertTrue(CertificateAuthority.keyMatches(serving));
  }

  @Test
  void clientCertificateNamesUserAndGroups() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate("test-ca", Duration.ofDays(10));
    CertifiedKey client = ca.issueClient("kubernetes-admin", List.of("system:masters", "ops"), Duration.ofDays(5));
    verifyChain(client.certificate(), ca.certificate(), "1.3.6.1.5.5.7.3.2");
    String cn = null;
    List<String> orgs = new ArrayList<>();
    for (Rdn rdn : new LdapName(client.certificate().getSubjectX500Principal().getName()).getRdns()) {
      if (rdn.getType().equals("CN")) {
        cn = rdn.getValue().toString();
      } else if (rdn.getType().equals("O")) {
        orgs.add(rdn.getValue().toString());
      }
    }
    assertEquals("kubernetes-admin", cn);
    assertTrue(orgs.containsAll(List.of("system:masters", "ops")), orgs.toString());
    assertEquals(null, client.certificate().getSubjectAlternativeNames());
  }

  @Test
  void anotherCaDidNotIssue() {
    CertificateAuthority a = CertificateAuthority.generate("a", Duration.ofDays(1));
    CertificateAuthority b = CertificateAuthority.generate("a", Duration.ofDays(1)); // same name, other key
    CertifiedKey leaf = a.issueClient("u", List.of(), Duration.ofDays(1));
    assertTrue(a.issued(leaf.certificate()));
    assertFalse(b.issued(leaf.certificate()));
  }

  @Test
  void leafNeverOutlivesItsCa() {
    CertificateAuthority ca = CertificateAuthority.generate("short", Duration.ofDays(2));
    CertifiedKey leaf = ca.issueClient("u", List.of(), Duration.ofDays(365));
    assertFalse(leaf.certificate().getNotAfter().after(ca.certificate().getNotAfter()));
  }

  @Test
  void writeAndLoadRoundTripWithPrivateKeyMode() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate("test-ca", Duration.ofDays(10));
    ca.write(dir.resolve("ca.crt"), dir.resolve("ca.key"));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.crt"))));
    assertTrue(Files.readString(dir.resolve("ca.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
    CertificateAuthority loaded = CertificateAuthority.load(dir.resolve("ca.crt"), dir.resolve("ca.key"));
    assertEquals(ca.certificate(), loaded.certificate());
    assertTrue(loaded.issued(ca.issueClient("u", List.of(), Duration.ofDays(1)).certificate()));
  }

  @Test
  void loadRejectsMismatchedKeyAndNonCa() throws Exception {
    CertificateAuthority ca = CertificateAuthority.generate("ca", Duration.ofDays(1));
    CertificateAuthority other = CertificateAuthority.generate("other", Duration.ofDays(1));
    IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class, () ->
        CertificateAuthority.of(new CertifiedKey(ca.certificate(), other.certifiedKey().privateKey())));
    assertTrue(mismatch.getMessage().contains("does not match"), mismatch.getMessage());
    CertifiedKey leaf = ca.issueClient("u", List.of(), Duration.ofDays(1));
    IllegalArgumentException notCa = assertThrows(IllegalArgumentException.class,
        () -> CertificateAuthority.of(leaf));
    assertTrue(notCa.getMessage().contains("not a CA"), notCa.getMessage());
  }

  @Test
  void pemReadsPkcs1RsaAndSec1EcKeys() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPair rsaPair = rsa.generateKeyPair();
    String pkcs1 = traditionalPem(rsaPair);
    assertTrue(pkcs1.startsWith("-----BEGIN RSA PRIVATE KEY-----"), pkcs1.substring(0, 40));
    assertEquals(rsaPair.getPrivate(), Pem.parsePrivateKey(pkcs1));

    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ecPair = ec.generateKeyPair();
    String sec1 = sec1Pem(ecPair);
    assertTrue(sec1.startsWith("-----BEGIN EC PRIVATE KEY-----"), sec1.substring(0, 40));
    java.security.interfaces.ECPrivateKey parsed = (java.security.interfaces.ECPrivateKey) Pem.parsePrivateKey(sec1);
    assertEquals(((java.security.interfaces.ECPrivateKey) ecPair.getPrivate()).getS(), parsed.getS());

    // And PKCS#8 round trip.
    assertEquals(rsaPair.getPrivate(), Pem.parsePrivateKey(Pem.privateKey(rsaPair.getPrivate())));
  }

  @Test
  void pemErrorsSayWhatWasExpected() {
    IllegalArgumentException noCert = assertThrows(IllegalArgumentException.class,
        () -> Pem.parseCertificates("not pem"));
    assertTrue(noCert.getMessage().contains("CERTIFICATE"), noCert.getMessage());
    IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class,
        () -> Pem.parsePrivateKey(Pem.certificate(CertificateAuthority.generate("x", Duration.ofDays(1))
            .certificate())));
    assertTrue(noKey.getMessage().contains("PRIVATE KEY"), noKey.getMessage());
  }

  @Test
  void pemBundleKeepsOrder() throws Exception {
    CertificateAuthority a = CertificateAuthority.generate("a", Duration.ofDays(1));
    CertificateAuthority b = CertificateAuthority.generate("b", Duration.ofDays(1));
    String bundle = Pem.certificates(List.of(a.certificate(), b.certificate()));
    Collection<X509Certificate> parsed = Pem.parseCertificates("junk before\n" + bundle);
    assertEquals(List.of(a.certificate(), b.certificate()), List.copyOf(parsed));
    assertTrue(bundle.getBytes(StandardCharsets.US_ASCII).length > 0);
  }

  /** SEC1 as openssl writes it: ECPrivateKey with the curve in its parameters field. */
  private static String sec1Pem(KeyPair pair) throws Exception {
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded());
    ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
    ECPrivateKey withCurve = new ECPrivateKey(256, inner.getKey(),
        info.getPrivateKeyAlgorithm().getParameters());
    java.io.StringWriter out = new java.io.StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(new PemObject("EC PRIVATE KEY", withCurve.getEncoded()));
    }
    return out.toString();
  }

  /** The openssl "traditional" encoding: PKCS#1 for RSA. */
  private static String traditionalPem(KeyPair pair) throws Exception {
    java.io.StringWriter out = new java.io.StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(new JcaMiscPEMGenerator(pair));
    }
    return out.toString();
  }
}

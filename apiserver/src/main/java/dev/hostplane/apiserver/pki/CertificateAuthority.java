package dev.hostplane.apiserver.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority: a self-signed CA certificate with its key, able to issue serving and client
 * certificates. New keys are ECDSA P-256; a loaded CA may also hold an RSA key. Immutable and thread-safe.
 *
 * <p>Certificates are back-dated by {@link #CLOCK_SKEW} so that a client whose clock is slightly behind accepts
 * them at once.
 */
public final class CertificateAuthority {
  public static final Duration CA_VALIDITY = Duration.ofDays(3650);
  public static final Duration LEAF_VALIDITY = Duration.ofDays(365);
  public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final CertifiedKey ca;

  private CertificateAuthority(CertifiedKey ca) {
    this.ca = ca;
  }

  /** A new self-signed CA, valid for {@code validity}. */
  public static CertificateAuthority generate(String commonName, Duration validity) {
    KeyPair keys = newKeyPair();
    Instant now = Instant.now();
    X500Name subject = name(commonName, List.of());
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
          Date.from(now.minus(CLOCK_SKEW)), Date.from(now.plus(validity)), subject, keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      return new CertificateAuthority(new CertifiedKey(sign(builder, keys.getPrivate()), keys.getPrivate()));
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot generate CA certificate", e);
    }
  }

  /**
   * Wraps an existing CA. IllegalArgumentException when the certificate is not a CA (basicConstraints) or the key
   * does not belong to it.
   */
  public static CertificateAuthority of(CertifiedKey ca) {
    if (ca.certificate().getBasicConstraints() < 0) {
      throw new IllegalArgumentException("certificate " + ca.certificate().getSubjectX500Principal()
          + " is not a CA certificate (basicConstraints CA:FALSE or absent)");
    }
    if (!keyMatches(ca)) {
      throw new IllegalArgumentException("the CA private key does not match the CA certificate "
          + ca.certificate().getSubjectX500Principal());
    }
    return new CertificateAuthority(ca);
  }

  /** Loads a CA from PEM files (see {@link Pem} for the accepted key formats). Blocking. */
  public static CertificateAuthority load(Path certFile, Path keyFile) throws IOException {
    return of(CertifiedKey.read(certFile, keyFile));
  }

  public X509Certificate certificate() {
    return ca.certificate();
  }

  public CertifiedKey certifiedKey() {
    return ca;
  }

  /** Writes the CA certificate (0644) and key (0600) atomically. Blocking. */
  public void write(Path certFile, Path keyFile) throws IOException {
    ca.write(certFile, keyFile);
  }

  /**
   * A serving certificate (extendedKeyUsage serverAuth) with subject CN {@code commonName} and the given DNS and
   * IP subjectAltNames (at least one of them is required: clients verify names against SANs only).
   */
  public CertifiedKey issueServing(String commonName, List<String> dnsNames, List<InetAddress> ips,
      Duration validity) {
    if (dnsNames.isEmpty() && ips.isEmpty()) {
      throw new IllegalArgumentException("a serving certificate needs at least one DNS or IP subjectAltName");
    }
    List<GeneralName> sans = new ArrayList<>();
    for (String dns : dnsNames) {
      if (dns == null || dns.isBlank()) {
        throw new IllegalArgumentException("empty DNS subjectAltName in " + dnsNames);
      }
      sans.add(new GeneralName(GeneralName.dNSName, dns));
    }
    for (InetAddress ip : ips) {
      sans.add(new GeneralName(GeneralName.iPAddress, ip.getHostAddress()));
    }
    return issue(name(commonName, List.of()), KeyPurposeId.id_kp_serverAuth,
        new GeneralNames(sans.toArray(GeneralName[]::new)), validity);
  }

  /**
   * A client certificate (extendedKeyUsage clientAuth) as Kubernetes' x509 authenticator reads it: CN = user name,
   * one O per group.
   */
  public CertifiedKey issueClient(String user, List<String> groups, Duration validity) {
    Objects.requireNonNull(user, "user");
    if (user.isEmpty()) {
      throw new IllegalArgumentException("client certificate user (CN) must not be empty");
    }
    return issue(name(user, groups), KeyPurposeId.id_kp_clientAuth, null, validity);
  }

  /** True when {@code cert} carries a valid signature by this CA's key and names it as issuer. */
  public boolean issued(X509Certificate cert) {
    if (!cert.getIssuerX500Principal().equals(ca.certificate().getSubjectX500Principal())) {
      return false;
    }
    try {
      cert.verify(ca.certificate().getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** True when the private key signs what the certificate's public key verifies. */
  public static boolean keyMatches(CertifiedKey key) {
    PublicKey pub = key.certificate().getPublicKey();
    String alg = switch (pub.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (alg == null || !pub.getAlgorithm().equals(normalise(key.privateKey().getAlgorithm()))) {
      return false;
    }
    try {
      byte[] probe = "hostplane key match probe".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(alg);
      signer.initSign(key.privateKey());
      signer.update(probe);
      byte[] sig = signer.sign();
      Signature verifier = Signature.getInstance(alg);
      verifier.initVerify(pub);
      verifier.update(probe);
      return verifier.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String normalise(String algorithm) {
    return "EdDSA".equals(algorithm) ? "Ed25519" : algorithm;
  }

  private CertifiedKey issue(X500Name subject, KeyPurposeId purpose, GeneralNames sans, Duration validity) {
    KeyPair keys = newKeyPair();
    Instant now = Instant.now();
    X509Certificate caCert = ca.certificate();
    Instant notAfter = now.plus(validity);
    if (notAfter.isAfter(caCert.getNotAfter().toInstant())) {
      notAfter = caCert.getNotAfter().toInstant(); // a leaf never outlives its CA
    }
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCert, serial(),
          Date.from(now.minus(CLOCK_SKEW)), Date.from(notAfter), subject, keys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
      if (sans != null) {
        builder.addExtension(Extension.subjectAlternativeName, false, sans);
      }
      return new CertifiedKey(sign(builder, ca.privateKey()), keys.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue certificate for " + subject, e);
    }
  }

  private static X500Name name(String commonName, List<String> organizations) {
    X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
    for (String o : organizations) {
      b.addRDN(BCStyle.O, o);
    }
    b.addRDN(BCStyle.CN, commonName);
    return b.build();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE); // positive, at most 16 bytes (RFC 5280)
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return gen.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA P-256 is not available in this JDK", e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws GeneralSecurityException {
    String alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new GeneralSecurityException("unsupported CA key algorithm " + key.getAlgorithm());
    };
    try {
      ContentSigner signer = new JcaContentSignerBuilder(alg).build(key);
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }
}

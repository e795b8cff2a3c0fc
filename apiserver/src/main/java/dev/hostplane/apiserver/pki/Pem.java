package dev.hostplane.apiserver.pki;

import dev.hostplane.apiserver.pki.internal.AtomicFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * PEM encoding of certificates and private keys. Keys are written as PKCS#8 ({@code PRIVATE KEY}); reading also
 * accepts PKCS#1 ({@code RSA PRIVATE KEY}) and SEC1 ({@code EC PRIVATE KEY}), as written by openssl and kubeadm.
 * Encrypted keys are not supported. Keys are turned into JDK key objects (no provider is registered globally).
 *
 * <p>Failures: malformed input is an {@link IllegalArgumentException} naming what was expected; file I/O errors
 * are {@link IOException}s. File methods block: never call them on an event loop.
 */
public final class Pem {
  private Pem() {}

  /** Every certificate in {@code pem}, in order; IllegalArgumentException when there is none. */
  public static List<X509Certificate> parseCertificates(String pem) {
    List<X509Certificate> certs = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof X509CertificateHolder holder) {
          certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(holder.getEncoded())));
        }
      }
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException("invalid PEM certificate data: " + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new IllegalArgumentException("expected at least one PEM block of type CERTIFICATE, found none");
    }
    return List.copyOf(certs);
  }

  /** The first private key in {@code pem} (PKCS#8, PKCS#1 RSA or SEC1 EC). */
  public static PrivateKey parsePrivateKey(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof PrivateKeyInfo info) {
          return toJdkKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          return toJdkKey(pair.getPrivateKeyInfo());
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("invalid PEM private key data: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException(
        "expected a PEM block of type PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY, found none");
  }

  public static List<X509Certificate> readCertificates(Path file) throws IOException {
    return wrap(file, () -> parseCertificates(Files.readString(file, StandardCharsets.US_ASCII)));
  }

  public static PrivateKey readPrivateKey(Path file) throws IOException {
    return wrap(file, () -> parsePrivateKey(Files.readString(file, StandardCharsets.US_ASCII)));
  }

  public static String certificates(List<X509Certificate> certs) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (X509Certificate cert : certs) {
        writer.writeObject(cert);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  public static String certificate(X509Certificate cert) {
    return certificates(List.of(cert));
  }

  /** PKCS#8 {@code -----BEGIN PRIVATE KEY-----}. */
  public static String privateKey(PrivateKey key) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new PemObject("PRIVATE KEY", key.getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Atomically writes certificates, mode 0644. */
  public static void writeCertificates(Path file, List<X509Certificate> certs) throws IOException {
    AtomicFiles.write(file, certificates(certs).getBytes(StandardCharsets.US_ASCII), AtomicFiles.PUBLIC);
  }

  /** Atomically writes a PKCS#8 key, mode 0600. */
  public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
    AtomicFiles.write(file, privateKey(key).getBytes(StandardCharsets.US_ASCII), AtomicFiles.PRIVATE);
  }

  private static PrivateKey toJdkKey(PrivateKeyInfo info) throws IOException {
    ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
    String algorithm;
    if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      algorithm = "RSA";
    } else if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      algorithm = "EC";
    } else if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
      algorithm = "Ed25519";
    } else {
      throw new IllegalArgumentException("unsupported private key algorithm " + oid
          + ": expected RSA, EC or Ed25519");
    }
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("invalid " + algorithm + " private key: " + e.getMessage(), e);
    }
  }

  private interface IoSupplier<T> {
    T get() throws IOException;
  }

  private static <T> T wrap(Path file, IoSupplier<T> read) throws IOException {
    try {
      return read.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }
}

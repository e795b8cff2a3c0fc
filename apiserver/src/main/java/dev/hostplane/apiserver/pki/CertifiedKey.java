package dev.hostplane.apiserver.pki;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/** A certificate and its private key. */
public record CertifiedKey(X509Certificate certificate, PrivateKey privateKey) {
  public CertifiedKey {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
  }

  /** Loads a certificate (the first in the file) and key from PEM files. */
  public static CertifiedKey read(Path certFile, Path keyFile) throws IOException {
    return new CertifiedKey(Pem.readCertificates(certFile).get(0), Pem.readPrivateKey(keyFile));
  }

  /** Writes both atomically: the certificate 0644, the key 0600. Blocking. */
  public void write(Path certFile, Path keyFile) throws IOException {
    // Key first: a crash between the two leaves a new key with an old certificate, which the loader rejects
    // (mismatch) and regenerates, rather than a certificate whose key is missing.
    Pem.writePrivateKey(keyFile, privateKey);
    Pem.writeCertificates(certFile, List.of(certificate));
  }
}

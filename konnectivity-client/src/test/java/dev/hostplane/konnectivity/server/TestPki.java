package dev.hostplane.konnectivity.server;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA with a server certificate (localhost, 127.0.0.1) and a client certificate, as PEM files. */
record TestPki(Path dir, Path caCert, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  static TestPki create(Path dir) throws Exception {
    KeyPair ca = keyPair();
    X500Name caName = new X500Name("CN=konnectivity-test-ca");
    X509Certificate caCert = sign(caName, ca.getPublic(), caName, ca.getPrivate(), true, null);
    KeyPair server = keyPair();
    GeneralNames sans = new GeneralNames(new GeneralName[] {
        new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")});
    X509Certificate serverCert = sign(new X500Name("CN=konnectivity-server"), server.getPublic(), caName,
        ca.getPrivate(), false, sans);
    KeyPair client = keyPair();
    X509Certificate clientCert = sign(new X500Name("CN=system:konnectivity-agent"), client.getPublic(), caName,
        ca.getPrivate(), false, null);
    TestPki pki = new TestPki(dir, dir.resolve("ca.crt"), dir.resolve("server.crt"), dir.resolve("server.key"),
        dir.resolve("client.crt"), dir.resolve("client.key"));
    pem(pki.caCert, "CERTIFICATE", caCert.getEncoded());
    pem(pki.serverCert, "CERTIFICATE", serverCert.getEncoded());
    pem(pki.serverKey, "PRIVATE KEY", server.getPrivate().getEncoded());
    pem(pki.clientCert, "CERTIFICATE", clientCert.getEncoded());
    pem(pki.clientKey, "PRIVATE KEY", client.getPrivate().getEncoded());
    return pki;
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate sign(X500Name subject, java.security.PublicKey key, X500Name issuer,
      PrivateKey issuerKey, boolean ca, GeneralNames sans) throws Exception {
    long now = System.currentTimeMillis();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
        BigInteger.valueOf(SERIAL.incrementAndGet()), new Date(now - 60_000), new Date(now + 86_400_000L), subject,
        key);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    if (sans != null) {
      b.addExtension(Extension.subjectAlternativeName, false, sans);
    }
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
  }

  private static void pem(Path file, String type, byte[] der) throws IOException {
    String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
    Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
  }
}

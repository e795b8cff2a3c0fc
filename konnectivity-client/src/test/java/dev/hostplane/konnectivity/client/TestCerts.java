package dev.hostplane.konnectivity.client;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA with a server certificate (localhost, 127.0.0.1) and a client certificate, as PEM files. */
record TestCerts(File ca, File serverCert, File serverKey, File clientCert, File clientKey) {
  private static final AtomicLong SERIAL = new AtomicLong(1);

  static TestCerts create(Path dir) throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(256);
    KeyPair caKeys = gen.generateKeyPair();
    X500Name caName = new X500Name("CN=konnectivity-test-ca");
    X509Certificate ca = sign(caName, caKeys, caName, caKeys, true, false);
    KeyPair serverKeys = gen.generateKeyPair();
    X509Certificate server = sign(new X500Name("CN=konnectivity-server"), serverKeys, caName, caKeys, false, true);
    KeyPair clientKeys = gen.generateKeyPair();
    X509Certificate client = sign(new X500Name("CN=kube-apiserver"), clientKeys, caName, caKeys, false, false);
    return new TestCerts(pem(dir.resolve("ca.crt"), ca), pem(dir.resolve("server.crt"), server),
        pem(dir.resolve("server.key"), new JcaPKCS8Generator(serverKeys.getPrivate(), null)),
        pem(dir.resolve("client.crt"), client),
        pem(dir.resolve("client.key"), new JcaPKCS8Generator(clientKeys.getPrivate(), null)));
  }

  private static X509Certificate sign(X500Name subject, KeyPair keys, X500Name issuer, KeyPair issuerKeys,
      boolean isCa, boolean serverNames) throws Exception {
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.getAndIncrement()),
        Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), subject,
        keys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (serverNames) {
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    }
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }

  private static File pem(Path file, Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    }
    Files.writeString(file, w.toString());
    return file.toFile();
  }
}

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
    return create(dir, "localhost", "127.0.0.1");
  }

  /** As {@link #create(Path)}, the server certificate naming only {@code serverNames} (DNS names or IPv4). */
  static TestCerts create(Path dir, String... serverNames) throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(256);
    KeyPair caKeys = gen.generateKeyPair();
    X500Name caName = new X500Name("CN=konnectivity-test-ca");
    X509Certificate ca = sign(caName, caKeys, caName, caKeys, true);
    KeyPair serverKeys = gen.generateKeyPair();
    X509Certificate server = sign(new X500Name("CN=konnectivity-server"), serverKeys, caName, caKeys, false,
        serverNames);
    KeyPair clientKeys = gen.generateKeyPair();
    X509Certificate client = sign(new X500Name("CN=kube-apiserver"), clientKeys, caName, caKeys, false);
    return new TestCerts(pem(dir.resolve("ca.crt"), ca), pem(dir.resolve("server.crt"), server),
        pem(dir.resolve("server.key"), new JcaPKCS8Generator(serverKeys.getPrivate(), null)),
        pem(dir.resolve("client.crt"), client),
        pem(dir.resolve("client.key"), new JcaPKCS8Generator(clientKeys.getPrivate(), null)));
  }

  private static X509Certificate sign(X500Name subject, KeyPair keys, X500Name issuer, KeyPair issuerKeys,
      boolean isCa, String... serverNames) throws Exception {
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.getAndIncrement()),
        Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(1, ChronoUnit.DAYS)), subject,
        keys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (serverNames.length > 0) {
      GeneralName[] names = new GeneralName[serverNames.length];
      for (int i = 0; i < names.length; i++) {
        boolean ip = serverNames[i].matches("[0-9.]+");
        names[i] = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, serverNames[i]);
      }
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
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

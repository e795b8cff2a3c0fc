package dev.hostplane.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.pki.CertificateAuthority;
import dev.hostplane.apiserver.pki.CertifiedKey;
import dev.hostplane.apiserver.pki.Kubeconfig;
import dev.hostplane.apiserver.pki.Pem;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientConfigTest {
  static CertificateAuthority ca;
  static CertifiedKey admin;

  @TempDir
  Path dir;

  @BeforeAll
  static void pki() {
    ca = CertificateAuthority.generate("bench-test-ca", Duration.ofDays(1));
    admin = ca.issueClient("admin", List.of("system:masters"), Duration.ofDays(1));
  }

  @Test
  void embeddedDataAsHostplaneWritesIt() throws Exception {
    Path file = dir.resolve("admin.kubeconfig");
    Kubeconfig.write(file, "c1", "https://127.0.0.1:6443", ca.certificate(), admin);

    ClientConfig c = ClientConfig.load(file);

    assertEquals("127.0.0.1", c.host());
    assertEquals(6443, c.port());
    assertEquals("127.0.0.1", c.tlsServerName());
    assertEquals("", c.pathPrefix());
    assertEquals(List.of(ca.certificate()), c.trustedCas());
    assertEquals(List.of(admin.certificate()), c.clientChain());
    assertEquals(admin.privateKey().getAlgorithm(), c.clientKey().getAlgorithm());
    assertTrue(CertificateAuthority.keyMatches(new CertifiedKey(c.clientChain().get(0), c.clientKey())));
    assertNull(c.bearerToken());
    assertFalse(c.insecureSkipTlsVerify());
  }

  @Test
  void filesRelativeToTheKubeconfigWithSec1Key() throws Exception {
    Files.createDirectories(dir.resolve("pki"));
    Files.writeString(dir.resolve("pki/ca.crt"), Pem.certificate(ca.certificate()));
    Files.writeString(dir.resolve("pki/admin.crt"), Pem.certificate(admin.certificate()));
    String sec1 = sec1WithCurve(admin.privateKey());
    assertTrue(sec1.startsWith("-----BEGIN EC PRIVATE KEY-----"), sec1);
    Files.writeString(dir.resolve("pki/admin.key"), sec1);
    Path file = write("""
        apiVersion: v1
        kind: Config
        current-context: second
        clusters:
        - name: other
          cluster: {server: "https://other:1"}
        - name: mine
          cluster:
            server: https://[::1]:31000/prefix/
            certificate-authority: pki/ca.crt
            tls-server-name: kubernetes.default
        contexts:
        - name: first
          context: {cluster: other, user: nobody}
        - name: second
          context: {cluster: mine, user: me}
        users:
        - name: me
          user:
            client-certificate: pki/admin.crt
            client-key: pki/admin.key
        """);

    ClientConfig c = ClientConfig.load(file);

    assertEquals("::1", c.host());
    assertEquals(31000, c.port());
    assertEquals("/prefix", c.pathPrefix());
    assertEquals("kubernetes.default", c.tlsServerName());
    assertEquals(List.of(ca.certificate()), c.trustedCas());
    assertTrue(CertificateAuthority.keyMatches(new CertifiedKey(c.clientChain().get(0), c.clientKey())));
  }

  @Test
  void pkcs1RsaKeyIsRead() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    KeyPair rsa = gen.generateKeyPair();
    String pkcs1 = legacyPem(rsa.getPrivate());
    assertTrue(pkcs1.startsWith("-----BEGIN RSA PRIVATE KEY-----"), pkcs1);
    Path file = write(kubeconfig("https://h:443", "insecure-skip-tls-verify: true",
        "client-certificate-data: " + b64(Pem.certificate(admin.certificate())) + "\n"
            + "    client-key-data: " + b64(pkcs1)));

    ClientConfig c = ClientConfig.load(file);

    assertEquals("RSA", c.clientKey().getAlgorithm());
    assertEquals(((RSAPrivateKey) rsa.getPrivate()).getModulus(), ((RSAPrivateKey) c.clientKey()).getModulus());
    assertTrue(c.insecureSkipTlsVerify());
    assertTrue(c.trustedCas().isEmpty());
    assertEquals(443, c.port());
  }

  @Test
  void tokenAndTokenFile() throws Exception {
    ClientConfig inline = ClientConfig.load(write(kubeconfig("https://h:6443", "", "token: abc.def")));
    assertEquals("abc.def", inline.bearerToken());
    assertTrue(inline.clientChain().isEmpty());
    assertNull(inline.clientKey());

    Files.writeString(dir.resolve("token"), "from-file\n");
    ClientConfig fromFile = ClientConfig.load(write(kubeconfig("https://h:6443", "", "tokenFile: token")));
    assertEquals("from-file", fromFile.bearerToken());
  }

  @Test
  void unusableKubeconfigsSayWhy() throws Exception {
    Map<String, String> cases = Map.of(
        "apiVersion: v1\nkind: Config\n", "current-context is not set",
        kubeconfig("http://h:8080", "", "token: t"), "is not an https://host[:port] URL",
        kubeconfig("https://h:6443", "", "exec: {command: aws}"), "exec or auth-provider",
        kubeconfig("https://h:6443", "", "client-key-data: " + b64(Pem.privateKey(admin.privateKey()))),
        "without a key or a key without a certificate",
        "current-context: x\ncontexts: []\n", "no entry named \"x\" in contexts");
    for (var e : cases.entrySet()) {
      Path file = write(e.getKey());
      IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> ClientConfig.load(file));
      assertTrue(ex.getMessage().contains(e.getValue()), ex.getMessage() + " should say " + e.getValue());
    }
  }

  @Test
  void defaultPathFollowsKubectl() throws Exception {
    Path exists = Files.writeString(dir.resolve("b"), "x");
    assertEquals(Path.of("/home/u/.kube/config"), ClientConfig.defaultPath(Map.of(), "/home/u"));
    assertEquals(exists, ClientConfig.defaultPath(
        Map.of("KUBECONFIG", dir.resolve("a") + ":" + exists), "/home/u"));
    assertEquals(dir.resolve("a"), ClientConfig.defaultPath(
        Map.of("KUBECONFIG", dir.resolve("a") + ":" + dir.resolve("c")), "/home/u"));
  }

  private Path write(String yaml) throws Exception {
    Path file = Files.createTempFile(dir, "kubeconfig", ".yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static String kubeconfig(String server, String clusterExtra, String user) {
    return """
        apiVersion: v1
        kind: Config
        current-context: c
        clusters:
        - name: c
          cluster:
            server: %s
            %s
        contexts:
        - name: c
          context: {cluster: c, user: u}
        users:
        - name: u
          user:
            %s
        """.formatted(server, clusterExtra, user);
  }

  private static String b64(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
  }

  /** SEC1 as openssl writes it: the curve OID inside the key (BC's writer leaves it out). */
  private static String sec1WithCurve(PrivateKey key) throws Exception {
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
    org.bouncycastle.asn1.sec.ECPrivateKey inner =
        org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
    var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(), inner.getPublicKey(),
        info.getPrivateKeyAlgorithm().getParameters());
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    }
    return out.toString();
  }

  /** OpenSSL's traditional encodings: PKCS#1 for RSA, SEC1 for EC. */
  private static String legacyPem(PrivateKey key) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(key);
    }
    return out.toString();
  }
}

package dev.hostplane.apiserver.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(20)
class KubeconfigTest {
  @TempDir
  Path dir;

  @ParameterizedTest
  @CsvSource({
      "c1.eu.example.com, 6443, https://c1.eu.example.com:6443",
      "127.0.0.1, 443, https://127.0.0.1:443",
      "::1, 6443, https://[::1]:6443",
      "fd00::10, 31000, https://[fd00::10]:31000",
      "[::1], 6443, https://[::1]:6443",
  })
  void serverUrlBracketsIpv6(String host, int port, String url) {
    assertEquals(url, Kubeconfig.serverUrl(host, port));
  }

  @Test
  void badPortIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> Kubeconfig.serverUrl("h", 0));
  }

  @Test
  void writtenKubeconfigParsesBackWithEmbeddedCredentials() throws Exception {
    CertDir certs = CertDir.loadOrCreate(dir.resolve("pki"), null, "10.240.16.0/20", List.of());
    Path file = dir.resolve("out/admin.kubeconfig");
    Kubeconfig.write(file, "c1", Kubeconfig.serverUrl("::1", 6443), certs.ca().certificate(), certs.admin());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

    JsonNode doc = new YAMLMapper().readTree(Files.readString(file));
    assertEquals("v1", doc.get("apiVersion").asText());
    assertEquals("Config", doc.get("kind").asText());
    assertEquals("c1", doc.get("current-context").asText());
    JsonNode cluster = doc.get("clusters").get(0);
    assertEquals("c1", cluster.get("name").asText());
    assertEquals("https://[::1]:6443", cluster.get("cluster").get("server").asText());
    JsonNode context = doc.get("contexts").get(0);
    assertEquals("c1", context.get("name").asText());
    assertEquals("c1", context.get("context").get("cluster").asText());
    assertEquals("c1", context.get("context").get("user").asText());
    JsonNode user = doc.get("users").get(0);
    assertEquals("c1", user.get("name").asText());

    Base64.Decoder b64 = Base64.getDecoder();
    String caPem = new String(b64.decode(cluster.get("cluster").get("certificate-authority-data").asText()),
        StandardCharsets.US_ASCII);
    assertEquals(certs.ca().certificate(), Pem.parseCertificates(caPem).get(0));
    String certPem = new String(b64.decode(user.get("user").get("client-certificate-data").asText()),
        StandardCharsets.US_ASCII);
    String keyPem = new String(b64.decode(user.get("user").get("client-key-data").asText()),
        StandardCharsets.US_ASCII);
    CertifiedKey admin = new CertifiedKey(Pem.parseCertificates(certPem).get(0), Pem.parsePrivateKey(keyPem));
    assertEquals(certs.admin().certificate(), admin.certificate());
    assertTrue(CertificateAuthority.keyMatches(admin));

    // Rewriting replaces atomically (no temporary files left behind).
    Kubeconfig.write(file, "c2", Kubeconfig.serverUrl("h", 1), certs.ca().certificate(), certs.admin());
    try (var files = Files.list(file.getParent())) {
      assertEquals(List.of(file), files.toList());
    }
  }
}

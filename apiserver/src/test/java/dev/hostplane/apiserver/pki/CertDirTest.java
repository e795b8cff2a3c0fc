package dev.hostplane.apiserver.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class CertDirTest {
  @TempDir
  Path dir;

  private static InetAddress ip(String s) throws IOException {
    return InetAddress.getByName(s);
  }

  @Test
  void createsEverythingWithRequiredSansAndModes() throws Exception {
    CertDir certs = CertDir.loadOrCreate(dir, ip("203.0.113.7"), "10.240.16.0/20", List.of("c1.eu.example"));
    for (String f : List.of("ca.crt", "ca.key", "apiserver.crt", "apiserver.key", "admin.crt", "admin.key")) {
      assertTrue(Files.exists(dir.resolve(f)), f);
    }
    for (String key : List.of("ca.key", "apiserver.key", "admin.key")) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(key))));
    }
    CertDir.Sans want = CertDir.requiredSans(ip("203.0.113.7"), "10.240.16.0/20", List.of("c1.eu.example"));
    assertTrue(want.dnsNames().containsAll(List.of("localhost", "kubernetes", "kubernetes.default",
        "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "c1.eu.example")), want.toString());
    assertTrue(want.ips().containsAll(List.of(ip("127.0.0.1"), ip("::1"), ip("203.0.113.7"),
        ip("10.240.16.1"))), want.toString());
    assertTrue(CertDir.covers(certs.serving().certificate(), want));
    assertTrue(certs.ca().issued(certs.serving().certificate()));
    assertTrue(certs.ca().issued(certs.admin().certificate()));
    String admin = certs.admin().certificate().getSubjectX500Principal().getName();
    assertTrue(admin.contains("CN=kubernetes-admin") && admin.contains("O=system:masters"), admin);
  }

  @Test
  void restartReusesEverything() throws Exception {
    CertDir first = CertDir.loadOrCreate(dir, ip("203.0.113.7"), "10.240.16.0/20", List.of());
    CertDir second = CertDir.loadOrCreate(dir, ip("203.0.113.7"), "10.240.16.0/20", List.of());
    assertEquals(first.ca().certificate(), second.ca().certificate());
    assertEquals(first.serving().certificate(), second.serving().certificate());
    assertEquals(first.admin().certificate(), second.admin().certificate());
  }

  @Test
  void sanChangeReissuesServingCertificateButKeepsCaAndAdmin() throws Exception {
    CertDir first = CertDir.loadOrCreate(dir, ip("203.0.113.7"), "10.240.16.0/20", List.of());
    CertDir moved = CertDir.loadOrCreate(dir, ip("198.51.100.9"), "10.240.16.0/20", List.of());
    assertEquals(first.ca().certificate(), moved.ca().certificate());
    assertEquals(first.admin().certificate(), moved.admin().certificate());
    assertNotEquals(first.serving().certificate(), moved.serving().certificate());
    assertTrue(CertDir.covers(moved.serving().certificate(),
        CertDir.requiredSans(ip("198.51.100.9"), "10.240.16.0/20", List.of())));

    CertDir resized = CertDir.loadOrCreate(dir, ip("198.51.100.9"), "10.96.0.0/12", List.of());
    assertNotEquals(moved.serving().certificate(), resized.serving().certificate());
    assertTrue(CertDir.covers(resized.serving().certificate(),
        CertDir.requiredSans(null, "10.96.0.0/12", List.of())));

    // A subset of what the certificate covers is still covered: no reissue.
    CertDir subset = CertDir.loadOrCreate(dir, null, "10.96.0.0/12", List.of());
    assertEquals(resized.serving().certificate(), subset.serving().certificate());
  }

  @Test
  void servingCertificateFromAnotherCaIsReissued() throws Exception {
    CertDir first = CertDir.loadOrCreate(dir, null, null, List.of());
    CertificateAuthority stranger = CertificateAuthority.generate("stranger", Duration.ofDays(30));
    stranger.issueServing("x", List.of("localhost"), List.of(), Duration.ofDays(300))
        .write(dir.resolve("apiserver.crt"), dir.resolve("apiserver.key"));
    CertDir again = CertDir.loadOrCreate(dir, null, null, List.of());
    assertTrue(again.ca().issued(again.serving().certificate()));
    assertEquals(first.ca().certificate(), again.ca().certificate());
  }

  @Test
  void lonelyCaFileIsAnError() throws Exception {
    CertDir.loadOrCreate(dir, null, null, List.of());
    Files.delete(dir.resolve("ca.key"));
    IOException e = assertThrows(IOException.class, () -> CertDir.loadOrCreate(dir, null, null, List.of()));
    assertTrue(e.getMessage().contains("refusing to replace the CA"), e.getMessage());
  }

  @Test
  void badServiceCidrIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> CertDir.loadOrCreate(dir, null, "10.0.0.0/33", List.of()));
    assertThrows(IllegalArgumentException.class, () -> CertDir.requiredSans(null, null, List.of("bad name!")));
  }
}

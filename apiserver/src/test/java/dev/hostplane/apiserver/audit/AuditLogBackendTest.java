package dev.hostplane.apiserver.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.audit.internal.RotatingFile;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.filter.RequestInfoParser;
import dev.hostplane.apiserver.testing.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class AuditLogBackendTest {
  @TempDir
  Path dir;

  /** An output whose writes wait until released: a disk that cannot keep up. */
  static final class StalledDisk extends OutputStream {
    final CountDownLatch release = new CountDownLatch(1);
    final java.io.ByteArrayOutputStream written = new java.io.ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      written.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
      synchronized (this) {
        written.write(b, off, len);
      }
    }
  }

  static AuditContext begin(Auditor auditor, int i) {
    var info = RequestInfoParser.parse("GET", "/api/v1/namespaces/default/configmaps/c" + i, Map.of());
    return auditor.begin(new AuditContext.Subject("id-" + i, "/api/v1/namespaces/default/configmaps/c" + i, info,
        "GET", new UserInfo("alice", "", List.of("devs"), Map.of()), null, List.of("10.0.0.1"), "test"),
        new AuditPolicy.Attributes("alice", List.of("devs"), "get", true, "", "configmaps", "", "default",
            "c" + i, ""), Instant.now());
  }

  @Test
  void aSinkThatCannotKeepUpDropsAndCountsWithoutSlowingRequests() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    StalledDisk disk = new StalledDisk();
    Auditor auditor = Auditor.toStream(AuditPolicy.everything(Level.Metadata), disk, AuditOptions.Mode.BATCH, 4,
        Duration.ofSeconds(1), registry);
    long start = System.nanoTime();
    for (int i = 0; i < 200; i++) {
      AuditContext ctx = begin(auditor, i);
      ctx.requestReceived();
      ctx.responseComplete(200);
    }
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(elapsedMs < 1000, "400 events with a stalled disk took " + elapsedMs + " ms");
    double errors = registry.get("apiserver.audit.error").tag("plugin", "log").counter().count();
    double events = registry.get("apiserver.audit.event").counter().count();
    assertEquals(400, events);
    // At most what the writer took before it stalled (its first and what it drained: up to 5) and a refilled
    // buffer (4) got through.
    assertTrue(errors >= 400 - 9, "dropped " + errors);
    assertEquals(200, registry.get("apiserver.audit.level").tag("level", "Metadata").counter().count());
    disk.release.countDown();
    auditor.close();
    String written = disk.written.toString(StandardCharsets.UTF_8);
    long lines = written.lines().count();
    assertEquals(400 - (long) errors, lines, written);
  }

  @Test
  void blockingModeWaitsBoundedThenDrops() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    StalledDisk disk = new StalledDisk();
    Auditor auditor = Auditor.toStream(AuditPolicy.everything(Level.Metadata), disk, AuditOptions.Mode.BLOCKING,
        1, Duration.ofMillis(100), registry);
    long start = System.nanoTime();
    for (int i = 0; i < 5; i++) {
      begin(auditor, i).requestReceived();
    }
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    // Two or three fit (what the stalled writer holds, and the buffer's one); each of the others waited its
    // 100 ms and was dropped.
    double dropped = registry.get("apiserver.audit.error").tag("plugin", "log").counter().count();
    assertTrue(dropped == 2 || dropped == 3, "dropped " + dropped);
    assertTrue(elapsedMs >= dropped * 100 - 20 && elapsedMs < 2000, "took " + elapsedMs + " ms");
    disk.release.countDown();
    auditor.close();
  }

  @Test
  void logRotatesBySizeWithUpstreamsBackupNamesAndKeepsMaxBackups() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-03-04T05:06:07.123Z"));
    Path log = dir.resolve("audit.log");
    byte[] line = ("x".repeat(399) + "\n").getBytes(StandardCharsets.UTF_8);
    try (RotatingFile f = new RotatingFile(log, 1000, 2, Duration.ZERO, clock)) {
      for (int i = 0; i < 2; i++) {
        f.write(line, 0, line.length);
      }
      f.flush();
      assertEquals(800, Files.size(log));
      f.write(line, 0, line.length); // 1200 > 1000: rotates first
      f.flush();
      assertEquals(400, Files.size(log));
      assertTrue(Files.exists(dir.resolve("audit-2026-03-04T05-06-07.123.log")));
      for (int round = 0; round < 3; round++) {
        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 2; i++) { // 400 + 400 fits, the next 400 rotates
          f.write(line, 0, line.length);
        }
      }
      f.flush();
      List<Path> backups = f.backups();
      assertEquals(2, backups.size(), backups.toString());
      assertEquals("audit-2026-03-04T05-06-10.123.log", backups.get(0).getFileName().toString());
      assertEquals("audit-2026-03-04T05-06-09.123.log", backups.get(1).getFileName().toString());
      assertEquals(800, Files.size(backups.get(0)));
    }
  }

  @Test
  void oldBackupsGoAfterMaxAge() throws Exception {
    ManualClock clock = new ManualClock(Instant.parse("2026-03-04T05:06:07.123Z"));
    Path log = dir.resolve("audit.log");
    byte[] line = ("y".repeat(599) + "\n").getBytes(StandardCharsets.UTF_8);
    try (RotatingFile f = new RotatingFile(log, 1000, 0, Duration.ofDays(1), clock)) {
      f.write(line, 0, line.length);
      f.write(line, 0, line.length); // rotation 1, at day 0
      clock.advance(Duration.ofHours(25));
      f.write(line, 0, line.length); // rotation 2, at day 1: the first backup is older than a day
      f.flush();
      assertEquals(List.of(dir.resolve("audit-2026-03-05T06-06-07.123.log")), f.backups());
    }
  }

  @Test
  void legacyFormatIsOneLineOfText() {
    Auditor auditor = Auditor.toStream(AuditPolicy.everything(Level.Metadata), OutputStream.nullOutputStream(),
        AuditOptions.Mode.BATCH, 10, Duration.ZERO, new SimpleMeterRegistry());
    AuditContext ctx = begin(auditor, 7);
    String line = new String(dev.hostplane.apiserver.audit.internal.LegacyFormat.line(
        ctx.event(Stage.ResponseComplete, 404, Instant.parse("2026-01-02T03:04:05.123456Z"))),
        StandardCharsets.UTF_8);
    assertEquals("2026-01-02T03:04:05.123456Z AUDIT: id=\"id-7\" stage=\"ResponseComplete\" ip=\"10.0.0.1\" "
        + "method=\"get\" user=\"alice\" groups=\"\\\"devs\\\"\" as=\"<self>\" asgroups=\"<lookup>\" "
        + "user-agent=\"test\" namespace=\"default\" uri=\"/api/v1/namespaces/default/configmaps/c7\" "
        + "response=\"404\"\n", line);
    auditor.close();
  }
}

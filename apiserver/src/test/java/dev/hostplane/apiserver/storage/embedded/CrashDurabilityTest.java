package dev.hostplane.apiserver.storage.embedded;

import static dev.hostplane.apiserver.storage.StorageContractTest.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hostplane.apiserver.storage.ListOptions;
import dev.hostplane.apiserver.storage.ListResult;
import dev.hostplane.apiserver.storage.StoredObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM (SIGKILL) that is writing as fast as it can, then checks in-process that every write it
 * acknowledged survived with its value and revision, and that nothing was half-applied. Three rounds on the same
 * directory, so recovery from a crash is itself crashed into.
 */
@Tag("slow")
class CrashDurabilityTest {
  private static final int ROUNDS = 3;
  private static final long LOAD_MILLIS = 1500;
  private static final int MIN_ACKS = 200;

  @TempDir
  Path dir;

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void everyAcknowledgedWriteSurvivesAKill() throws Exception {
    Map<String, Long> acked = new ConcurrentHashMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      int before = acked.size();
      runAndKill(round, acked);
      assertTrue(acked.size() - before >= MIN_ACKS, "round " + round + ": only " + (acked.size() - before) + " acks");
      verify(acked);
    }
  }

  private void runAndKill(int round, Map<String, Long> acked) throws Exception {
    Path stderr = dir.resolveSibling(dir.getFileName() + "-child-" + round + ".err");
    ProcessBuilder builder = new ProcessBuilder(
        ProcessHandle.current().info().command().orElse("java"),
        "-Xmx256m", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"),
        CrashWriterMain.class.getName(), dir.toString(), Integer.toString(round));
    builder.redirectError(stderr.toFile());
    Process child = builder.start();
    Thread reader = null;
    try {
      CountDownLatch ready = new CountDownLatch(1);
      CountDownLatch enough = new CountDownLatch(MIN_ACKS);
      reader = new Thread(() -> readAcks(child, acked, ready, enough), "crash-test-reader");
      reader.start();
      assertTrue(ready.await(30, TimeUnit.SECONDS), "child never got ready: " + read(stderr));
      assertTrue(enough.await(30, TimeUnit.SECONDS), "child wrote too little: " + read(stderr));
      // The load's duration, not a synchronisation: writes keep going while we wait.
      Thread.sleep(LOAD_MILLIS);
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
      reader.join(TimeUnit.SECONDS.toMillis(30)); // reads what the child printed before it died, to EOF
    } finally {
      child.destroyForcibly();
      if (reader != null) {
        reader.interrupt();
      }
      Files.deleteIfExists(stderr);
    }
  }

  /** Collects complete ACK lines; a line cut short by the kill lacks its trailing " ." and is ignored. */
  private static void readAcks(Process child, Map<String, Long> acked, CountDownLatch ready, CountDownLatch enough) {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.equals("READY")) {
          ready.countDown();
        } else if (line.startsWith("ACK ") && line.endsWith(" .")) {
          String[] parts = line.split(" ");
          acked.put(parts[1], Long.parseLong(parts[2]));
          enough.countDown();
        }
      }
    } catch (IOException e) {
      // the child died
    }
  }

  private void verify(Map<String, Long> acked) throws Exception {
    try (EmbeddedStorage storage = EmbeddedStorage.open(dir, EmbeddedStorage.Options.DEFAULT)) {
      for (Map.Entry<String, Long> e : acked.entrySet()) {
        StoredObject o = await(storage.get(e.getKey()));
        assertEquals(e.getValue(), o.modRevision(), e.getKey());
        assertArrayEquals(CrashWriterMain.value(e.getKey()), o.value(), e.getKey());
      }
      List<StoredObject> all = new ArrayList<>();
      String start = null;
      ListResult page;
      do {
        page = await(storage.list("/crash/", new ListOptions(0, 5000, start)));
        all.addAll(page.items());
        if (!page.items().isEmpty()) {
          start = page.items().get(page.items().size() - 1).key() + "\0";
        }
      } while (page.more());
      for (StoredObject o : all) {
        assertArrayEquals(CrashWriterMain.value(o.key()), o.value(), "half-applied value of " + o.key());
        assertEquals(o.createRevision(), o.modRevision());
      }
      // Only creates ever happened, one per revision from 2 on: no revision is missing or applied twice.
      assertEquals(storage.currentRevision() - 1, all.size());
      assertTrue(all.size() >= acked.size());
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(no stderr: " + e + ")";
    }
  }
}

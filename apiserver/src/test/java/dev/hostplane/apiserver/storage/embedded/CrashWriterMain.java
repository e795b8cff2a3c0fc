package dev.hostplane.apiserver.storage.embedded;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child process of {@link CrashDurabilityTest}: opens the store in {@code args[0]} and creates keys under
 * {@code /crash/<args[1]>/} from 64 concurrent callers as fast as it can, printing {@code ACK <key> <revision> .}
 * for each write only after its future completed (so it is durable), until it is killed. Exits by itself after a
 * minute in case nobody kills it.
 */
public final class CrashWriterMain {
  private static final int CALLERS = 64;
  private static final int VALUE_BYTES = 1024;

  private CrashWriterMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String round = args[1];
    // A small snapshot threshold, so that kills also land during WAL rotation and snapshot writing.
    EmbeddedStorage storage = EmbeddedStorage.open(dir,
        EmbeddedStorage.Options.DEFAULT.withSnapshotThresholdBytes(2 << 20));
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    out.println("READY");
    out.flush();
    AtomicLong next = new AtomicLong();
    for (int i = 0; i < CALLERS; i++) {
      write(storage, round, next, out);
    }
    Thread.sleep(60_000);
    System.exit(3);
  }

  private static void write(EmbeddedStorage storage, String round, AtomicLong next, PrintStream out) {
    String key = "/crash/" + round + "/" + next.incrementAndGet();
    // Thread hop: the next write is issued from the store's completion thread.
    storage.create(key, value(key)).whenComplete((created, error) -> {
      if (error != null) {
        System.err.println("write of " + key + " failed: " + error);
        return;
      }
      synchronized (out) {
        out.println("ACK " + key + " " + created.modRevision() + " .");
        out.flush();
      }
      write(storage, round, next, out);
    });
  }

  /** The 1 KiB value of {@code key}: the key and a separator, repeated. */
  public static byte[] value(String key) {
    byte[] unit = (key + "|").getBytes(StandardCharsets.UTF_8);
    byte[] value = new byte[VALUE_BYTES];
    for (int i = 0; i < value.length; i++) {
      value[i] = unit[i % unit.length];
    }
    return value;
  }
}

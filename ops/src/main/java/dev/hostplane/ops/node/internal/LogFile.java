package dev.hostplane.ops.node.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * One container instance's log: each line as {@code <RFC3339Nano UTC timestamp> <line>\n}, appended as the process
 * writes it. Writers are the instance's output pumps (one per stream), serialized by this object's lock.
 */
public final class LogFile implements AutoCloseable {
  private final Path path;
  private final OutputStream out;

  public LogFile(Path path) throws IOException {
    Files.createDirectories(path.getParent());
    this.path = path;
    this.out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE);
  }

  public Path path() {
    return path;
  }

  /** Appends one line (without its terminator), stamped with the current time. */
  public synchronized void line(byte[] bytes, int offset, int length) {
    try {
      out.write((timestamp(Instant.now()) + " ").getBytes(StandardCharsets.US_ASCII));
      out.write(bytes, offset, length);
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      // The disk is full or the pod directory is gone: the process keeps running, its log loses the line.
    }
  }

  /** RFC3339Nano in UTC as Go formats it: fractional seconds without trailing zeros. */
  public static String timestamp(Instant t) {
    String s = DateTimeFormatter.ISO_INSTANT.format(t);
    int dot = s.indexOf('.');
    if (dot < 0) {
      return s;
    }
    String frac = s.substring(dot + 1, s.length() - 1).replaceAll("0+$", "");
    return s.substring(0, dot) + (frac.isEmpty() ? "" : "." + frac) + "Z";
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      // Nothing more will be written.
    }
  }
}

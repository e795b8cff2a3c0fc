package dev.hostplane.ops.node.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Reads a container instance's log as {@code /containerLogs} serves it: the lines since a time, the last N lines,
 * with or without their timestamps, at most limitBytes, and, when following, the lines written later until the
 * instance ends. Blocking: runs on the request's own thread.
 *
 * @param tailLines -1 for all
 * @param since null for all
 * @param limitBytes -1 for no limit
 */
public record LogRequest(int tailLines, Instant since, boolean timestamps, long limitBytes, boolean follow) {
  /** Where the output goes; {@code write} returns false once the client is gone. Blocking allowed. */
  public interface Sink {
    boolean write(byte[] bytes);
  }

  /**
   * Streams {@code file} to {@code sink}. {@code finished} tells whether the writer is done (then the end of the file
   * is the end of the log).
   */
  public void stream(Path file, BooleanSupplier finished, Sink sink) throws IOException, InterruptedException {
    long[] budget = {limitBytes < 0 ? Long.MAX_VALUE : limitBytes};
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      Reader reader = new Reader(in);
      List<byte[]> first = new ArrayList<>();
      Deque<byte[]> tail = new ArrayDeque<>();
      byte[] line;
      while ((line = reader.next()) != null) {
        if (!include(line)) {
          continue;
        }
        if (tailLines >= 0) {
          tail.addLast(line);
          if (tail.size() > tailLines) {
            tail.removeFirst();
          }
        } else {
          first.add(line);
          if (first.size() >= 256) {
            if (!emit(first, sink, budget)) {
              return;
            }
            first.clear();
          }
        }
      }
      first.addAll(tail);
      if (!emit(first, sink, budget)) {
        return;
      }
      if (!follow) {
        return;
      }
      while (true) {
        boolean done = finished.getAsBoolean();
        List<byte[]> more = new ArrayList<>();
        while ((line = reader.next()) != null) {
          if (include(line)) {
            more.add(line);
          }
        }
        if (!more.isEmpty() && !emit(more, sink, budget)) {
          return;
        }
        if (done) {
          return;
        }
        if (!sink.write(new byte[0])) {
          return;
        }
        Thread.sleep(100);
      }
    }
  }

  private boolean include(byte[] line) {
    if (since == null) {
      return true;
    }
    Instant t = timestampOf(line);
    return t == null || !t.isBefore(since);
  }

  private static Instant timestampOf(byte[] line) {
    int sp = indexOf(line, (byte) ' ');
    if (sp <= 0) {
      return null;
    }
    try {
      return Instant.parse(new String(line, 0, sp, StandardCharsets.US_ASCII));
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  private static int indexOf(byte[] b, byte c) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private boolean emit(List<byte[]> lines, Sink sink, long[] budget) {
    if (budget[0] <= 0) {
      return false;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] line : lines) {
      int start = 0;
      if (!timestamps) {
        int sp = indexOf(line, (byte) ' ');
        start = sp < 0 ? 0 : sp + 1;
      }
      out.write(line, start, line.length - start);
      out.write('\n');
    }
    byte[] bytes = out.toByteArray();
    if (bytes.length > budget[0]) {
      bytes = java.util.Arrays.copyOf(bytes, (int) budget[0]);
    }
    budget[0] -= bytes.length;
    return sink.write(bytes) && budget[0] > 0;
  }

  /** Complete lines from a file that may still grow; a last line without its newline waits for it. */
  private static final class Reader {
    private final RandomAccessFile in;
    private long pos;
    private final byte[] buf = new byte[64 * 1024];
    private java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
    private final Deque<byte[]> ready = new ArrayDeque<>();

    Reader(RandomAccessFile in) {
      this.in = in;
    }

    byte[] next() throws IOException {
      while (ready.isEmpty()) {
        in.seek(pos);
        int n = in.read(buf);
        if (n <= 0) {
          return null;
        }
        pos += n;
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            ready.add(partial.toByteArray());
            partial = new java.io.ByteArrayOutputStream();
          } else {
            partial.write(buf[i]);
          }
        }
      }
      return ready.removeFirst();
    }
  }
}

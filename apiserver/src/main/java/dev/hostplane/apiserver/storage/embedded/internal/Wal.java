package dev.hostplane.apiserver.storage.embedded.internal;

import dev.hostplane.apiserver.storage.StorageException;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log: numbered segment files {@code wal-<seq>.log} of {@link WalRecord} frames. Only the last
 * segment is appended to; a snapshot covers every segment before the one named in its header, and those are
 * deleted once it is durable.
 *
 * <p>Threading: appends and rotation happen on the writer thread only; {@link #deleteBefore} runs on the snapshot
 * thread and touches only closed segments.
 */
public final class Wal implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(Wal.class);
  private static final String PREFIX = "wal-";
  private static final String SUFFIX = ".log";

  private final Path dir;
  private final FileOpener opener;
  private FileChannel channel;
  private long seq;
  /** Bytes of the current segment known durable; the file is cut back to this after a failed append. */
  private long size;
  private boolean needsCut;

  private Wal(Path dir, FileOpener opener, FileChannel channel, long seq, long size) {
    this.dir = dir;
    this.opener = opener;
    this.channel = channel;
    this.seq = seq;
    this.size = size;
  }

  /**
   * Replays every segment numbered {@code firstSeq} or later, in order, into {@code replay}, and opens the last one
   * for appending (creating segment {@code firstSeq} when there is none). A bad frame in the last segment is a torn
   * write from a crash: the segment is cut before it, so a half-written record is never applied. A bad frame in an
   * earlier segment, which was complete and fsynced before the next one began, is corruption and fails the open.
   */
  public static Wal open(Path dir, long firstSeq, FileOpener opener, Consumer<WalRecord> replay) throws IOException {
    List<Long> segments = segments(dir);
    segments.removeIf(s -> s < firstSeq);
    for (int i = 0; i < segments.size(); i++) {
      long s = segments.get(i);
      boolean last = i == segments.size() - 1;
      Path path = dir.resolve(name(s));
      long size = Files.size(path);
      long valid;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
        WalRecord.Reader reader = new WalRecord.Reader(in, size, 0);
        for (WalRecord r = reader.next(); r != null; r = reader.next()) {
          replay.accept(r);
        }
        valid = reader.validBytes();
        if (!reader.clean()) {
          if (!last) {
            throw new StorageException(StorageException.Code.CORRUPT, null, 0,
                path + ": " + reader.problem() + " at offset " + valid + " of a segment that is not the last");
          }
          log.warn("{}: {} at offset {} of {}; cutting off the torn tail", path, reader.problem(), valid, size);
        }
      }
      if (last) {
        FileChannel channel = opener.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
          if (valid < size) {
            channel.truncate(valid);
            channel.force(true);
          }
        } catch (IOException e) {
          channel.close();
          throw e;
        }
        return new Wal(dir, opener, channel, s, valid);
      }
    }
    long seq = segments.isEmpty() ? firstSeq : segments.get(segments.size() - 1) + 1;
    return new Wal(dir, opener, create(dir, opener, seq), seq, 0);
  }

  private static FileChannel create(Path dir, FileOpener opener, long seq) throws IOException {
    Path path = dir.resolve(name(seq));
    FileChannel channel = opener.open(path,
        StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      fsyncDirectory(dir);
    } catch (IOException e) {
      channel.close();
      Files.deleteIfExists(path); // so that a later attempt can create it again
      throw e;
    }
    return channel;
  }

  /**
   * Writes {@code buf}'s remaining bytes at the end of the segment and fsyncs them. On failure (disk full, I/O
   * error) the segment is cut back to its size before the call, so that no part of the batch stays behind to be
   * replayed; if even that fails, the next append tries again before writing.
   */
  public void append(ByteBuffer buf) throws IOException {
    if (needsCut) {
      channel.truncate(size);
      needsCut = false;
    }
    long position = size;
    try {
      while (buf.hasRemaining()) {
        position += channel.write(buf, position);
      }
      channel.force(false);
      size = position;
    } catch (IOException e) {
      needsCut = true;
      try {
        channel.truncate(size);
        needsCut = false;
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  /** Bytes in the current segment. */
  public long size() {
    return size;
  }

  /** The current segment's number. */
  public long seq() {
    return seq;
  }

  /** Closes the current (fsynced) segment and starts the next; returns the new segment's number. */
  public long rotate() throws IOException {
    FileChannel next = create(dir, opener, seq + 1);
    FileChannel previous = channel;
    channel = next;
    seq++;
    size = 0;
    needsCut = false;
    try {
      previous.close();
    } catch (IOException e) {
      log.warn("closing WAL segment {}: {}", seq - 1, e.toString());
    }
    return seq;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** Deletes the segments numbered below {@code seq} (covered by a durable snapshot). */
  public static void deleteBefore(Path dir, long seq) throws IOException {
    for (long s : segments(dir)) {
      if (s < seq) {
        Files.deleteIfExists(dir.resolve(name(s)));
      }
    }
  }

  /** Segment numbers present in {@code dir}, ascending. */
  static List<Long> segments(Path dir) throws IOException {
    List<Long> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
      for (Path p : files) {
        String n = p.getFileName().toString();
        try {
          found.add(Long.parseUnsignedLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()), 16));
        } catch (NumberFormatException e) {
          log.warn("ignoring {}", p);
        }
      }
    }
    found.sort(null);
    return found;
  }

  static String name(long seq) {
    return String.format("%s%016x%s", PREFIX, seq, SUFFIX);
  }

  /** Makes created, renamed and deleted entries of {@code dir} durable. */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}

package dev.hostplane.apiserver.storage.embedded.internal;

import dev.hostplane.apiserver.storage.StorageException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A snapshot {@code snapshot-<revision>.snap}: the whole retained MVCC state at one revision, so the WAL before it
 * can go and history survives a restart. Layout: the magic {@code HPSNAP01}; a header of {@code long revision},
 * {@code long compactedRevision}, {@code long firstSegment} (the first WAL segment not covered) and a CRC-32C of
 * those 24 bytes; then, key by key, each retained version oldest first as a PUT or DELETE {@link WalRecord}; then
 * an END record holding the count. It is written to a temporary file, fsynced, renamed into place and the directory
 * fsynced, so a snapshot file is either complete or absent.
 */
public final class SnapshotFile {
  private static final byte[] MAGIC = "HPSNAP01".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER = MAGIC.length + 3 * 8 + 4;
  private static final String PREFIX = "snapshot-";
  private static final String SUFFIX = ".snap";
  private static final String TEMP = "snapshot.tmp";

  private SnapshotFile() {}

  /** What a snapshot's header says. */
  public record Header(long revision, long compactedRevision, long firstSegment) {}

  /**
   * Writes the state of {@code index} at {@code header.revision()}. Runs beside the writer: it reads only versions at
   * or below that revision, which the writer no longer changes, except for compaction cuts (see
   * {@link MvccIndex#replay}).
   */
  public static void write(Path dir, Header header, MvccIndex index) throws IOException {
    Path temp = dir.resolve(TEMP);
    try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
      buf.put(MAGIC).putLong(header.revision()).putLong(header.compactedRevision()).putLong(header.firstSegment());
      CRC32C crc = new CRC32C();
      crc.update(buf.duplicate().flip().position(MAGIC.length));
      buf.putInt((int) crc.getValue());
      long count = 0;
      ArrayDeque<Version> chain = new ArrayDeque<>();
      for (Map.Entry<String, Version> entry : index.entries()) {
        for (Version v = MvccIndex.at(entry.getValue(), header.revision()); v != null; v = v.older()) {
          chain.push(v);
        }
        while (!chain.isEmpty()) {
          Version v = chain.pop();
          WalRecord record = v.deleted()
              ? WalRecord.delete(v.object().key(), v.modRevision())
              : WalRecord.put(v.object());
          buf = record.encodeTo(buf);
          count++;
          if (buf.position() >= 1 << 19) {
            drain(out, buf);
          }
        }
      }
      buf = WalRecord.end(count).encodeTo(buf);
      drain(out, buf);
      out.force(true);
    }
    Files.move(temp, dir.resolve(name(header.revision())), StandardCopyOption.ATOMIC_MOVE);
    Wal.fsyncDirectory(dir);
  }

  private static void drain(FileChannel out, ByteBuffer buf) throws IOException {
    buf.flip();
    while (buf.hasRemaining()) {
      out.write(buf);
    }
    buf.clear();
  }

  /**
   * Loads the newest snapshot into {@code index} (which must be empty) and returns its header, or null when there
   * is none. Removes a temporary file left by a crash and snapshots older than the newest.
   */
  public static Header loadNewest(Path dir, MvccIndex index) throws IOException {
    Files.deleteIfExists(dir.resolve(TEMP));
    List<Long> revisions = revisions(dir);
    if (revisions.isEmpty()) {
      return null;
    }
    long newest = revisions.get(revisions.size() - 1);
    Path path = dir.resolve(name(newest));
    Header header;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
      DataInputStream data = new DataInputStream(in);
      byte[] head = new byte[HEADER];
      data.readFully(head);
      ByteBuffer h = ByteBuffer.wrap(head);
      CRC32C crc = new CRC32C();
      crc.update(head, MAGIC.length, 24);
      if (!Arrays.equals(head, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
          || h.getInt(HEADER - 4) != (int) crc.getValue()) {
        throw corrupt(path, "bad header");
      }
      header = new Header(h.getLong(MAGIC.length), h.getLong(MAGIC.length + 8), h.getLong(MAGIC.length + 16));
      WalRecord.Reader reader = new WalRecord.Reader(in, Files.size(path), HEADER);
      long count = 0;
      WalRecord end = null;
      for (WalRecord r = reader.next(); r != null; r = reader.next()) {
        if (end != null) {
          throw corrupt(path, "records after END");
        }
        switch (r.type()) {
          case PUT, DELETE -> {
            if (r.revision() > header.revision()) {
              throw corrupt(path, "revision " + r.revision() + " beyond the snapshot's " + header.revision());
            }
            index.replay(r);
            count++;
          }
          case END -> end = r;
          default -> throw corrupt(path, "unexpected " + r.type() + " record");
        }
      }
      if (!reader.clean()) {
        throw corrupt(path, reader.problem() + " at offset " + reader.validBytes());
      }
      if (end == null || end.revision() != count) {
        throw corrupt(path, "truncated: " + count + " records, END " + (end == null ? "missing" : end.revision()));
      }
    } catch (java.io.EOFException e) {
      throw corrupt(path, "truncated header");
    }
    index.restore(header.revision(), header.compactedRevision());
    deleteOlderThan(dir, newest);
    return header;
  }

  /** Deletes snapshots older than {@code revision}. */
  public static void deleteOlderThan(Path dir, long revision) throws IOException {
    for (long r : revisions(dir)) {
      if (r < revision) {
        Files.deleteIfExists(dir.resolve(name(r)));
      }
    }
  }

  private static StorageException corrupt(Path path, String what) {
    return new StorageException(StorageException.Code.CORRUPT, null, 0, "snapshot " + path + ": " + what);
  }

  private static List<Long> revisions(Path dir) throws IOException {
    List<Long> found = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
      for (Path p : files) {
        String n = p.getFileName().toString();
        try {
          found.add(Long.parseUnsignedLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()), 16));
        } catch (NumberFormatException e) {
          // not ours
        }
      }
    }
    found.sort(null);
    return found;
  }

  static String name(long revision) {
    return String.format("%s%016x%s", PREFIX, revision, SUFFIX);
  }
}

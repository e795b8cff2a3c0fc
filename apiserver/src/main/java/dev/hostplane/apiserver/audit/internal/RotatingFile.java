package dev.hostplane.apiserver.audit.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An append-only log file rotated by size, as upstream's audit log: when a write would take the file past
 * {@code maxBytes}, the file is renamed to {@code <name>-<UTC time as 2006-01-02T15-04-05.000><ext>} and a new one
 * started; then backups beyond {@code maxBackups} (0: keep all) and older than {@code maxAge} (zero: keep all) are
 * deleted. Not thread-safe: one writer thread owns it.
 */
public final class RotatingFile implements AutoCloseable {
  /** Bytes written between syncs of the log (on the writer's own thread). */
  static final long SYNC_BYTES = 256 * 1024;
  static final DateTimeFormatter BACKUP_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss.SSS");

  private final Path file;
  private final long maxBytes;
  private final int maxBackups;
  private final Duration maxAge;
  private final Clock clock;
  private final String stem;
  private final String ext;
  private java.nio.channels.FileChannel channel;
  private OutputStream out;
  private long size;
  private long unsynced;

  public RotatingFile(Path file, long maxBytes, int maxBackups, Duration maxAge, Clock clock) throws IOException {
    this.file = file.toAbsolutePath();
    this.maxBytes = maxBytes;
    this.maxBackups = maxBackups;
    this.maxAge = maxAge;
    this.clock = clock;
    String name = this.file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    this.stem = dot <= 0 ? name : name.substring(0, dot);
    this.ext = dot <= 0 ? "" : name.substring(dot);
    if (this.file.getParent() != null) {
      Files.createDirectories(this.file.getParent());
    }
    open();
  }

  private void open() throws IOException {
    channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE);
    out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 64 * 1024);
    size = Files.size(file);
    unsynced = 0;
  }

  /** Appends {@code bytes}, rotating first when they would not fit. A line longer than the limit is written alone. */
  public void write(byte[] bytes, int off, int len) throws IOException {
    if (maxBytes > 0 && size > 0 && size + len > maxBytes) {
      rotate();
    }
    out.write(bytes, off, len);
    size += len;
    unsynced += len;
  }

  /**
   * Hands what was written to the operating system, and syncs it to disk once {@link #SYNC_BYTES} accumulated: a
   * log that leaves megabytes of dirty pages makes every fsync of the store on the same file system wait for them.
   */
  public void flush() throws IOException {
    out.flush();
    if (unsynced >= SYNC_BYTES) {
      channel.force(false);
      unsynced = 0;
    }
  }

  private void rotate() throws IOException {
    out.close();
    Instant now = clock.instant();
    Path backup = file.resolveSibling(stem + "-" + BACKUP_TIME.format(now.atOffset(ZoneOffset.UTC)) + ext);
    for (int i = 1; Files.exists(backup); i++) { // two rotations within a millisecond
      backup = file.resolveSibling(stem + "-" + BACKUP_TIME.format(now.plusMillis(i).atOffset(ZoneOffset.UTC))
          + ext);
    }
    Files.move(file, backup);
    open();
    prune(now);
  }

  /** The backups of this file, newest first. */
  public List<Path> backups() throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(file.getParent(), stem + "-*" + ext)) {
      for (Path p : dir) {
        if (backupTime(p) != null) {
          out.add(p);
        }
      }
    }
    out.sort(Comparator.comparing((Path p) -> backupTime(p)).reversed());
    return out;
  }

  private Instant backupTime(Path p) {
    String n = p.getFileName().toString();
    if (!n.startsWith(stem + "-") || !n.endsWith(ext)) {
      return null;
    }
    String t = n.substring(stem.length() + 1, n.length() - ext.length());
    try {
      return LocalDateTime.parse(t, BACKUP_TIME).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private void prune(Instant now) throws IOException {
    List<Path> backups = backups();
    for (int i = 0; i < backups.size(); i++) {
      Path p = backups.get(i);
      boolean tooMany = maxBackups > 0 && i >= maxBackups;
      boolean tooOld = !maxAge.isZero() && backupTime(p).isBefore(now.minus(maxAge));
      if (tooMany || tooOld) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}

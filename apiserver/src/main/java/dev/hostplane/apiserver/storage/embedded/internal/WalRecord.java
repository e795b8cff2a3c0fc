package dev.hostplane.apiserver.storage.embedded.internal;

import dev.hostplane.apiserver.storage.StoredObject;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * One record of the write-ahead log or of a snapshot, and its framing: {@code int length}, {@code int CRC-32C of the
 * payload}, then the payload: {@code byte type}, {@code long revision}, and by type:
 * <ul>
 *   <li>PUT: {@code long createRevision}, {@code int keyLength}, key (UTF-8), {@code int valueLength}, value
 *   <li>DELETE: {@code int keyLength}, key (the deleted value is the key's previous version)
 *   <li>COMPACT: nothing more; {@code revision} is the compaction's target
 *   <li>END (snapshots only): nothing more; {@code revision} is the number of records before it
 * </ul>
 * All integers are big-endian.
 */
public record WalRecord(Type type, long revision, long createRevision, String key, byte[] value) {
  public enum Type {
    PUT, DELETE, COMPACT, END;

    private static final Type[] ALL = values();
  }

  /** Length and CRC. */
  public static final int FRAME_HEADER = 8;
  private static final int MAX_PAYLOAD = Integer.MAX_VALUE - 64;

  public static WalRecord put(StoredObject object) {
    return new WalRecord(Type.PUT, object.modRevision(), object.createRevision(), object.key(), object.value());
  }

  public static WalRecord delete(String key, long revision) {
    return new WalRecord(Type.DELETE, revision, 0, key, null);
  }

  public static WalRecord compact(long revision) {
    return new WalRecord(Type.COMPACT, revision, 0, null, null);
  }

  public static WalRecord end(long count) {
    return new WalRecord(Type.END, count, 0, null, null);
  }

  /**
   * Appends this record, framed, at {@code buf}'s position and returns the buffer, or a larger copy of it when it
   * did not fit (so callers write {@code buf = record.encodeTo(buf)}).
   */
  public ByteBuffer encodeTo(ByteBuffer buf) {
    byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    long payload = 1 + 8;
    if (type == Type.PUT) {
      payload += 8 + 4 + keyBytes.length + 4 + value.length;
    } else if (type == Type.DELETE) {
      payload += 4 + keyBytes.length;
    }
    if (payload > MAX_PAYLOAD) {
      throw new IllegalArgumentException("record too large: " + payload + " bytes");
    }
    buf = ensure(buf, FRAME_HEADER + (int) payload);
    int start = buf.position();
    buf.position(start + FRAME_HEADER);
    buf.put((byte) type.ordinal());
    buf.putLong(revision);
    if (type == Type.PUT) {
      buf.putLong(createRevision);
      buf.putInt(keyBytes.length).put(keyBytes);
      buf.putInt(value.length).put(value);
    } else if (type == Type.DELETE) {
      buf.putInt(keyBytes.length).put(keyBytes);
    }
    int end = buf.position();
    CRC32C crc = new CRC32C();
    crc.update(buf.duplicate().position(start + FRAME_HEADER).limit(end));
    buf.putInt(start, (int) payload);
    buf.putInt(start + 4, (int) crc.getValue());
    return buf;
  }

  private static ByteBuffer ensure(ByteBuffer buf, int needed) {
    if (buf.remaining() >= needed) {
      return buf;
    }
    long capacity = Math.max((long) buf.capacity() * 2, (long) buf.position() + needed);
    ByteBuffer bigger = ByteBuffer.allocateDirect((int) Math.min(capacity, Integer.MAX_VALUE - 8));
    buf.flip();
    bigger.put(buf);
    return bigger;
  }

  /** Parses a payload whose CRC matched. */
  static WalRecord decode(byte[] payload) {
    ByteBuffer in = ByteBuffer.wrap(payload);
    int typeIndex = in.get();
    if (typeIndex < 0 || typeIndex >= Type.ALL.length) {
      throw new IllegalArgumentException("unknown record type " + typeIndex);
    }
    Type type = Type.ALL[typeIndex];
    long revision = in.getLong();
    WalRecord record = switch (type) {
      case PUT -> {
        long createRevision = in.getLong();
        String key = string(in);
        int valueLength = in.getInt();
        if (valueLength < 0 || valueLength != in.remaining()) {
          throw new IllegalArgumentException("bad value length " + valueLength);
        }
        byte[] value = new byte[valueLength];
        in.get(value);
        yield new WalRecord(type, revision, createRevision, key, value);
      }
      case DELETE -> new WalRecord(type, revision, 0, string(in), null);
      case COMPACT, END -> new WalRecord(type, revision, 0, null, null);
    };
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(in.remaining() + " stray bytes after a " + type + " record");
    }
    return record;
  }

  private static String string(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException("bad key length " + length);
    }
    String s = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
    in.position(in.position() + length);
    return s;
  }

  /**
   * Reads framed records from a stream of known size. {@link #next()} returns null at a clean end and at the first
   * frame that is cut short, fails its CRC, or does not parse; {@link #validBytes()} then tells where the good
   * records end, and {@link #clean()} which of the two happened.
   */
  public static final class Reader {
    private final DataInputStream in;
    private final long size;
    private long offset;
    private boolean clean = true;
    private String problem;

    public Reader(InputStream in, long size, long offset) {
      this.in = new DataInputStream(in);
      this.size = size;
      this.offset = offset;
    }

    public WalRecord next() throws IOException {
      if (offset == size) {
        return null;
      }
      if (size - offset < FRAME_HEADER) {
        return bad("a frame header cut short");
      }
      int length = in.readInt();
      int crc = in.readInt();
      if (length < 9 || length > size - offset - FRAME_HEADER) {
        return bad("frame length " + length + " with " + (size - offset - FRAME_HEADER) + " bytes left");
      }
      byte[] payload = new byte[length];
      try {
        in.readFully(payload);
      } catch (EOFException e) {
        return bad("the file shorter than its size");
      }
      CRC32C check = new CRC32C();
      check.update(payload);
      if ((int) check.getValue() != crc) {
        return bad("a CRC mismatch");
      }
      WalRecord record;
      try {
        record = decode(payload);
      } catch (RuntimeException e) {
        return bad("an unreadable payload: " + e.getMessage());
      }
      offset += FRAME_HEADER + length;
      return record;
    }

    private WalRecord bad(String what) {
      clean = false;
      problem = what;
      return null;
    }

    /** Where the last good record ends. */
    public long validBytes() {
      return offset;
    }

    /** False when reading stopped at a bad frame rather than at the end. */
    public boolean clean() {
      return clean;
    }

    /** What was wrong with the bad frame, or null. */
    public String problem() {
      return problem;
    }
  }
}

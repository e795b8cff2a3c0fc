package dev.hostplane.apiserver.api.protobuf.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable protobuf output buffer. Nested messages are written in place: {@link #begin} reserves one length byte,
 * {@link #end} fills it in, moving the body up in the rare case that the length needs more than one varint byte.
 * Not thread-safe; one per encoding.
 */
final class WireBuffer {
  private byte[] buf;
  private int pos;

  WireBuffer(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  int position() {
    return pos;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  void writeRaw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, pos, bytes.length);
    pos += bytes.length;
  }

  /** Four placeholder bytes for a big-endian frame length, filled in by {@link #fillFrameLength}. */
  int reserveFrameLength() {
    ensure(4);
    int at = pos;
    pos += 4;
    return at;
  }

  void fillFrameLength(int at) {
    int len = pos - at - 4;
    buf[at] = (byte) (len >>> 24);
    buf[at + 1] = (byte) (len >>> 16);
    buf[at + 2] = (byte) (len >>> 8);
    buf[at + 3] = (byte) len;
  }

  void tag(int number, int wireType) {
    varint32((number << 3) | wireType);
  }

  void varint32(int v) {
    ensure(5);
    while ((v & ~0x7f) != 0) {
      buf[pos++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  void varint64(long v) {
    ensure(10);
    while ((v & ~0x7fL) != 0) {
      buf[pos++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  void fixed64(long v) {
    ensure(8);
    for (int i = 0; i < 8; i++) {
      buf[pos++] = (byte) (v >>> (8 * i));
    }
  }

  void fixed32(int v) {
    ensure(4);
    for (int i = 0; i < 4; i++) {
      buf[pos++] = (byte) (v >>> (8 * i));
    }
  }

  void stringField(int number, String s) {
    tag(number, 2);
    string(s);
  }

  /** Length and UTF-8 bytes of {@code s}; ASCII is copied without an intermediate array. */
  void string(String s) {
    int n = s.length();
    boolean ascii = n < 128;
    if (ascii) {
      for (int i = 0; i < n; i++) {
        if (s.charAt(i) >= 0x80) {
          ascii = false;
          break;
        }
      }
    }
    if (ascii) {
      ensure(1 + n);
      buf[pos++] = (byte) n;
      for (int i = 0; i < n; i++) {
        buf[pos++] = (byte) s.charAt(i);
      }
      return;
    }
    bytes(s.getBytes(StandardCharsets.UTF_8));
  }

  void bytes(byte[] b) {
    varint32(b.length);
    writeRaw(b);
  }

  /** Writes the tag of a length-delimited field and reserves its length; pass the result to {@link #end}. */
  int begin(int number) {
    tag(number, 2);
    ensure(1);
    return pos++;
  }

  /** Fills in the length reserved at {@code mark}. */
  void end(int mark) {
    int len = pos - mark - 1;
    if (len < 0x80) {
      buf[mark] = (byte) len;
      return;
    }
    int size = varintSize(len);
    ensure(size - 1);
    System.arraycopy(buf, mark + 1, buf, mark + size, len);
    pos += size - 1;
    int at = mark;
    int v = len;
    while ((v & ~0x7f) != 0) {
      buf[at++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    buf[at] = (byte) v;
  }

  /** Drops everything after {@code position} (an empty optional part that need not be sent). */
  void truncate(int position) {
    pos = position;
  }

  private static int varintSize(int v) {
    int n = 1;
    while ((v & ~0x7f) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  private void ensure(int more) {
    if (pos + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
  }
}

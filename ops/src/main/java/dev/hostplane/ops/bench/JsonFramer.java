package dev.hostplane.ops.bench;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Splits a byte stream into its top-level JSON objects or arrays, whether they are separated by newlines (as
 * kube-apiserver writes watch events) or not, and however the stream is cut into chunks. Bytes between values
 * (whitespace) are skipped. Keeps only the bytes of the value still incomplete.
 *
 * <p>Not thread-safe: one framer per stream, fed from that stream's event loop.
 */
public final class JsonFramer {
  /** Receives each complete value; the bytes are valid only during the call. */
  public interface Sink {
    void value(byte[] bytes, int offset, int length);
  }

  private byte[] buf = new byte[16 * 1024];
  private int length;
  private int scanned;
  private int valueStart = -1;
  private int depth;
  private boolean inString;
  private boolean escaped;

  public void feed(ByteBuf data, Sink sink) {
    int n = data.readableBytes();
    ensure(n);
    data.getBytes(data.readerIndex(), buf, length, n);
    length += n;
    scan(sink);
  }

  public void feed(byte[] data, int offset, int n, Sink sink) {
    ensure(n);
    System.arraycopy(data, offset, buf, length, n);
    length += n;
    scan(sink);
  }

  /** Bytes held for a value not yet complete. */
  public int pending() {
    return valueStart < 0 ? 0 : length - valueStart;
  }

  private void scan(Sink sink) {
    for (int i = scanned; i < length; i++) {
      byte b = buf[i];
      if (depth == 0) {
        if (b == '{' || b == '[') {
          depth = 1;
          valueStart = i;
        }
        continue;
      }
      if (inString) {
        if (!escaped && b != '\\' && b != '"') {
          // Fast path through the body of a string (the payload): only a quote or a backslash matters.
          int j = i + 1;
          while (j < length && buf[j] != '"' && buf[j] != '\\') {
            j++;
          }
          i = j - 1;
          continue;
        }
        if (escaped) {
          escaped = false;
        } else if (b == '\\') {
          escaped = true;
        } else if (b == '"') {
          inString = false;
        }
        continue;
      }
      switch (b) {
        case '"' -> inString = true;
        case '{', '[' -> depth++;
        case '}', ']' -> {
          if (--depth == 0) {
            sink.value(buf, valueStart, i + 1 - valueStart);
            valueStart = -1;
          }
        }
        default -> { }
      }
    }
    int keep = valueStart < 0 ? length : valueStart;
    System.arraycopy(buf, keep, buf, 0, length - keep);
    length -= keep;
    scanned = length;
    if (valueStart >= 0) {
      valueStart = 0;
    }
  }

  private void ensure(int more) {
    if (length + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(length + more, buf.length * 2));
    }
  }
}

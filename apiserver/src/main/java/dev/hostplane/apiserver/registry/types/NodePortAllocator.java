package dev.hostplane.apiserver.registry.types;

import dev.hostplane.apiserver.registry.types.AllocationException.Reason;
import java.util.BitSet;

/**
 * Hands out Service node ports from {@code --service-node-port-range} (default 30000-32767). In memory and
 * thread-safe; the same restore and release duties as {@link ServiceAddressAllocator} fall on the caller, and the
 * same holds when apiservers share a storage (this is then one apiserver's view).
 * Dynamic allocation is next-fit (sequential, wrapping).
 */
public final class NodePortAllocator {
  public static final int DEFAULT_FIRST = 30000;
  public static final int DEFAULT_LAST = 32767;

  private final int first;
  private final int last;
  private final BitSet used;
  private int cursor;

  public NodePortAllocator() {
    this(DEFAULT_FIRST, DEFAULT_LAST);
  }

  /** A range of ports {@code first..last}, both inclusive, within 1..65535. */
  public NodePortAllocator(int first, int last) {
    if (first < 1 || last > 65535 || first > last) {
      throw new IllegalArgumentException("invalid node port range " + first + "-" + last);
    }
    this.first = first;
    this.last = last;
    this.used = new BitSet(last - first + 1);
    this.cursor = first;
  }

  /** The range as upstream prints it: {@code 30000-32767}. */
  public String range() {
    return first + "-" + last;
  }

  /** @throws AllocationException {@link Reason#FULL} ("range is full") */
  public synchronized int allocateNext() {
    int size = last - first + 1;
    if (used.cardinality() >= size) {
      throw new AllocationException(Reason.FULL, "range is full");
    }
    while (true) {
      int candidate = cursor;
      cursor = cursor >= last ? first : cursor + 1;
      if (!used.get(candidate - first)) {
        used.set(candidate - first);
        return candidate;
      }
    }
  }

  /** @throws AllocationException {@link Reason#ALREADY_ALLOCATED} or {@link Reason#NOT_IN_RANGE} */
  public synchronized void allocate(int port) {
    checkRange(port);
    if (used.get(port - first)) {
      throw new AllocationException(Reason.ALREADY_ALLOCATED, "provided port is already allocated");
    }
    used.set(port - first);
  }

  /** Returns {@code port} to the pool; false when it was not allocated or not in range. */
  public synchronized boolean release(int port) {
    if (port < first || port > last || !used.get(port - first)) {
      return false;
    }
    used.clear(port - first);
    return true;
  }

  /** Records {@code port} as taken whether or not it already was; false (ignored) when out of range. */
  public synchronized boolean markUsed(int port) {
    if (port < first || port > last) {
      return false;
    }
    used.set(port - first);
    return true;
  }

  public synchronized boolean isAllocated(int port) {
    return port >= first && port <= last && used.get(port - first);
  }

  /**
   * Moves where {@link #allocateNext()} continues to the point {@code fraction} (0 inclusive to 1 exclusive) of the
   * range; see {@link ServiceAddressAllocator#moveCursor}.
   */
  public synchronized void moveCursor(double fraction) {
    if (!(fraction >= 0 && fraction < 1)) {
      throw new IllegalArgumentException("fraction must be in [0, 1), got " + fraction);
    }
    cursor = first + (int) (fraction * (last - first + 1));
  }

  public boolean inRange(int port) {
    return port >= first && port <= last;
  }

  public synchronized int free() {
    return (last - first + 1) - used.cardinality();
  }

  private void checkRange(int port) {
    if (port < first || port > last) {
      throw new AllocationException(Reason.NOT_IN_RANGE,
          "provided port is not in the valid range. The range of valid ports is " + range());
    }
  }
}

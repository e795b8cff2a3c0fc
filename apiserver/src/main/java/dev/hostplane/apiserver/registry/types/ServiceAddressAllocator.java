package dev.hostplane.apiserver.registry.types;

import dev.hostplane.apiserver.registry.types.AllocationException.Reason;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;

/**
 * Hands out Service cluster IPs from one CIDR ({@code --service-cluster-ip-range}), IPv4 or IPv6. In memory and
 * thread-safe (every method is atomic); the caller restores state after a restart with {@link #markUsed} for every
 * stored Service, and releases what failed creates and deletes leave behind (see {@link ServiceStrategy}). When
 * apiservers share a storage, this is one apiserver's view of the range: claims in storage decide (see
 * {@link ServiceClaims}), and the view follows them.
 *
 * <p>The usable range excludes the network address (and, for IPv4, the broadcast address). Its first address is
 * reserved for the {@code kubernetes} Service: {@link #allocateNext()} never returns it; only an explicit
 * {@link #allocate(String)} of {@link #firstAddress()} takes it. Dynamic allocation is next-fit (sequential,
 * wrapping), so a released address is reused only after the rest of the range was handed out.
 */
public final class ServiceAddressAllocator {
  private final IpAddresses.Cidr cidr;
  private final BigInteger base;
  /** Highest usable offset from the network address; offset 1 is the first (reserved) address. */
  private final long maxOffset;
  private final Set<Long> used = new HashSet<>();
  private long cursor = 2;

  /**
   * @param cidr e.g. {@code 10.96.0.0/12} or {@code fd00:10:96::/112}
   * @throws IllegalArgumentException when {@code cidr} is not a CIDR or holds fewer than two usable addresses
   */
  public ServiceAddressAllocator(String cidr) {
    IpAddresses.Cidr parsed = IpAddresses.parseCidr(cidr);
    if (parsed == null) {
      throw new IllegalArgumentException("not a CIDR: " + cidr);
    }
    BigInteger size = parsed.size();
    BigInteger last = parsed.isV4() ? size.subtract(BigInteger.TWO) : size.subtract(BigInteger.ONE);
    if (last.compareTo(BigInteger.TWO) < 0) {
      throw new IllegalArgumentException("service CIDR " + cidr + " is too small: it needs at least two usable "
          + "addresses (the first is reserved for the kubernetes Service)");
    }
    this.cidr = parsed;
    this.base = IpAddresses.toInt(parsed.base());
    this.maxOffset = last.min(BigInteger.valueOf(Long.MAX_VALUE - 1)).longValueExact();
  }

  /** The range, e.g. {@code 10.96.0.0/12}. */
  public String cidr() {
    return cidr.toString();
  }

  /** {@code IPv4} or {@code IPv6}. */
  public String family() {
    return cidr.isV4() ? "IPv4" : "IPv6";
  }

  /** The address reserved for the {@code kubernetes} Service (network address + 1). */
  public String firstAddress() {
    return toIp(1);
  }

  /**
   * The next free address after the last one handed out, never {@link #firstAddress()}.
   *
   * @throws AllocationException {@link Reason#FULL} ("range is full")
   */
  public synchronized String allocateNext() {
    long dynamicCapacity = maxOffset - 1;
    long dynamicUsed = used.size() - (used.contains(1L) ? 1 : 0);
    if (dynamicUsed >= dynamicCapacity) {
      throw new AllocationException(Reason.FULL, "range is full");
    }
    while (true) {
      long candidate = cursor;
      cursor = cursor >= maxOffset ? 2 : cursor + 1;
      if (used.add(candidate)) {
        return toIp(candidate);
      }
    }
  }

  /**
   * Takes a specific address (a client-chosen clusterIP, or the first address for the {@code kubernetes} Service).
   *
   * @throws AllocationException {@link Reason#ALREADY_ALLOCATED}, {@link Reason#NOT_IN_RANGE} or
   *     {@link Reason#INVALID}, with upstream's message
   */
  public synchronized void allocate(String ip) {
    long offset = offsetOf(ip);
    if (!used.add(offset)) {
      throw new AllocationException(Reason.ALREADY_ALLOCATED, "provided IP is already allocated");
    }
  }

  /** Returns {@code ip} to the pool; false when it was not allocated, not in range or not an address. */
  public synchronized boolean release(String ip) {
    try {
      return used.remove(offsetOf(ip));
    } catch (AllocationException e) {
      return false;
    }
  }

  /**
   * Records {@code ip} as taken whether or not it already was (restoring state from storage). Addresses outside
   * the range are ignored and reported with false, as upstream's repair loop reports them rather than failing.
   */
  public synchronized boolean markUsed(String ip) {
    try {
      used.add(offsetOf(ip));
      return true;
    } catch (AllocationException e) {
      return false;
    }
  }

  public synchronized boolean isAllocated(String ip) {
    try {
      return used.contains(offsetOf(ip));
    } catch (AllocationException e) {
      return false;
    }
  }

  /**
   * Moves where {@link #allocateNext()} continues to the point {@code fraction} (0 inclusive to 1 exclusive) of the
   * dynamic range. Apiservers sharing a storage scatter their cursors so that they seldom offer the same address.
   */
  public synchronized void moveCursor(double fraction) {
    if (!(fraction >= 0 && fraction < 1)) {
      throw new IllegalArgumentException("fraction must be in [0, 1), got " + fraction);
    }
    cursor = 2 + (long) (fraction * (maxOffset - 1));
  }

  /** True when {@code ip} lies in the usable range (including the first address). */
  public boolean inRange(String ip) {
    try {
      offsetOf(ip);
      return true;
    } catch (AllocationException e) {
      return false;
    }
  }

  /** Addresses {@link #allocateNext()} can still hand out. */
  public synchronized long free() {
    return (maxOffset - 1) - (used.size() - (used.contains(1L) ? 1 : 0));
  }

  private long offsetOf(String ip) {
    byte[] b = IpAddresses.parse(ip);
    if (b == null) {
      throw new AllocationException(Reason.INVALID, "failed to parse IP " + ip);
    }
    BigInteger offset = IpAddresses.toInt(b).subtract(base);
    if (b.length != cidr.base().length || offset.signum() <= 0
        || offset.compareTo(BigInteger.valueOf(maxOffset)) > 0) {
      throw new AllocationException(Reason.NOT_IN_RANGE, "the provided IP (" + ip
          + ") is not in the valid range. The range of valid IPs is " + cidr);
    }
    return offset.longValueExact();
  }

  private String toIp(long offset) {
    return IpAddresses.format(IpAddresses.fromInt(base.add(BigInteger.valueOf(offset)), cidr.base().length));
  }
}

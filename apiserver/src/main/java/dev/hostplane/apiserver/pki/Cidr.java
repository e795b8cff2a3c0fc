package dev.hostplane.apiserver.pki;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IP network in CIDR notation, as {@code --service-cluster-ip-range} takes it. Like Go's
 * {@code net.ParseCIDR}, host bits are allowed and masked off: {@code 10.240.16.5/20} is {@code 10.240.16.0/20}.
 * Parsing never does a DNS lookup.
 *
 * @param network the network address (host bits zero)
 * @param prefixLength 0..32 for IPv4, 0..128 for IPv6
 */
public record Cidr(InetAddress network, int prefixLength) {
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
  private static final Pattern DIGITS = Pattern.compile("\\d{1,3}");

  /** Parses {@code address/prefix}; IllegalArgumentException saying what is wrong and what was expected. */
  public static Cidr parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("invalid CIDR \"\": expected an address/prefix such as 10.240.16.0/20");
    }
    String s = text.trim();
    int slash = s.indexOf('/');
    if (slash < 0 || slash != s.lastIndexOf('/')) {
      throw new IllegalArgumentException("invalid CIDR \"" + text
          + "\": expected an address/prefix such as 10.240.16.0/20 or fd00::/108");
    }
    InetAddress address = parseAddress(s.substring(0, slash), text);
    String prefixText = s.substring(slash + 1);
    int bits = address instanceof Inet4Address ? 32 : 128;
    if (!DIGITS.matcher(prefixText).matches() || Integer.parseInt(prefixText) > bits) {
      throw new IllegalArgumentException("invalid CIDR \"" + text + "\": prefix length must be 0.." + bits);
    }
    int prefix = Integer.parseInt(prefixText);
    return new Cidr(mask(address, prefix), prefix);
  }

  /**
   * The first usable address: network + 1, e.g. {@code 10.240.16.1} for {@code 10.240.16.0/20}, where Kubernetes
   * puts the {@code kubernetes} Service. IllegalArgumentException for a network too small to have one (/32, /128).
   */
  public InetAddress firstIp() {
    int bits = network instanceof Inet4Address ? 32 : 128;
    if (prefixLength >= bits) {
      throw new IllegalArgumentException("CIDR " + this + " is too small: it has no address after the network");
    }
    return toAddress(new BigInteger(1, network.getAddress()).add(BigInteger.ONE), network.getAddress().length);
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefixLength;
  }

  private static InetAddress parseAddress(String s, String whole) {
    try {
      if (IPV4.matcher(s).matches()) {
        byte[] b = new byte[4];
        String[] parts = s.split("\\.");
        for (int i = 0; i < 4; i++) {
          int v = Integer.parseInt(parts[i]);
          if (v > 255) {
            throw new IllegalArgumentException("invalid CIDR \"" + whole + "\": " + s + " is not an IPv4 address");
          }
          b[i] = (byte) v;
        }
        return InetAddress.getByAddress(b);
      }
      // A ':' makes InetAddress treat the text as an IPv6 literal, so no name lookup can happen.
      if (s.indexOf(':') >= 0 && IPV6_CHARS.matcher(s).matches()) {
        InetAddress a = InetAddress.getByName(s);
        if (a instanceof Inet6Address) {
          return a;
        }
        // ::ffff:a.b.c.d collapses to IPv4 in Java; Kubernetes rejects mapped addresses too.
      }
    } catch (UnknownHostException e) {
      // fall through to the error below
    }
    throw new IllegalArgumentException("invalid CIDR \"" + whole + "\": \"" + s + "\" is not an IP address");
  }

  private static InetAddress mask(InetAddress address, int prefix) {
    byte[] b = address.getAddress();
    for (int i = 0; i < b.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      b[i] &= (byte) (0xff << (8 - keep));
    }
    return toAddress(new BigInteger(1, b), b.length);
  }

  private static InetAddress toAddress(BigInteger value, int length) {
    byte[] raw = value.toByteArray();
    byte[] b = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, b, length - copy, copy);
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // 4 or 16 bytes: cannot happen
    }
  }
}

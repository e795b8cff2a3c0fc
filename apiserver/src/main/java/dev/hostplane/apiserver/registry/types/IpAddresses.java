package dev.hostplane.apiserver.registry.types;

import java.math.BigInteger;

/**
 * Parses and prints IP addresses and CIDRs without touching DNS (unlike {@code InetAddress.getByName}). IPv4 is
 * the strict dotted quad (no leading zeros); IPv6 is RFC 4291 text, printed in RFC 5952 canonical form.
 */
final class IpAddresses {
  private IpAddresses() {}

  /** Upstream's message for a field that takes an IP of either family. */
  static final String INVALID_IP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

  /** A parsed CIDR: {@code base} has the host bits cleared. */
  record Cidr(byte[] base, int prefix) {
    boolean isV4() {
      return base.length == 4;
    }

    /** Number of addresses in the block. */
    BigInteger size() {
      return BigInteger.ONE.shiftLeft(base.length * 8 - prefix);
    }

    boolean contains(byte[] ip) {
      if (ip == null || ip.length != base.length) {
        return false;
      }
      BigInteger mask = BigInteger.ONE.shiftLeft(base.length * 8 - prefix).subtract(BigInteger.ONE).not();
      return toInt(ip).and(mask).equals(toInt(base));
    }

    @Override
    public String toString() {
      return format(base) + "/" + prefix;
    }
  }

  /** 4 or 16 bytes, or null when {@code s} is not an IP address. */
  public static byte[] parse(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    return s.indexOf(':') >= 0 ? parseV6(s) : parseV4(s);
  }

  public static boolean isV4(String s) {
    return s != null && s.indexOf(':') < 0 && parseV4(s) != null;
  }

  public static boolean isV6(String s) {
    return s != null && s.indexOf(':') >= 0 && parseV6(s) != null;
  }

  /** "IPv4" or "IPv6" as upstream's IPFamily, or null for a non-address. */
  static String family(String s) {
    byte[] b = parse(s);
    return b == null ? null : b.length == 4 ? "IPv4" : "IPv6";
  }

  /** A CIDR such as {@code 10.0.0.0/24}; host bits set are allowed and cleared. Null when invalid. */
  static Cidr parseCidr(String s) {
    if (s == null) {
      return null;
    }
    int slash = s.indexOf('/');
    if (slash <= 0 || slash == s.length() - 1) {
      return null;
    }
    byte[] ip = parse(s.substring(0, slash));
    String p = s.substring(slash + 1);
    if (ip == null || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
      return null;
    }
    int prefix = Integer.parseInt(p);
    if (prefix > ip.length * 8) {
      return null;
    }
    BigInteger mask = BigInteger.ONE.shiftLeft(ip.length * 8 - prefix).subtract(BigInteger.ONE).not();
    return new Cidr(fromInt(toInt(ip).and(mask), ip.length), prefix);
  }

  static BigInteger toInt(byte[] ip) {
    return new BigInteger(1, ip);
  }

  static byte[] fromInt(BigInteger v, int length) {
    byte[] raw = v.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
    return out;
  }

  public static String format(byte[] ip) {
    if (ip.length == 4) {
      return (ip[0] & 0xff) + "." + (ip[1] & 0xff) + "." + (ip[2] & 0xff) + "." + (ip[3] & 0xff);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((ip[2 * i] & 0xff) << 8) | (ip[2 * i + 1] & 0xff);
    }
    // RFC 5952: compress the longest run (first on ties) of two or more zero groups.
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        b.append("::");
        i += bestLen - 1;
        continue;
      }
      if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
        b.append(':');
      }
      b.append(Integer.toHexString(groups[i]));
    }
    return b.toString();
  }

  private static byte[] parseV4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')
          || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
      int v = Integer.parseInt(p);
      if (v > 255) {
        return null;
      }
      out[i] = (byte) v;
    }
    return out;
  }

  private static byte[] parseV6(String s) {
    byte[] tail4 = null;
    String text = s;
    int lastColon = s.lastIndexOf(':');
    if (s.indexOf('.', lastColon) > 0) {
      tail4 = parseV4(s.substring(lastColon + 1));
      if (tail4 == null) {
        return null;
      }
      text = s.substring(0, lastColon + 1) + "0:0";
    }
    int dbl = text.indexOf("::");
    if (dbl >= 0 && text.indexOf("::", dbl + 1) >= 0) {
      return null;
    }
    String head = dbl >= 0 ? text.substring(0, dbl) : text;
    String tail = dbl >= 0 ? text.substring(dbl + 2) : "";
    int[] h = groups(head);
    int[] t = groups(tail);
    if (h == null || t == null) {
      return null;
    }
    int total = h.length + t.length;
    if ((dbl < 0 && total != 8) || (dbl >= 0 && total > 7)) {
      return null;
    }
    byte[] out = new byte[16];
    for (int i = 0; i < h.length; i++) {
      out[2 * i] = (byte) (h[i] >> 8);
      out[2 * i + 1] = (byte) h[i];
    }
    for (int i = 0; i < t.length; i++) {
      int g = 8 - t.length + i;
      out[2 * g] = (byte) (t[i] >> 8);
      out[2 * g + 1] = (byte) t[i];
    }
    if (tail4 != null) {
      System.arraycopy(tail4, 0, out, 12, 4);
    }
    return out;
  }

  private static int[] groups(String s) {
    if (s.isEmpty()) {
      return new int[0];
    }
    String[] parts = s.split(":", -1);
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 4) {
        return null;
      }
      for (int k = 0; k < p.length(); k++) {
        if (Character.digit(p.charAt(k), 16) < 0) {
          return null;
        }
      }
      out[i] = Integer.parseInt(p, 16);
    }
    return out;
  }
}

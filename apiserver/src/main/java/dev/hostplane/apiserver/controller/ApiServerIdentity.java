package dev.hostplane.apiserver.controller;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Who this apiserver is among the replicas on one storage, as upstream's APIServerIdentity names it.
 *
 * <p>The id is upstream's: {@code "apiserver-"} + the first 16 bytes of SHA-256 over the host (a 2-byte big-endian
 * length, then its bytes) and {@code "kube-apiserver"} (same framing), in lower-case base32 without padding. A
 * restarted apiserver thus finds its own lease again. Upstream hashes the host name alone, which assumes one
 * apiserver per host; replicas of Hostplane may share a host (and always do in tests), so the hashed host is
 * {@code <hostname>:<port>} (the bound secure port) unless the port is upstream's 6443. On a standard deployment
 * the id equals kube-apiserver's; two processes on one host always differ, since they cannot share a port.
 *
 * @param id the identity lease's name, e.g. {@code apiserver-a4zz3kdi7vqdmvmuc4zblxxrji}
 * @param hostname the {@code kubernetes.io/hostname} label value
 * @param holderIdentity {@code <id>_<uuid>}, new on every start, as upstream
 */
public record ApiServerIdentity(String id, String hostname, String holderIdentity) {
  static final int UPSTREAM_SECURE_PORT = 6443;
  private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

  /** The identity of an apiserver on {@code hostname} serving on {@code securePort}, with a fresh holder. */
  public static ApiServerIdentity of(String hostname, int securePort) {
    String host = securePort == UPSTREAM_SECURE_PORT ? hostname : hostname + ":" + securePort;
    String id = idOf(host);
    return new ApiServerIdentity(id, hostname, id + "_" + UUID.randomUUID());
  }

  /** The id for a hashed host value (see the class comment). */
  static String idOf(String host) {
    byte[] h = host.getBytes(StandardCharsets.UTF_8);
    byte[] c = "kube-apiserver".getBytes(StandardCharsets.UTF_8);
    byte[] data = new byte[4 + h.length + c.length];
    data[0] = (byte) (h.length >>> 8);
    data[1] = (byte) h.length;
    System.arraycopy(h, 0, data, 2, h.length);
    data[2 + h.length] = (byte) (c.length >>> 8);
    data[3 + h.length] = (byte) c.length;
    System.arraycopy(c, 0, data, 4 + h.length, c.length);
    byte[] hash;
    try {
      hash = MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    return "apiserver-" + base32(hash, 16);
  }

  /** RFC 4648 base32 of the first {@code n} bytes, lower case, no padding. */
  private static String base32(byte[] bytes, int n) {
    StringBuilder sb = new StringBuilder();
    int buffer = 0;
    int bits = 0;
    for (int i = 0; i < n; i++) {
      buffer = (buffer << 8) | (bytes[i] & 0xff);
      bits += 8;
      while (bits >= 5) {
        sb.append(BASE32.charAt((buffer >>> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      sb.append(BASE32.charAt((buffer << (5 - bits)) & 31));
    }
    return sb.toString();
  }

  /** This machine's host name as the kernel reports it (upstream's os.Hostname). */
  public static String localHostname() {
    try {
      String kernel = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
      if (!kernel.isEmpty()) {
        return kernel;
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: fall through
    }
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env.trim();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}

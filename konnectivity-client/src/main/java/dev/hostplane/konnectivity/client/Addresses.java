package dev.hostplane.konnectivity.client;

/** "host:port" as the tunnel and HTTP CONNECT spell it (IPv6 literals in brackets). */
final class Addresses {
  private Addresses() {}

  static String hostPort(String host, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be in 1..65535, got " + port);
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]:" + port : host + ":" + port;
  }
}

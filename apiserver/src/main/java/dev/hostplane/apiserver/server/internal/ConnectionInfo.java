package dev.hostplane.apiserver.server.internal;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What every exchange on one connection shares, fixed once the TLS handshake is done.
 *
 * @param protocol {@code HTTP/1.1} or {@code HTTP/2.0}
 * @param peerCertificates the client's verified chain, leaf first; empty when it sent none
 */
record ConnectionInfo(InetSocketAddress remoteAddress, List<X509Certificate> peerCertificates, String protocol) {
  static final String HTTP_1_1 = "HTTP/1.1";
  static final String HTTP_2 = "HTTP/2.0";

  ConnectionInfo {
    peerCertificates = List.copyOf(peerCertificates);
  }
}

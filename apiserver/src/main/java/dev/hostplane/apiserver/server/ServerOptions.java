package dev.hostplane.apiserver.server;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link ApiHttpServer} serves. Immutable; start from {@link #DEFAULT} and change fields with the
 * {@code with*} copies. Field names follow the kube-apiserver flags that will set them.
 *
 * @param bindAddress {@code --bind-address}; the wildcard address (default {@code 0.0.0.0}) listens on every
 *     interface, IPv4 and IPv6
 * @param securePort {@code --secure-port}, default 6443; 0 picks a free port (see {@link ApiHttpServer#port()})
 * @param tlsCertFile {@code --tls-cert-file}: PEM serving certificate, leaf first, then intermediates; required
 * @param tlsPrivateKeyFile {@code --tls-private-key-file}: PEM key (PKCS#8, PKCS#1 or SEC1); required
 * @param clientCaFile {@code --client-ca-file}: PEM bundle that client certificates are verified against; null
 *     means client certificates are not requested. Client certificates are always optional.
 * @param maxRequestBodyBytes {@code --max-request-body-bytes}, default 3 MiB; larger bodies get 413
 * @param maxHeaderBytes request line plus headers (HTTP/1.1) or header list (HTTP/2), default 1 MiB like Go
 * @param maxStreamsPerConnection {@code --http2-max-streams-per-connection}: SETTINGS_MAX_CONCURRENT_STREAMS,
 *     default 100
 * @param http2PingInterval {@code --http2-ping-interval}: a PING is sent on an HTTP/2 connection from which
 *     nothing has been read for this long; default 30 s; {@link Duration#ZERO} turns pings off
 * @param http2PingTimeout {@code --http2-ping-timeout}: the connection is closed when a PING is not answered
 *     (nothing at all read) within this; default 15 s
 * @param tcpKeepAliveIdle {@code --tcp-keepalive-idle}: TCP keepalive probes start after this much silence, on
 *     every accepted socket; default 30 s; {@link Duration#ZERO} turns TCP keepalive off. Whole seconds.
 * @param tcpKeepAliveInterval {@code --tcp-keepalive-interval}: between probes, default 10 s
 * @param tcpKeepAliveCount {@code --tcp-keepalive-count}: unanswered probes before the kernel drops the
 *     connection, default 3
 * @param compressionMinBytes complete responses at least this large are gzip-compressed when the client accepts
 *     gzip; default 1024; a negative value turns compression off. Streamed responses are never compressed.
 * @param workerThreads event loop threads; 0 (default) lets Netty choose (twice the cores)
 * @param tls protocol versions, cipher suites, SNI certificates and reloading of the certificate files
 * @param requestReadTimeout slow clients: a request's headers must arrive within this of its first byte, and its
 *     body within this again once the headers are in; default 32 s. Past it: 408 and the connection (HTTP/1.1) or
 *     stream (HTTP/2) is closed.
 * @param idleConnectionTimeout a connection with no request in flight for this long is closed (GOAWAY on HTTP/2,
 *     which clients follow by reconnecting); default 90 s; {@link Duration#ZERO} keeps idle connections forever
 */
public record ServerOptions(
    InetAddress bindAddress,
    int securePort,
    Path tlsCertFile,
    Path tlsPrivateKeyFile,
    Path clientCaFile,
    long maxRequestBodyBytes,
    int maxHeaderBytes,
    int maxStreamsPerConnection,
    Duration http2PingInterval,
    Duration http2PingTimeout,
    Duration tcpKeepAliveIdle,
    Duration tcpKeepAliveInterval,
    int tcpKeepAliveCount,
    int compressionMinBytes,
    int workerThreads,
    TlsPolicy tls,
    Duration requestReadTimeout,
    Duration idleConnectionTimeout) {

  public static final ServerOptions DEFAULT = new ServerOptions(
      wildcard(), 6443, null, null, null,
      3L * 1024 * 1024, 1024 * 1024, 100,
      Duration.ofSeconds(30), Duration.ofSeconds(15),
      Duration.ofSeconds(30), Duration.ofSeconds(10), 3,
      1024, 0, TlsPolicy.DEFAULT, Duration.ofSeconds(32), Duration.ofSeconds(90));

  public ServerOptions {
    Objects.requireNonNull(bindAddress, "bindAddress");
    if (securePort < 0 || securePort > 65535) {
      throw new IllegalArgumentException("securePort must be 0..65535, got " + securePort);
    }
    if (maxRequestBodyBytes < 1) {
      throw new IllegalArgumentException("maxRequestBodyBytes must be positive, got " + maxRequestBodyBytes);
    }
    if (maxHeaderBytes < 4096) {
      throw new IllegalArgumentException("maxHeaderBytes must be at least 4096, got " + maxHeaderBytes);
    }
    if (maxStreamsPerConnection < 1) {
      throw new IllegalArgumentException(
          "maxStreamsPerConnection must be at least 1, got " + maxStreamsPerConnection);
    }
    requireNotNegative(http2PingInterval, "http2PingInterval");
    requireNotNegative(http2PingTimeout, "http2PingTimeout");
    if (!http2PingInterval.isZero() && http2PingTimeout.isZero()) {
      throw new IllegalArgumentException("http2PingTimeout must be positive when pings are on");
    }
    requireNotNegative(tcpKeepAliveIdle, "tcpKeepAliveIdle");
    requireNotNegative(tcpKeepAliveInterval, "tcpKeepAliveInterval");
    if (!tcpKeepAliveIdle.isZero()) {
      if (tcpKeepAliveIdle.compareTo(Duration.ofSeconds(1)) < 0
          || tcpKeepAliveInterval.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("tcpKeepAliveIdle and tcpKeepAliveInterval must be at least 1s (TCP"
            + " keepalive counts whole seconds), got " + tcpKeepAliveIdle + " and " + tcpKeepAliveInterval);
      }
      if (tcpKeepAliveCount < 1) {
        throw new IllegalArgumentException("tcpKeepAliveCount must be at least 1, got " + tcpKeepAliveCount);
      }
    }
    Objects.requireNonNull(tls, "tls");
    requireNotNegative(requestReadTimeout, "requestReadTimeout");
    if (requestReadTimeout.isZero()) {
      throw new IllegalArgumentException("requestReadTimeout must be positive");
    }
    requireNotNegative(idleConnectionTimeout, "idleConnectionTimeout");
    if (workerThreads < 0) {
      throw new IllegalArgumentException("workerThreads must be 0 (automatic) or positive, got " + workerThreads);
    }
  }

  /** True when HTTP/2 PINGs are sent ({@code http2PingInterval > 0}). */
  public boolean http2PingsEnabled() {
    return !http2PingInterval.isZero();
  }

  /** True when accepted sockets get TCP keepalive ({@code tcpKeepAliveIdle > 0}). */
  public boolean tcpKeepAliveEnabled() {
    return !tcpKeepAliveIdle.isZero();
  }

  public ServerOptions withBindAddress(InetAddress v) {
    return new ServerOptions(v, securePort, tlsCertFile, tlsPrivateKeyFile, clientCaFile, maxRequestBodyBytes,
        maxHeaderBytes, maxStreamsPerConnection, http2PingInterval, http2PingTimeout, tcpKeepAliveIdle,
        tcpKeepAliveInterval, tcpKeepAliveCount, compressionMinBytes, workerThreads, tls, requestReadTimeout, idleConnectionTimeout);
  }

  public ServerOptions withSecurePort(int v) {
    return new ServerOptions(bindAddress, v, tlsCertFile, tlsPrivateKeyFile, clientCaFile, maxRequestBodyBytes,
        maxHeaderBytes, maxStreamsPerConnection, http2PingInterval, http2PingTimeout, tcpKeepAliveIdle,
        tcpKeepAliveInterval, tcpKeepAliveCount, compressionMinBytes, workerThreads, tls, requestReadTimeout, idleConnectionTimeout);
  }

  /** The serving certificate, its key and the client CA bundle (null: no client certificates). */
  public ServerOptions withTls(Path certFile, Path keyFile, Path clientCa) {
    return new ServerOptions(bindAddress, securePort, certFile, keyFile, clientCa, maxRequestBodyBytes,
        maxHeaderBytes, maxStreamsPerConnection, http2PingInterval, http2PingTimeout, tcpKeepAliveIdle,
        tcpKeepAliveInterval, tcpKeepAliveCount, compressionMinBytes, workerThreads, tls, requestReadTimeout, idleConnectionTimeout);
  }

  public ServerOptions withMaxRequestBodyBytes(long v) {
    return new ServerOptions(bindAddress, securePort, tlsCertFile, tlsPrivateKeyFile, clientCaFile, v,
        maxHeaderBytes, maxStreamsPerConnection, http2PingInterval, http2PingTimeout, tcpKeepAliveIdle,
        tcpKeepAliveInterval, tcpKeepAliveCount, compressionMinBytes, workerThreads, tls, requestReadTimeout, idleConnectionTimeout);
  }

  public ServerOptions withMaxHeaderBytes(int v) {
    return new ServerOptions(bindAddress, securePort, tlsCertFile, tlsPrivateKeyFile, clientCaFile,
        maxRequestBodyBytes, v, maxStreamsPerConnection, http2PingInterval, http2PingTimeout, tcpKeepAliveIdle,
        tcpKeepAliveInterval, tcpKeepAliveCount, compressionMinBytes, workerThreads, tls, requestReadTimeout, idleConnectionTimeout);
  }

  public ServerOptions withMaxStreamsPerConnection(int v) {
    return new ServerOptions(bindAddress, securePort, tlsCertFile, tlsPrivateKeyFile, clientCaFile,
        maxRequestBodyBytes, maxHeaderBytes, v, http2PingInterval, http2PingTimeout, tcpKeepAliveIdle,
        tcpKeepAliveInterval, tcpKeepAliveCount, compressionMinBytes, workerThreads, tls, requestReadTimeout, idleConnectionTimeout);
  }

  /** HTTP/2 PING interval and timeout; an interval of {@link Duration#ZERO} turns pings off. */
  public ServerOptions withHttp2Ping(Duration interval, Duration timeout) {
    return new ServerOptions(bindAddress, securePort, tlsCertFile, tlsPrivateKeyFile, clientCaFile,
        maxRequestBodyBytes, maxHeaderBytes, maxStreamsPerConnection, interval, timeout, tcpKeepAliveIdle,
        tcpKeepAliveInterval, tcpKeepAliveCount, compressionMinBytes, workerThreads, tls, requestReadTimeout, idleConnectionTimeout);
  }

  /** TCP keepalive idle time, probe interval and probe count; an idle of {@link Duration#ZERO} turns it off. */
  public ServerOptions withTcpKeepAlive(Duration idle, Duration interval, int count) {
    return new ServerOptions(bindAddress, securePort, tlsCertFile, tlsPrivateKeyFile, clientCaFile,
        maxRequestBodyBytes, maxHeaderBytes, maxStreamsPerConnection, http2PingInterval, http2PingTimeout, idle,
        interval, count, compressionMinBytes, workerThreads, tls, requestReadTimeout, idleConnectionTimeout);
  }

  public ServerOptions withCompressionMinBytes(int v) {
    return new ServerOptions(bindAddress, securePort, tlsCertFile, tlsPrivateKeyFile, clientCaFile,
        maxRequestBodyBytes, maxHeaderBytes, maxStreamsPerConnection, http2PingInterval, http2PingTimeout,
        tcpKeepAliveIdle, tcpKeepAliveInterval, tcpKeepAliveCount, v, workerThreads, tls, requestReadTimeout, idleConnectionTimeout);
  }

  public ServerOptions withWorkerThreads(int v) {
    return new ServerOptions(bindAddress, securePort, tlsCertFile, tlsPrivateKeyFile, clientCaFile,
        maxRequestBodyBytes, maxHeaderBytes, maxStreamsPerConnection, http2PingInterval, http2PingTimeout,
        tcpKeepAliveIdle, tcpKeepAliveInterval, tcpKeepAliveCount, compressionMinBytes, v, tls, requestReadTimeout, idleConnectionTimeout);
  }

  /** TLS versions, cipher suites, SNI certificates and reloading. */
  public ServerOptions withTlsPolicy(TlsPolicy v) {
    return new ServerOptions(bindAddress, securePort, tlsCertFile, tlsPrivateKeyFile, clientCaFile,
        maxRequestBodyBytes, maxHeaderBytes, maxStreamsPerConnection, http2PingInterval, http2PingTimeout,
        tcpKeepAliveIdle, tcpKeepAliveInterval, tcpKeepAliveCount, compressionMinBytes, workerThreads, v,
        requestReadTimeout, idleConnectionTimeout);
  }

  /** The slow-client bound on reading a request, and the idle-connection timeout (zero: never). */
  public ServerOptions withConnectionTimeouts(Duration requestRead, Duration idle) {
    return new ServerOptions(bindAddress, securePort, tlsCertFile, tlsPrivateKeyFile, clientCaFile,
        maxRequestBodyBytes, maxHeaderBytes, maxStreamsPerConnection, http2PingInterval, http2PingTimeout,
        tcpKeepAliveIdle, tcpKeepAliveInterval, tcpKeepAliveCount, compressionMinBytes, workerThreads, tls,
        requestRead, idle);
  }

  private static void requireNotNegative(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, got " + d);
    }
  }

  private static InetAddress wildcard() {
    try {
      return InetAddress.getByAddress(new byte[4]);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e); // 4 bytes: cannot happen
    }
  }
}

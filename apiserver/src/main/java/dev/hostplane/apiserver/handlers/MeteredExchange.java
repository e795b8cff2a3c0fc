package dev.hostplane.apiserver.handlers;

import dev.hostplane.apiserver.metrics.ApiMetrics;
import dev.hostplane.apiserver.server.HttpExchange;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/** An exchange that records its response code and latency in {@link ApiMetrics} when answered. */
final class MeteredExchange implements HttpExchange {
  private final HttpExchange delegate;
  private volatile ApiMetrics.Inflight inflight;

  MeteredExchange(HttpExchange delegate) {
    this.delegate = delegate;
  }

  /** Starts metering; before this (an unparseable request) nothing is recorded. */
  void begin(ApiMetrics.Inflight i) {
    this.inflight = i;
  }

  @Override
  public String method() {
    return delegate.method();
  }

  @Override
  public String uri() {
    return delegate.uri();
  }

  @Override
  public String header(String name) {
    return delegate.header(name);
  }

  @Override
  public List<String> headers(String name) {
    return delegate.headers(name);
  }

  @Override
  public byte[] body() {
    return delegate.body();
  }

  @Override
  public List<X509Certificate> peerCertificates() {
    return delegate.peerCertificates();
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return delegate.remoteAddress();
  }

  @Override
  public String protocol() {
    return delegate.protocol();
  }

  @Override
  public void respond(int status, Map<String, String> headers, byte[] body) {
    ApiMetrics.Inflight i = inflight;
    if (i != null) {
      i.responded(status, false);
    }
    delegate.respond(status, headers, body);
  }

  @Override
  public ResponseStream startStream(int status, Map<String, String> headers) {
    ApiMetrics.Inflight i = inflight;
    if (i != null) {
      i.responded(status, true);
      delegate.onClose(i::closed);
    }
    return delegate.startStream(status, headers);
  }

  @Override
  public void onClose(Runnable callback) {
    delegate.onClose(callback);
  }
}

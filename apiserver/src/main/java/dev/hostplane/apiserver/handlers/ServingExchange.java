package dev.hostplane.apiserver.handlers;

import dev.hostplane.apiserver.server.HttpExchange;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An admitted exchange: reports its answer once (to {@link InflightRequests}), and answers with
 * {@code Connection: close} when {@link #goAwayAfterResponse()} was called (HTTP/1.1 closes after the response,
 * HTTP/2 sends GOAWAY). Only complete responses carry it: a streamed one (a watch) never does.
 */
final class ServingExchange implements HttpExchange {
  private final HttpExchange delegate;
  private final Runnable onAnswered;
  private final AtomicBoolean answered = new AtomicBoolean();
  private volatile boolean goAway;

  ServingExchange(HttpExchange delegate, Runnable onAnswered) {
    this.delegate = delegate;
    this.onAnswered = onAnswered;
  }

  /** Ends the connection after this request's (complete) response. */
  void goAwayAfterResponse() {
    goAway = true;
  }

  boolean goesAway() {
    return goAway;
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
    Map<String, String> h = headers;
    if (goAway) {
      h = new LinkedHashMap<>(headers);
      h.put("Connection", "close");
    }
    try {
      delegate.respond(status, h, body);
    } finally {
      answer();
    }
  }

  @Override
  public ResponseStream startStream(int status, Map<String, String> headers) {
    try {
      return delegate.startStream(status, headers);
    } finally {
      answer();
    }
  }

  private void answer() {
    if (answered.compareAndSet(false, true)) {
      onAnswered.run();
    }
  }

  @Override
  public void onClose(Runnable callback) {
    delegate.onClose(callback);
  }
}

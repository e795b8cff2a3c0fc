package dev.hostplane.apiserver.handlers;

import dev.hostplane.apiserver.server.HttpExchange;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/** An exchange that passes every call to another; decorators override what they add to. */
abstract class ForwardingExchange implements HttpExchange {
  protected final HttpExchange delegate;

  ForwardingExchange(HttpExchange delegate) {
    this.delegate = delegate;
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
  public List<String> headerNames() {
    return delegate.headerNames();
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
    delegate.respond(status, headers, body);
  }

  @Override
  public ResponseStream startStream(int status, Map<String, String> headers) {
    return delegate.startStream(status, headers);
  }

  @Override
  public boolean canUpgrade() {
    return delegate.canUpgrade();
  }

  @Override
  public java.util.concurrent.CompletableFuture<io.netty.channel.Channel> upgrade(Map<String, String> headers,
      io.netty.channel.ChannelHandler handler) {
    return delegate.upgrade(headers, handler);
  }

  @Override
  public void onClose(Runnable callback) {
    delegate.onClose(callback);
  }
}

package dev.hostplane.apiserver.handlers;

import dev.hostplane.apiserver.audit.AuditContext;
import dev.hostplane.apiserver.server.HttpExchange;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An exchange that carries the request's audit ID as the {@code Audit-ID} response header (on every response, as
 * upstream) and, once auditing began, emits the audit stages it observes: ResponseStarted when a stream starts,
 * ResponseComplete when a response is sent or a stream ends.
 */
final class AuditingExchange extends ForwardingExchange {
  private final String auditId;
  private volatile AuditContext audit;

  AuditingExchange(HttpExchange delegate, String auditId) {
    super(delegate);
    this.auditId = auditId;
  }

  String auditId() {
    return auditId;
  }

  /** Starts emitting stages to {@code ctx} (null: the request is not audited). */
  void begin(AuditContext ctx) {
    this.audit = ctx;
  }

  private Map<String, String> withAuditId(Map<String, String> headers) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put("Audit-ID", auditId);
    return h;
  }

  @Override
  public void respond(int status, Map<String, String> headers, byte[] body) {
    delegate.respond(status, withAuditId(headers), body);
    AuditContext a = audit;
    if (a != null) {
      a.responseComplete(status);
    }
  }

  @Override
  public ResponseStream startStream(int status, Map<String, String> headers) {
    ResponseStream stream = delegate.startStream(status, withAuditId(headers));
    AuditContext a = audit;
    if (a != null) {
      a.responseStarted(status);
      // Runs on any thread, possibly the event loop: the auditor never waits there.
      delegate.onClose(() -> a.responseComplete(status));
    }
    return stream;
  }

  @Override
  public java.util.concurrent.CompletableFuture<io.netty.channel.Channel> upgrade(Map<String, String> headers,
      io.netty.channel.ChannelHandler handler) {
    var upgraded = delegate.upgrade(withAuditId(headers), handler);
    AuditContext a = audit;
    if (a != null) {
      a.responseStarted(101);
      delegate.onClose(() -> a.responseComplete(101));
    }
    return upgraded;
  }
}

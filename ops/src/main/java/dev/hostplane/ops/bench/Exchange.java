package dev.hostplane.ops.bench;

import io.netty.handler.codec.http2.Http2StreamChannel;
import java.util.concurrent.CancellationException;

/**
 * One request/response exchange on a {@link ClientConnection}: queued until the connection has a free stream,
 * then sent on its own HTTP/2 stream. The handle a caller keeps to {@link #cancel()} it.
 *
 * <p>Threading: all state is confined to the connection's event loop; {@link #cancel()} may be called from any
 * thread (it hops onto the loop).
 */
public final class Exchange {
  final HttpRequest request;
  final ResponseListener listener;
  private final ClientConnection connection;
  private Http2StreamChannel stream;
  private boolean cancelled;
  private boolean finished;

  Exchange(ClientConnection connection, HttpRequest request, ResponseListener listener) {
    this.connection = connection;
    this.request = request;
    this.listener = listener;
  }

  /**
   * Resets the stream (RST_STREAM CANCEL), or drops the request if it was not sent yet; the listener then gets
   * {@link ResponseListener#failed} unless the response had already ended. Idempotent.
   */
  public void cancel() {
    // Thread hop: onto the connection's event loop, where the exchange's state lives.
    connection.eventLoop().execute(() -> {
      if (cancelled || finished) {
        return;
      }
      cancelled = true;
      if (stream != null) {
        stream.close(); // StreamHandler reports the failure when the child channel goes inactive
      } else {
        connection.dequeue(this);
        fail(new CancellationException("cancelled before it was sent"));
      }
    });
  }

  boolean cancelled() {
    return cancelled;
  }

  void opened(Http2StreamChannel channel) {
    this.stream = channel;
  }

  /** Delivers the final outcome once; later calls are ignored. Event loop only. */
  void end() {
    if (!finished) {
      finished = true;
      listener.end();
    }
  }

  /** Delivers a failure once, unless already finished. Event loop only. */
  void fail(Throwable cause) {
    if (!finished) {
      finished = true;
      listener.failed(cause);
    }
  }

  boolean finished() {
    return finished;
  }
}

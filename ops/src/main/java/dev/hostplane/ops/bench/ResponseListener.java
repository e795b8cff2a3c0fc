package dev.hostplane.ops.bench;

import io.netty.buffer.ByteBuf;

/**
 * Receives one stream's response as it arrives. Threading: every method runs on the connection's event loop, so
 * it must be quick and must not block. Order: {@link #headers} once, {@link #data} zero or more times, then exactly
 * one of {@link #end} or {@link #failed}; {@link #failed} may also come first (the stream never opened).
 */
public interface ResponseListener {
  void headers(int status);

  /**
   * A DATA frame's content, valid only during the call (it is released afterwards).
   *
   * @param receivedNanos {@link System#nanoTime()} of the socket read that brought the frame's last bytes (or of
   *     a slightly later read), before TLS and HTTP/2 decoding
   */
  void data(ByteBuf content, long receivedNanos);

  /** The server ended the stream normally. */
  void end();

  /** The stream was reset, the connection closed, or the request could not be sent. */
  void failed(Throwable cause);
}

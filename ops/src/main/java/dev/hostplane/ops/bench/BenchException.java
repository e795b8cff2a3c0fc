package dev.hostplane.ops.bench;

/**
 * A run cannot go on: the server is unreachable, refuses our credentials, or answers a setup request with an error.
 * The message is printed as it is, without a stack trace.
 */
public final class BenchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BenchException(String message) {
    super(message, null, false, false);
  }

  public BenchException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}

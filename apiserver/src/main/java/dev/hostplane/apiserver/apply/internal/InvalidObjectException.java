package dev.hostplane.apiserver.apply.internal;

/**
 * An object that does not fit its schema the way server-side apply needs (a list-map item without its key, a
 * set item that is an object, a duplicate in an applied configuration). The message is upstream's structured-merge-diff
 * wording: {@code <path>: element <i>: <problem>}. Not API.
 */
public final class InvalidObjectException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidObjectException(String message) {
    super(message, null, false, false);
  }
}

package dev.hostplane.apiserver.authn;

/**
 * A credential that was presented but is not valid. The message is upstream's and goes only into a TokenReview's
 * {@code status.error} and the log; a request carrying such a credential is answered 401 "Unauthorized".
 */
public final class AuthenticationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AuthenticationException(String message) {
    super(message, null, false, false);
  }
}

package dev.hostplane.apiserver.authn;

import java.util.List;
import java.util.Optional;

/**
 * Authenticates a bearer token, as upstream's authenticator.Token. Called on API worker threads; may block briefly
 * (object lookups through the watch cache).
 */
@FunctionalInterface
public interface TokenAuthenticator {
  /**
   * The identity {@code token} stands for, for a caller that accepts {@code audiences} (the API audiences for
   * requests; a TokenReview's own). Empty when the token is not one this authenticator knows (the next one is
   * asked); {@link AuthenticationException} when it is one but is not valid (expired, revoked, wrong audience).
   */
  Optional<Result> authenticate(String token, List<String> audiences);

  /** An authenticated token: the user, and the audiences it is valid for among those asked. */
  record Result(UserInfo user, List<String> audiences) {
    public Result {
      audiences = List.copyOf(audiences);
    }
  }
}

package dev.hostplane.apiserver.authn;

import dev.hostplane.apiserver.api.ApiException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authenticator chain of a request, as upstream's: the client certificate ({@code --client-ca-file}, already
 * verified by TLS), then the bearer token through each {@link TokenAuthenticator} in order (static tokens, then
 * service account tokens), then anonymous ({@code --anonymous-auth}). The first that succeeds wins. A bearer token
 * that no authenticator accepts is a failure (401), never anonymous; so is a request with no credential when
 * anonymous access is off. Immutable and thread-safe; call on API worker threads.
 */
public final class Authentication {
  private static final Logger LOG = LoggerFactory.getLogger(Authentication.class);
  static final String INVALID_BEARER_TOKEN = "invalid bearer token";

  private final boolean anonymous;
  private final List<TokenAuthenticator> tokens;
  private final List<String> apiAudiences;

  /**
   * @param anonymous {@code --anonymous-auth}
   * @param tokens the bearer token authenticators, in order
   * @param apiAudiences {@code --api-audiences}: what a request's bearer token must be valid for
   */
  public Authentication(boolean anonymous, List<TokenAuthenticator> tokens, List<String> apiAudiences) {
    this.anonymous = anonymous;
    this.tokens = List.copyOf(tokens);
    this.apiAudiences = List.copyOf(apiAudiences);
  }

  public List<String> apiAudiences() {
    return apiAudiences;
  }

  /**
   * The paths anonymous requests may reach (with {@code --anonymous-auth}), as upstream's anonymous authenticator
   * configured with path conditions: the public-info endpoints (and their sub-paths, such as a single health
   * check). Elsewhere a request without credentials is 401, so nothing beyond them is disclosed, not even whether
   * a path exists.
   */
  public static final List<String> ANONYMOUS_PATHS = List.of("/healthz", "/livez", "/readyz", "/version");

  /** True when an anonymous request may go on to authorization at {@code path} (the decoded path, no query). */
  public static boolean anonymousMayReach(String path) {
    for (String p : ANONYMOUS_PATHS) {
      if (path.equals(p) || path.startsWith(p + "/")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The user of a request for {@code path} with the verified client certificate {@code chain} (leaf first, maybe
   * empty) and the {@code Authorization} header (maybe null). Fails with 401 Unauthorized as upstream (message
   * "Unauthorized").
   */
  public UserInfo authenticate(List<X509Certificate> chain, String authorization, String path) {
    Optional<UserInfo> byCert = X509Authenticator.authenticate(chain);
    if (byCert.isPresent()) {
      return byCert.get();
    }
    String token = bearerToken(authorization);
    if (token != null) {
      Review r = review(token, apiAudiences);
      if (r.authenticated()) {
        return r.user();
      }
      LOG.debug("unable to authenticate the request: {}", r.error());
      throw ApiException.unauthorized("Unauthorized");
    }
    if (anonymous && anonymousMayReach(path)) {
      return UserInfo.ANONYMOUS;
    }
    throw ApiException.unauthorized("Unauthorized");
  }

  /** The outcome of a token review: a user and the audiences, or the error. */
  public record Review(boolean authenticated, UserInfo user, List<String> audiences, String error) {}

  /**
   * Runs {@code token} through the token authenticators for {@code audiences} (empty: the API audiences), as a
   * TokenReview does.
   */
  public Review review(String token, List<String> audiences) {
    List<String> wanted = audiences.isEmpty() ? apiAudiences : audiences;
    List<String> errors = new ArrayList<>();
    for (TokenAuthenticator a : tokens) {
      try {
        Optional<TokenAuthenticator.Result> r = a.authenticate(token, wanted);
        if (r.isPresent()) {
          return new Review(true, withAuthenticated(r.get().user()), r.get().audiences(), "");
        }
      } catch (AuthenticationException e) {
        errors.add(e.getMessage());
      }
    }
    String error = errors.isEmpty() ? INVALID_BEARER_TOKEN
        : errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]";
    return new Review(false, null, List.of(), error);
  }

  /** The token of {@code Authorization: Bearer <token>}, or null (another scheme, or no token), as upstream. */
  static String bearerToken(String authorization) {
    if (authorization == null) {
      return null;
    }
    String[] parts = authorization.trim().split(" ", 3);
    if (parts.length < 2 || !parts[0].equalsIgnoreCase("bearer") || parts[1].isEmpty()) {
      return null;
    }
    return parts[1];
  }

  private static UserInfo withAuthenticated(UserInfo u) {
    if (u.inGroup(UserInfo.AUTHENTICATED)) {
      return u;
    }
    List<String> groups = new ArrayList<>(u.groups());
    groups.add(UserInfo.AUTHENTICATED);
    return new UserInfo(u.name(), u.uid(), groups, u.extra());
  }
}

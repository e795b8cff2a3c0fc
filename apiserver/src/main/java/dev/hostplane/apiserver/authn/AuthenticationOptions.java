package dev.hostplane.apiserver.authn;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The authentication flags, as kube-apiserver's.
 *
 * @param anonymous {@code --anonymous-auth}: requests without credentials are {@code system:anonymous}
 * @param tokenAuthFile {@code --token-auth-file}, or null
 * @param signingKeyFile {@code --service-account-signing-key-file}, or null for the cert dir's {@code sa.key}
 * @param keyFiles {@code --service-account-key-file} (repeatable); the signing key's public key is trusted too
 * @param issuers {@code --service-account-issuer} (repeatable; the first issues)
 * @param apiAudiences {@code --api-audiences}; empty: the issuers
 * @param maxTokenExpiration {@code --service-account-max-token-expiration}; zero for no cap
 * @param extendTokenExpiration {@code --service-account-extend-token-expiration}
 * @param jwksUri {@code --service-account-jwks-uri}, or null for the advertised address's
 */
public record AuthenticationOptions(boolean anonymous, Path tokenAuthFile, Path signingKeyFile, List<Path> keyFiles,
    List<String> issuers, List<String> apiAudiences, Duration maxTokenExpiration, boolean extendTokenExpiration,
    String jwksUri) {
  public static final AuthenticationOptions DEFAULT = new AuthenticationOptions(true, null, null, List.of(),
      List.of(ServiceAccountTokens.DEFAULT_ISSUER), List.of(), Duration.ZERO, true, null);

  public AuthenticationOptions {
    keyFiles = List.copyOf(keyFiles);
    issuers = List.copyOf(issuers.isEmpty() ? List.of(ServiceAccountTokens.DEFAULT_ISSUER) : issuers);
    apiAudiences = List.copyOf(apiAudiences.isEmpty() ? issuers : apiAudiences);
  }
}

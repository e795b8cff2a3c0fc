package dev.hostplane.apiserver.authz;

import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.filter.RequestInfo;
import java.util.Set;

/**
 * The interim policy until RBAC is served: any authenticated identity (a client certificate signed by the client
 * CA) may do anything; anonymous users may only read the public health and version endpoints, which upstream's
 * {@code system:public-info-viewer} role grants them.
 */
public final class AuthenticatedAuthorizer implements Authorizer {
  private static final Set<String> PUBLIC_PATHS = Set.of("/healthz", "/livez", "/readyz", "/version");

  @Override
  public Decision authorize(UserInfo user, RequestInfo request) {
    if (user.inGroup("system:authenticated") || user.inGroup("system:masters")) {
      return Decision.ALLOW;
    }
    if (!request.resourceRequest() && request.verb().equals("get") && isPublic(request.path())) {
      return Decision.ALLOW;
    }
    return Decision.DENY;
  }

  private static boolean isPublic(String path) {
    for (String p : PUBLIC_PATHS) {
      if (path.equals(p) || path.equals(p + "/") || path.startsWith(p + "/")) {
        return true;
      }
    }
    return false;
  }
}

package dev.hostplane.apiserver.authz;

import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.filter.RequestInfo;

/** Decides whether a user may do what a request asks. */
@FunctionalInterface
public interface Authorizer {
  enum Decision { ALLOW, DENY, NO_OPINION }

  Decision authorize(UserInfo user, RequestInfo request);
}

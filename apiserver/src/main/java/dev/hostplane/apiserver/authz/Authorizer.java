package dev.hostplane.apiserver.authz;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.filter.RequestInfo;

/** Decides whether a user may do what a request asks, and lists what a user may do (for rules reviews). */
public interface Authorizer {
  enum Decision { ALLOW, DENY, NO_OPINION }

  Decision authorize(UserInfo user, RequestInfo request);

  /**
   * The {@code status} of a SelfSubjectRulesReview: {@code resourceRules}, {@code nonResourceRules} and
   * {@code incomplete}, for {@code user} in {@code namespace}.
   */
  ObjectNode rules(UserInfo user, String namespace);
}

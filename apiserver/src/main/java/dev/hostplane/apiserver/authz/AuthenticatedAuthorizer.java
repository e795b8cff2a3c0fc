package dev.hostplane.apiserver.authz;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.filter.RequestInfo;
import java.util.List;

/**
 * The interim policy until RBAC is served: any authenticated identity may do anything except impersonate, which
 * only {@code system:masters} may (else any user could act as an administrator); anonymous users may only read the
 * public health and version endpoints, which upstream's {@code system:public-info-viewer} role grants them.
 */
public final class AuthenticatedAuthorizer implements Authorizer {
  private static final List<String> PUBLIC_PATHS = List.of("/healthz", "/livez", "/readyz", "/version");

  @Override
  public Decision authorize(UserInfo user, RequestInfo request) {
    if (request.verb().equals("impersonate")) {
      return user.inGroup("system:masters") ? Decision.ALLOW : Decision.DENY;
    }
    if (isAuthenticated(user)) {
      return Decision.ALLOW;
    }
    if (!request.resourceRequest() && request.verb().equals("get") && isPublic(request.path())) {
      return Decision.ALLOW;
    }
    return Decision.DENY;
  }

  @Override
  public ObjectNode rules(UserInfo user, String namespace) {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    ArrayNode resourceRules = status.putArray("resourceRules");
    ArrayNode nonResourceRules = status.putArray("nonResourceRules");
    if (isAuthenticated(user)) {
      ObjectNode all = resourceRules.addObject();
      all.putArray("verbs").add("*");
      all.putArray("apiGroups").add("*");
      all.putArray("resources").add("*");
      ObjectNode paths = nonResourceRules.addObject();
      paths.putArray("verbs").add("*");
      paths.putArray("nonResourceURLs").add("*");
    } else {
      ObjectNode paths = nonResourceRules.addObject();
      paths.putArray("verbs").add("get");
      ArrayNode urls = paths.putArray("nonResourceURLs");
      for (String p : PUBLIC_PATHS) {
        urls.add(p);
        urls.add(p + "/*");
      }
    }
    status.put("incomplete", false);
    return status;
  }

  private static boolean isAuthenticated(UserInfo user) {
    return user.inGroup("system:authenticated") || user.inGroup("system:masters");
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

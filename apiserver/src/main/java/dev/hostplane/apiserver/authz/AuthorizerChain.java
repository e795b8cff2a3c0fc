package dev.hostplane.apiserver.authz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hostplane.apiserver.authn.UserInfo;
import dev.hostplane.apiserver.filter.RequestInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * The authorizers of {@code --authorization-mode}, in order, as upstream's union authorizer: members of
 * {@code system:masters} are always allowed (upstream's privileged group); otherwise the first ALLOW or DENY decides
 * and NO_OPINION asks the next; when none decides the answer is NO_OPINION (which the request path treats as a
 * denial). Rules reviews concatenate every member's rules; {@code incomplete} when any member is incomplete.
 */
public final class AuthorizerChain implements Authorizer {
  public static final String PRIVILEGED_GROUP = "system:masters";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final List<Authorizer> members;

  public AuthorizerChain(List<Authorizer> members) {
    this.members = List.copyOf(members);
  }

  /**
   * The chain of {@code modes} ({@link AuthorizationModes#parse parsed}), with the given Node and RBAC authorizers
   * ({@code node} may be null when the modes do not name it).
   */
  public static AuthorizerChain of(List<String> modes, Authorizer node, Authorizer rbac) {
    List<Authorizer> members = new ArrayList<>();
    for (String mode : modes) {
      members.add(switch (mode) {
        case AuthorizationModes.NODE -> java.util.Objects.requireNonNull(node, "the Node authorizer");
        case AuthorizationModes.RBAC -> rbac;
        case AuthorizationModes.ALWAYS_ALLOW -> ALWAYS_ALLOW;
        case AuthorizationModes.ALWAYS_DENY -> ALWAYS_DENY;
        default -> throw new IllegalArgumentException("authorization-mode \"" + mode + "\" is not a valid mode");
      });
    }
    return new AuthorizerChain(members);
  }

  @Override
  public Decision authorize(UserInfo user, RequestInfo request) {
    if (user.inGroup(PRIVILEGED_GROUP)) {
      return Decision.ALLOW;
    }
    for (Authorizer a : members) {
      Decision d = a.authorize(user, request);
      if (d != Decision.NO_OPINION) {
        return d;
      }
    }
    return Decision.NO_OPINION;
  }

  @Override
  public ObjectNode rules(UserInfo user, String namespace) {
    ObjectNode status = NODES.objectNode();
    ArrayNode resourceRules = status.putArray("resourceRules");
    ArrayNode nonResourceRules = status.putArray("nonResourceRules");
    boolean incomplete = false;
    List<String> errors = new ArrayList<>();
    for (Authorizer a : members) {
      ObjectNode part = a.rules(user, namespace);
      part.path("resourceRules").forEach(resourceRules::add);
      part.path("nonResourceRules").forEach(nonResourceRules::add);
      incomplete |= part.path("incomplete").asBoolean(false);
      JsonNode err = part.path("evaluationError");
      if (err.isTextual() && !err.asText().isEmpty()) {
        errors.add(err.asText());
      }
    }
    status.put("incomplete", incomplete);
    if (!errors.isEmpty()) {
      status.put("evaluationError", errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]");
    }
    return status;
  }

  /** Mode {@code AlwaysAllow}: everything, for everyone. */
  public static final Authorizer ALWAYS_ALLOW = new Authorizer() {
    @Override
    public Decision authorize(UserInfo user, RequestInfo request) {
      return Decision.ALLOW;
    }

    @Override
    public ObjectNode rules(UserInfo user, String namespace) {
      ObjectNode status = NODES.objectNode();
      ObjectNode all = status.putArray("resourceRules").addObject();
      all.putArray("verbs").add("*");
      all.putArray("apiGroups").add("*");
      all.putArray("resources").add("*");
      ObjectNode urls = status.putArray("nonResourceRules").addObject();
      urls.putArray("verbs").add("*");
      urls.putArray("nonResourceURLs").add("*");
      status.put("incomplete", false);
      return status;
    }
  };

  /** Mode {@code AlwaysDeny}: no opinion on anything (as upstream), so only earlier modes can allow. */
  public static final Authorizer ALWAYS_DENY = new Authorizer() {
    @Override
    public Decision authorize(UserInfo user, RequestInfo request) {
      return Decision.NO_OPINION;
    }

    @Override
    public ObjectNode rules(UserInfo user, String namespace) {
      ObjectNode status = NODES.objectNode();
      status.putArray("resourceRules");
      status.putArray("nonResourceRules");
      status.put("incomplete", false);
      return status;
    }
  };
}

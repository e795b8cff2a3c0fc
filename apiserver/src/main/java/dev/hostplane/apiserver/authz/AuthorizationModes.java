package dev.hostplane.apiserver.authz;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code --authorization-mode}: the ordered list of authorization modes, validated as upstream does. */
public final class AuthorizationModes {
  public static final String NODE = "Node";
  public static final String RBAC = "RBAC";
  public static final String ALWAYS_ALLOW = "AlwaysAllow";
  public static final String ALWAYS_DENY = "AlwaysDeny";
  public static final List<String> DEFAULT = List.of(NODE, RBAC);
  private static final List<String> SUPPORTED = List.of(ALWAYS_ALLOW, ALWAYS_DENY, NODE, RBAC);

  private AuthorizationModes() {}

  /**
   * Parses a comma-separated list. Unknown, unsupported (ABAC, Webhook) and repeated modes, and an empty list, are
   * refused with an {@link IllegalArgumentException} whose message names the offender.
   */
  public static List<String> parse(String value) {
    List<String> modes = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String raw : value.split(",", -1)) {
      String mode = raw.trim();
      if (mode.isEmpty() && value.isBlank()) {
        continue;
      }
      if (mode.equals("ABAC") || mode.equals("Webhook")) {
        throw new IllegalArgumentException("authorization-mode \"" + mode + "\" is not supported by this "
            + "apiserver; supported modes: " + String.join(",", SUPPORTED));
      }
      if (!SUPPORTED.contains(mode)) {
        throw new IllegalArgumentException("authorization-mode \"" + mode + "\" is not a valid mode; valid modes: "
            + String.join(",", SUPPORTED));
      }
      if (!seen.add(mode)) {
        throw new IllegalArgumentException("authorization-mode \"" + mode + "\" has mode specified more than once");
      }
      modes.add(mode);
    }
    if (modes.isEmpty()) {
      throw new IllegalArgumentException("at least one authorization-mode must be passed");
    }
    return List.copyOf(modes);
  }
}

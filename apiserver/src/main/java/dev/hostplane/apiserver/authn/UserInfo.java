package dev.hostplane.apiserver.authn;

import java.util.List;
import java.util.Map;

/** An authenticated (or anonymous) identity, as upstream's user.Info. */
public record UserInfo(String name, String uid, List<String> groups, Map<String, List<String>> extra) {
  /** Every authenticated user is in this group. */
  public static final String AUTHENTICATED = "system:authenticated";
  /** The anonymous user's group. */
  public static final String UNAUTHENTICATED = "system:unauthenticated";
  public static final String ANONYMOUS_NAME = "system:anonymous";

  public static final UserInfo ANONYMOUS =
      new UserInfo(ANONYMOUS_NAME, "", List.of(UNAUTHENTICATED), Map.of());

  public UserInfo {
    groups = List.copyOf(groups);
    extra = Map.copyOf(extra);
  }

  public boolean inGroup(String group) {
    return groups.contains(group);
  }
}

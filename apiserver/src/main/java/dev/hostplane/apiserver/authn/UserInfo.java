package dev.hostplane.apiserver.authn;

import java.util.List;
import java.util.Map;

/** An authenticated (or anonymous) identity, as upstream's user.Info. */
public record UserInfo(String name, String uid, List<String> groups, Map<String, List<String>> extra) {
  public static final UserInfo ANONYMOUS =
      new UserInfo("system:anonymous", "", List.of("system:unauthenticated"), Map.of());

  public UserInfo {
    groups = List.copyOf(groups);
    extra = Map.copyOf(extra);
  }

  public boolean inGroup(String group) {
    return groups.contains(group);
  }
}

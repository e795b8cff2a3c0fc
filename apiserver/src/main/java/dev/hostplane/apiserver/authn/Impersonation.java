package dev.hostplane.apiserver.authn;

import dev.hostplane.apiserver.api.ApiException;
import dev.hostplane.apiserver.api.Status;
import dev.hostplane.apiserver.authz.Authorizer;
import dev.hostplane.apiserver.filter.RequestInfo;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Upstream's impersonation: the headers {@code Impersonate-User}, {@code Impersonate-Uid},
 * {@code Impersonate-Group} (repeatable) and {@code Impersonate-Extra-<key>} (percent-encoded key, repeatable) make
 * the request act as another user, if the authenticated user may {@code impersonate} each part: {@code users} (or
 * {@code serviceaccounts} in the namespace, for {@code system:serviceaccount:<ns>:<name>}) and {@code groups} in the
 * core group, {@code uids} and {@code userextras/<key>} in {@code authentication.k8s.io}. The first denial is 403
 * Forbidden in upstream's words. A non-anonymous impersonated user gets {@code system:authenticated}; a service
 * account impersonated without groups gets its service account groups. Thread-safe.
 */
public final class Impersonation {
  public static final String USER = "Impersonate-User";
  public static final String UID = "Impersonate-Uid";
  public static final String GROUP = "Impersonate-Group";
  public static final String EXTRA_PREFIX = "Impersonate-Extra-";
  private static final String AUTHN_GROUP = "authentication.k8s.io";

  private final Authorizer authorizer;

  public Impersonation(Authorizer authorizer) {
    this.authorizer = authorizer;
  }

  /** The request's headers, as the exchange offers them. */
  public interface Headers {
    /** Every value of a header (case-insensitive), in order. */
    List<String> all(String name);

    /** Every header name present. */
    List<String> names();
  }

  /**
   * The user {@code actor} acts as: {@code actor} itself without impersonation headers, else the impersonated user.
   * Fails with 403 when a part is denied, 400 when groups, uid or extras come without a user.
   */
  public UserInfo apply(UserInfo actor, Headers headers) {
    List<String> users = headers.all(USER);
    List<String> groups = headers.all(GROUP);
    List<String> uids = headers.all(UID);
    Map<String, List<String>> extra = new LinkedHashMap<>();
    for (String h : headers.names()) {
      if (h.length() > EXTRA_PREFIX.length() && h.regionMatches(true, 0, EXTRA_PREFIX, 0, EXTRA_PREFIX.length())) {
        String key = unescape(h.substring(EXTRA_PREFIX.length()).toLowerCase(java.util.Locale.ROOT));
        extra.computeIfAbsent(key, k -> new ArrayList<>()).addAll(headers.all(h));
      }
    }
    String username = users.isEmpty() ? "" : users.get(0);
    if (username.isEmpty()) {
      if (!groups.isEmpty() || !uids.isEmpty() || !extra.isEmpty()) {
        throw ApiException.badRequest("requested " + describe(groups, uids, extra) + " without impersonating a "
            + "user");
      }
      return actor;
    }
    List<String> effectiveGroups = new ArrayList<>();
    if (username.startsWith(ServiceAccountTokens.PREFIX)) {
      String[] parts = username.substring(ServiceAccountTokens.PREFIX.length()).split(":", -1);
      if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
        check(actor, attrs("", parts[0], "serviceaccounts", "", parts[1]));
        if (groups.isEmpty()) {
          effectiveGroups.add(ServiceAccountTokens.ALL_SERVICE_ACCOUNTS);
          effectiveGroups.add(ServiceAccountTokens.ALL_SERVICE_ACCOUNTS + ":" + parts[0]);
        }
      } else {
        check(actor, attrs("", "", "users", "", username));
      }
    } else {
      check(actor, attrs("", "", "users", "", username));
    }
    for (String g : groups) {
      check(actor, attrs("", "", "groups", "", g));
      effectiveGroups.add(g);
    }
    for (Map.Entry<String, List<String>> e : extra.entrySet()) {
      for (String v : e.getValue()) {
        check(actor, attrs(AUTHN_GROUP, "", "userextras", e.getKey(), v));
      }
    }
    String uid = uids.isEmpty() ? "" : uids.get(0);
    if (!uid.isEmpty()) {
      check(actor, attrs(AUTHN_GROUP, "", "uids", "", uid));
    }
    String marker = username.equals(UserInfo.ANONYMOUS_NAME) ? UserInfo.UNAUTHENTICATED : UserInfo.AUTHENTICATED;
    if (!effectiveGroups.contains(marker)) {
      effectiveGroups.add(marker);
    }
    return new UserInfo(username, uid, effectiveGroups, extra);
  }

  private void check(UserInfo actor, RequestInfo asked) {
    if (authorizer.authorize(actor, asked) == Authorizer.Decision.ALLOW) {
      return;
    }
    String qualified = asked.group().isEmpty() ? asked.resource() : asked.resource() + "." + asked.group();
    String where = asked.namespace().isEmpty() ? " at the cluster scope"
        : " in the namespace \"" + asked.namespace() + "\"";
    String message = qualified + " \"" + asked.name() + "\" is forbidden: User \"" + actor.name()
        + "\" cannot impersonate resource \"" + asked.resourceWithSubresource() + "\" in API group \""
        + asked.group() + "\"" + where;
    throw new ApiException(new Status(403, "Forbidden", message,
        new Status.Details(asked.name(), asked.group(), asked.resource(), null, null, null)));
  }

  private static RequestInfo attrs(String group, String namespace, String resource, String subresource,
      String name) {
    return new RequestInfo(true, "", "impersonate", "", group, "", namespace, resource, subresource, name,
        List.of());
  }

  private static String unescape(String key) {
    try {
      return URLDecoder.decode(key.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return key; // upstream keeps an undecodable key as it is
    }
  }

  private static String describe(List<String> groups, List<String> uids, Map<String, List<String>> extra) {
    List<String> parts = new ArrayList<>();
    groups.forEach(g -> parts.add("{Group " + g + "}"));
    extra.forEach((k, vs) -> vs.forEach(v -> parts.add("{UserExtra " + k + "=" + v + "}")));
    uids.forEach(u -> parts.add("{UID " + u + "}"));
    return "[" + String.join(" ", parts) + "]";
  }

  /** Adapts a header lookup. */
  public static Headers headers(Function<String, List<String>> all, java.util.function.Supplier<List<String>> names) {
    return new Headers() {
      @Override
      public List<String> all(String name) {
        return all.apply(name);
      }

      @Override
      public List<String> names() {
        return names.get();
      }
    };
  }
}

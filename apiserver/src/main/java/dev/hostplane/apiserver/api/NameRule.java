package dev.hostplane.apiserver.api;

import java.util.List;

/**
 * How a resource type's object names are validated (upstream's {@code ValidateNameFunc}). Returns the problems with
 * {@code name}, empty when it is valid. With {@code prefix} the name is a {@code generateName}: random characters
 * will be appended, so a trailing {@code -} is allowed.
 */
@FunctionalInterface
public interface NameRule {
  List<String> validate(String name, boolean prefix);

  /** Most resources: an RFC 1123 subdomain ({@code NameIsDNSSubdomain}). */
  NameRule DNS_SUBDOMAIN = (name, prefix) -> Validation.isDns1123Subdomain(prefix ? maskTrailingDash(name) : name);

  /** Namespaces and a few others: an RFC 1123 label ({@code NameIsDNSLabel}). */
  NameRule DNS_LABEL = (name, prefix) -> Validation.isDns1123Label(prefix ? maskTrailingDash(name) : name);

  /** Services: an RFC 1035 label ({@code NameIsDNS1035Label}). */
  NameRule DNS1035_LABEL = (name, prefix) -> Validation.isDns1035Label(prefix ? maskTrailingDash(name) : name);

  /** RBAC objects and others whose names only need to be one URL path segment ({@code ValidatePathSegmentName}). */
  NameRule PATH_SEGMENT = (name, prefix) ->
      prefix ? Validation.isPathSegmentPrefix(name) : Validation.isPathSegmentName(name);

  /**
   * Upstream's {@code maskTrailingDash}: when the name ends in {@code -}, its last <em>two</em> characters are
   * replaced by {@code a} (upstream slices off two; we keep that, since it changes which lengths pass). A lone
   * {@code -}, on which upstream would fail, becomes {@code a}.
   */
  static String maskTrailingDash(String name) {
    if (!name.endsWith("-")) {
      return name;
    }
    return name.length() < 2 ? "a" : name.substring(0, name.length() - 2) + "a";
  }
}

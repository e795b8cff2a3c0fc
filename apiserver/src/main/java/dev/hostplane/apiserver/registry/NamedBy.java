package dev.hostplane.apiserver.registry;

import dev.hostplane.apiserver.api.NameRule;

/** A strategy ability: names of this type follow {@link #nameRule()} (default: a DNS-1123 subdomain). */
public interface NamedBy {
  NameRule nameRule();
}

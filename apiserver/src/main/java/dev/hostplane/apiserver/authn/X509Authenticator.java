package dev.hostplane.apiserver.authn;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Authenticates by the client certificate the TLS layer already verified against {@code --client-ca-file}: the
 * subject's CN is the user name and each O is a group, as upstream. Every authenticated user also gets
 * {@code system:authenticated}.
 */
public final class X509Authenticator {
  private X509Authenticator() {}

  /** The user of a verified chain (leaf first), or empty when there is no certificate or it names no user. */
  public static Optional<UserInfo> authenticate(List<X509Certificate> chain) {
    if (chain.isEmpty()) {
      return Optional.empty();
    }
    String cn = null;
    List<String> groups = new ArrayList<>();
    try {
      LdapName dn = new LdapName(chain.get(0).getSubjectX500Principal().getName());
      for (Rdn rdn : dn.getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN") && cn == null) {
          cn = rdn.getValue().toString();
        } else if (rdn.getType().equalsIgnoreCase("O")) {
          groups.add(0, rdn.getValue().toString()); // RDNs come last-first; keep certificate order
        }
      }
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
    if (cn == null || cn.isEmpty()) {
      return Optional.empty();
    }
    if (!groups.contains("system:authenticated")) {
      groups.add("system:authenticated");
    }
    return Optional.of(new UserInfo(cn, "", groups, Map.of()));
  }
}

package dev.hostplane.apiserver.authn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenFileTest {
  private static final List<String> API = List.of("https://kubernetes.default.svc.cluster.local");

  @Test
  void readsUpstreamCsvWithQuotedGroups() {
    TokenFile f = TokenFile.parse("tokens.csv", """
        secret-a,alice,uid-1,"developers,testers"
        secret-b, bob, uid-2
        ,nobody,uid-3
        secret-c,carol,uid-4,"ops"
        secret-c,dave,uid-5
        """, API).withAudiences(API);
    UserInfo alice = f.authenticate("secret-a", API).orElseThrow().user();
    assertEquals(new UserInfo("alice", "uid-1", List.of("developers", "testers", "system:authenticated"),
        java.util.Map.of()), alice);
    assertEquals("bob", f.authenticate("secret-b", API).orElseThrow().user().name());
    assertEquals(List.of("system:authenticated"), f.authenticate("secret-b", API).orElseThrow().user().groups());
    assertEquals("dave", f.authenticate("secret-c", API).orElseThrow().user().name(), "the last line wins");
    assertTrue(f.authenticate("unknown", API).isEmpty());
    assertTrue(f.authenticate("", API).isEmpty(), "a blank token line is skipped");
    assertEquals(API, f.authenticate("secret-a", API).orElseThrow().audiences());
    assertTrue(f.authenticate("secret-a", List.of("vault")).isEmpty(), "audience-agnostic tokens serve the API only");
  }

  @Test
  void tooFewColumnsFailWithUpstreamsMessage() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TokenFile.parse("tokens.csv", "tok,alice\n", API));
    assertEquals("token file 'tokens.csv' must have at least 3 columns (token, user name, user uid), found 2",
        e.getMessage());
  }
}

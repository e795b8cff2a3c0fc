package dev.hostplane.apiserver.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hostplane.apiserver.ApiServerConfig;
import dev.hostplane.apiserver.config.Flags;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class AuthorizationModesTest {
  @Test
  void theDefaultIsNodeThenRbac() {
    Flags f = ApiServerConfig.flags();
    f.parse(List.of());
    assertEquals(List.of("Node", "RBAC"), ApiServerConfig.from(f).authorizationModes());
  }

  @Test
  void modesKeepTheirOrder() {
    assertEquals(List.of("RBAC", "AlwaysDeny", "Node"), AuthorizationModes.parse("RBAC,AlwaysDeny,Node"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Foo|--authorization-mode: authorization-mode \"Foo\" is not a valid mode; valid modes: "
          + "AlwaysAllow,AlwaysDeny,Node,RBAC",
      "RBAC,RBAC|--authorization-mode: authorization-mode \"RBAC\" has mode specified more than once",
      "Webhook|--authorization-mode: authorization-mode \"Webhook\" is not supported by this apiserver; supported "
          + "modes: AlwaysAllow,AlwaysDeny,Node,RBAC",
      "rbac|--authorization-mode: authorization-mode \"rbac\" is not a valid mode; valid modes: "
          + "AlwaysAllow,AlwaysDeny,Node,RBAC"})
  void badModesStopTheStartWithAClearMessage(String value, String message) {
    Flags f = ApiServerConfig.flags();
    f.parse(List.of("--authorization-mode=" + value));
    Flags.FlagException e = assertThrows(Flags.FlagException.class, () -> ApiServerConfig.from(f));
    assertEquals(message, e.getMessage());
  }

  @Test
  void anEmptyListIsRefused() {
    Flags f = ApiServerConfig.flags();
    f.parse(List.of("--authorization-mode="));
    assertEquals("--authorization-mode: at least one authorization-mode must be passed",
        assertThrows(Flags.FlagException.class, () -> ApiServerConfig.from(f)).getMessage());
  }
}
